package io.rackpilot.cli.dev;

import io.rackpilot.agent.Agent;
import io.rackpilot.agent.gpu.GpuSource;
import io.rackpilot.agent.gpu.NvmlGpuSource;
import io.rackpilot.agent.gpu.NvmlLoader;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.cli.client.ClientSettings;
import io.rackpilot.common.io.AtomicFiles;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.coordinator.Coordinator;
import io.rackpilot.coordinator.config.CoordinatorConfig;
import io.rackpilot.hostagent.HostAgent;
import io.rackpilot.nodeagent.NodeAgent;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import io.rackpilot.sim.homelab.PassedThroughGpus;
import io.rackpilot.sim.homelab.SimulatedHomelab;
import io.rackpilot.sim.kubernetes.KubernetesSimulator;
import io.rackpilot.sim.gpu.SimulatedGpuSource;
import io.rackpilot.sim.proxmox.ProxmoxSimulator;
import io.rackpilot.sim.sysfs.SimulatedSysfs;
import io.rackpilot.sim.homelab.SimulatedMachine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * A whole simulated homelab in one process: a coordinator, the host-agent and one node-agent per
 * Kubernetes VM of the plan, on loopback, with a throwaway CA. It is a configuration overlay: the
 * same {@link Coordinator} and {@link Agent} wiring the daemons use, with dev addresses, a temporary
 * state directory and fresh certificates. The node-agents see the GPUs their VM holds in the simulated
 * Proxmox node at each poll (at first the ones the plan gives it; a card that moves follows its
 * hostpci mapping) through a simulated source, or through the real NVML binding when
 * {@code RACKPILOT_NVML_LIBRARY} names a library.
 */
public final class DevHomelab
        implements AutoCloseable
{
    private static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(7);

    private final Path workDirectory;
    private final Path clientDirectory;
    private final CoordinatorConfig coordinatorConfig;
    private Coordinator coordinator;
    private final ProxmoxSimulator proxmox;
    private final KubernetesSimulator kubernetes;
    private final List<Agent> agents;

    private DevHomelab(Path workDirectory, Path clientDirectory, CoordinatorConfig coordinatorConfig, Coordinator coordinator, ProxmoxSimulator proxmox, KubernetesSimulator kubernetes, List<Agent> agents)
    {
        this.workDirectory = workDirectory;
        this.clientDirectory = clientDirectory;
        this.coordinatorConfig = coordinatorConfig;
        this.coordinator = coordinator;
        this.proxmox = proxmox;
        this.kubernetes = kubernetes;
        this.agents = List.copyOf(agents);
    }

    /**
     * @param grpcPort the coordinator's port (7450 by default; 0 picks a free one)
     * @param metricsPort the coordinator's metrics port (9450); agents take the following ports,
     *        or free ones when it is 0
     * @param clientDirectory where rackctl's certificate is left (ca.pem, rackctl.pem, rackctl-key.pem)
     * @param environment with {@code RACKPILOT_NVML_LIBRARY} set, the agents read GPUs through NVML
     *        from that library instead of simulating the plan's GPUs
     */
    public static DevHomelab start(HomelabPlan plan, int grpcPort, int metricsPort, Path clientDirectory, Map<String, String> environment, PrintStream auditOutput)
            throws IOException
    {
        requireNonNull(environment, "environment is null");
        requireNonNull(plan, "plan is null");
        requireNonNull(clientDirectory, "clientDirectory is null");
        Path workDirectory = Files.createTempDirectory("rackpilot-dev-");
        List<SimulatedMachine> machines = SimulatedHomelab.machines(plan);

        CertificateAuthority authority = CertificateAuthority.create("rackpilot dev CA", CERTIFICATE_VALIDITY);
        Path caFile = workDirectory.resolve("tls/ca.pem");
        authority.writeTo(caFile, workDirectory.resolve("tls/ca-key.pem"));
        TlsFiles coordinatorTls = issue(authority, caFile, workDirectory.resolve("tls"), new Identity(IdentityRole.COORDINATOR, "coordinator"), "coordinator");

        Coordinator coordinator = null;
        boolean clientIssued = false;
        ProxmoxSimulator proxmox = null;
        KubernetesSimulator kubernetes = null;
        List<Agent> agents = new ArrayList<>();
        try {
            // The Proxmox VE API of the plan's host, reached through the real client with a token
            // from a file, and the host's sysfs with the planned GPUs bound to vfio-pci.
            String token = "rackpilot@pve!dev=" + UUID.randomUUID();
            proxmox = ProxmoxSimulator.fromPlan(plan, Set.of(token), workDirectory.resolve("proxmox"));
            Path tokenFile = workDirectory.resolve("proxmox/token");
            AtomicFiles.writePrivate(tokenFile, (token + "\n").getBytes(StandardCharsets.UTF_8));
            Path hostSys = SimulatedSysfs.write(plan, workDirectory.resolve("host-sys"));
            // The cluster's API server, with the plan's Nodes carrying the simulated VMs' system
            // UUIDs; the node-agents find their Node by UUID through a kubeconfig of their own.
            String kubernetesToken = "rackpilot-node-agent-" + UUID.randomUUID();
            kubernetes = KubernetesSimulator.fromPlan(plan, Set.of(kubernetesToken), workDirectory.resolve("kubernetes"));
            Path kubeconfig = kubernetes.writeKubeconfig(workDirectory.resolve("kubernetes/kubeconfig"), kubernetesToken);
            // The kubelet of a node sees the cards its VM holds now (with the kubelet's stale
            // capacity and late device plugin the simulator models).
            ProxmoxSimulator cards = proxmox;
            kubernetes.setGpuPresence(node -> plan.kubernetesNode(node)
                    .map(vm -> new PassedThroughGpus(plan, cards, vm.vmid()).get().size())
                    .orElse(0));

            CoordinatorConfig coordinatorConfig = coordinatorConfig(grpcPort, metricsPort, coordinatorTls, workDirectory);
            coordinator = Coordinator.start(coordinatorConfig);
            // Only now, with the ports taken: a second rackctl dev that cannot listen must not
            // overwrite (or, failing, delete) the certificate of the one that runs.
            issue(authority, caFile, clientDirectory, new Identity(IdentityRole.ADMIN, "dev"), ClientSettings.CERTIFICATE_NAME);
            clientIssued = true;
            // Later starts (restartCoordinator) keep the ports the first one got.
            coordinatorConfig = coordinatorConfig(coordinator.grpcPort(), coordinator.metricsPort(), coordinatorTls, workDirectory);
            int nextMetricsPort = metricsPort == 0 ? 0 : metricsPort + 1;
            for (SimulatedMachine machine : machines) {
                AgentKind kind = machine.host() ? AgentKind.HOST : AgentKind.NODE;
                Path machineDirectory = workDirectory.resolve("machines").resolve(machine.agentId());
                IdentityRole role = machine.host() ? IdentityRole.HOST : IdentityRole.NODE;
                TlsFiles tls = issue(authority, caFile, machineDirectory.resolve("tls"), new Identity(role, machine.agentId()), kind.daemonName());
                Path uuidFile = machineDirectory.resolve("product_uuid");
                if (machine.systemUuid().isPresent()) {
                    AtomicFiles.write(uuidFile, (machine.systemUuid().get() + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                AgentConfig config = new AgentConfig(
                        machine.agentId(),
                        new AgentConfig.Coordinator("127.0.0.1:" + coordinator.grpcPort(), null, Duration.ofSeconds(5), null),
                        new AgentConfig.Tls(tls.caCertificate(), tls.certificate(), tls.privateKey()),
                        new AgentConfig.Metrics("127.0.0.1:" + nextMetricsPort, null),
                        machineDirectory.resolve("state"),
                        new AgentConfig.Inventory(Duration.ofSeconds(15), uuidFile, machine.host() ? hostSys : null, null),
                        null,
                        null,
                        machine.host()
                                ? new AgentConfig.Proxmox(true, proxmox.apiUrl().toString(), proxmox.node(), tokenFile, proxmox.caCertificate(), null)
                                : new AgentConfig.Proxmox(false, null, null, null, null, null),
                        // exportfs works on the real /etc/exports.d, which a dev homelab must not touch
                        new AgentConfig.Nfs(false, null, null, null),
                        new AgentConfig.Kubernetes(!machine.host(), kubeconfig, false, null, null, null, null, null));
                // The host sees no GPU under passthrough (the card is bound to vfio-pci); a VM sees
                // the cards its running config passes through now.
                GpuSource gpus;
                if (machine.host()) {
                    gpus = new SimulatedGpuSource(List.of(), Clock.systemUTC());
                }
                else if (!environment.getOrDefault(NvmlLoader.LIBRARY_ENVIRONMENT_VARIABLE, "").isBlank()) {
                    gpus = new NvmlGpuSource(Optional.empty(), environment);
                }
                else {
                    gpus = new SimulatedGpuSource(new PassedThroughGpus(plan, proxmox, machine.vmid().orElseThrow()), Clock.systemUTC());
                }
                Agent agent = machine.host()
                        ? Agent.start(kind, config, HostAgent::parts, auditOutput, gpus)
                        : Agent.start(kind, config, NodeAgent::parts, auditOutput, gpus);
                agents.add(agent);
                if (nextMetricsPort != 0) {
                    nextMetricsPort++;
                }
            }
            return new DevHomelab(workDirectory, clientDirectory, coordinatorConfig, coordinator, proxmox, kubernetes, agents);
        }
        catch (IOException | RuntimeException e) {
            agents.forEach(Agent::close);
            if (coordinator != null) {
                coordinator.close();
            }
            if (proxmox != null) {
                proxmox.close();
            }
            if (kubernetes != null) {
                kubernetes.close();
            }
            if (clientIssued) {
                deleteRecursively(clientDirectory);
            }
            deleteRecursively(workDirectory);
            throw e;
        }
    }

    private static CoordinatorConfig coordinatorConfig(int grpcPort, int metricsPort, TlsFiles tls, Path workDirectory)
    {
        return new CoordinatorConfig(
                "127.0.0.1:" + grpcPort,
                new CoordinatorConfig.Tls(tls.caCertificate(), tls.certificate(), tls.privateKey()),
                new CoordinatorConfig.Metrics("127.0.0.1:" + metricsPort),
                workDirectory.resolve("coordinator"),
                null,
                null,
                null,
                null,
                null);
    }

    /**
     * Starts a homelab from a plan file and applies the file as the coordinator's first plan
     * revision, so the reconciler and GPU relocation work on it (what {@code rackctl plan apply FILE}
     * would do).
     */
    public static DevHomelab start(Path planFile, int grpcPort, int metricsPort, Path clientDirectory, Map<String, String> environment, PrintStream auditOutput)
            throws IOException
    {
        String text = Files.readString(planFile, StandardCharsets.UTF_8);
        HomelabPlan plan = PlanLoader.parse(text, planFile.getFileName().toString());
        DevHomelab homelab = start(plan, grpcPort, metricsPort, clientDirectory, environment, auditOutput);
        try {
            homelab.coordinator().plans().apply(text, planFile.getFileName().toString(), false, OptionalLong.of(0), "rackctl dev", "rackctl dev --plan " + planFile);
        }
        catch (RuntimeException e) {
            homelab.close();
            throw e;
        }
        return homelab;
    }

    /**
     * Stops the coordinator and starts it again on the same ports and state, as a restart of the
     * daemon would; {@code crash} stops it as a crash would (streams cut, nothing said to the agents).
     */
    public synchronized Coordinator restartCoordinator(boolean crash)
            throws IOException
    {
        if (crash) {
            coordinator.kill();
        }
        else {
            coordinator.close();
        }
        coordinator = Coordinator.start(coordinatorConfig);
        return coordinator;
    }

    public ProxmoxSimulator proxmox()
    {
        return proxmox;
    }

    public KubernetesSimulator kubernetes()
    {
        return kubernetes;
    }

    private static TlsFiles issue(CertificateAuthority authority, Path caFile, Path directory, Identity identity, String baseName)
            throws IOException
    {
        TlsFiles files = TlsFiles.inDirectory(directory, baseName);
        authority.issue(identity, List.of("localhost"), List.of("127.0.0.1", "::1"), CERTIFICATE_VALIDITY)
                .writeTo(files.certificate(), files.privateKey());
        Files.createDirectories(directory);
        Files.copy(caFile, files.caCertificate(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return files;
    }

    public synchronized Coordinator coordinator()
    {
        return coordinator;
    }

    public List<Agent> agents()
    {
        return agents;
    }

    public Path clientDirectory()
    {
        return clientDirectory;
    }

    public Path workDirectory()
    {
        return workDirectory;
    }

    public void describe(PrintStream out)
    {
        out.println("rackpilot dev homelab is running (state in " + workDirectory + ")");
        out.println();
        out.printf("  %-22s gRPC 127.0.0.1:%d   metrics http://127.0.0.1:%d/metrics%n", "coordinator", coordinator.grpcPort(), coordinator.metricsPort());
        out.printf("  %-22s http://127.0.0.1:%d/sd/prometheus%n", "prometheus http_sd", coordinator.metricsPort());
        out.printf("  %-22s %s (simulated, node %s)%n", "Proxmox VE API", proxmox.apiUrl(), proxmox.node());
        out.printf("  %-22s %s (simulated)%n", "Kubernetes API", kubernetes.apiUrl());
        for (Agent agent : agents) {
            out.printf("  %-22s metrics http://127.0.0.1:%d/metrics%n", agent.kind().daemonName() + " " + agent.id(), agent.metricsPort());
        }
        out.println();
        out.println("rackctl's certificate is in " + clientDirectory + "; in another terminal try:");
        out.println("  bin/rackctl agents");
        out.println("  bin/rackctl inventory " + agents.get(agents.size() > 1 ? 1 : 0).id());
        out.println("  bin/rackctl exec " + agents.get(0).id() + " agent.ping --set message=hello --wait");
        out.println("  bin/rackctl exec " + agents.get(0).id() + " vm.shutdown --set vmid=203 --wait");
        out.println("  bin/rackctl gpus");
        out.println("  bin/rackctl exec k8s-node3 k8s.node.taint --set key=rackpilot.io/test --set value=x --set effect=NoSchedule --wait");
        out.println("  bin/rackctl exec k8s-node1 k8s.node.drain --set resource=nvidia.com/gpu --set timeout=1m --wait");
        out.println("  bin/rackctl plan diff");
        out.println("  bin/rackctl gpu status");
        out.println("  bin/rackctl gpu move tesla-t4 --to k8s-node2 --wait");
        out.println();
        out.println("Press Ctrl-C to stop.");
    }

    @Override
    public void close()
    {
        for (Agent agent : agents) {
            agent.close();
        }
        coordinator.close();
        proxmox.close();
        kubernetes.close();
        deleteRecursively(clientDirectory);
        deleteRecursively(workDirectory);
    }

    private static void deleteRecursively(Path directory)
    {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (IOException e) {
            // Best effort: a leftover temporary directory is harmless.
        }
    }
}
