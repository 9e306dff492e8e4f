package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.rackpilot.agent.Agent;
import io.rackpilot.agent.AgentContext;
import io.rackpilot.agent.AgentParts;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.cli.Rackctl;
import io.rackpilot.cli.client.ClientSettings;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsContexts;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.coordinator.Coordinator;
import io.rackpilot.coordinator.config.CoordinatorConfig;
import io.rackpilot.hostagent.HostAgent;
import io.rackpilot.nodeagent.NodeAgent;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentState;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A homelab for tests: a coordinator and agents on loopback with real mTLS and a throwaway CA,
 * started and stopped one part at a time. Heartbeats and backoff are short so tests are quick.
 */
public final class TestHomelab
        implements AutoCloseable
{
    public static final Duration HEARTBEAT = Duration.ofMillis(300);

    private final Path root;
    private final CertificateAuthority authority;
    private final Path caFile;
    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final ByteArrayOutputStream audit = new ByteArrayOutputStream();
    private Coordinator coordinator;
    private int grpcPort;
    private CoordinatorConfig.Reconcile reconcile;
    private CoordinatorConfig.Relocation relocation;

    public TestHomelab()
            throws IOException
    {
        this.root = Files.createTempDirectory("rackpilot-test-");
        this.authority = CertificateAuthority.create("test CA", Duration.ofDays(1));
        this.caFile = root.resolve("ca/ca.pem");
        authority.writeTo(caFile, root.resolve("ca/ca-key.pem"));
        issue(new Identity(IdentityRole.ADMIN, "tester"), root.resolve("client"), ClientSettings.CERTIFICATE_NAME);
    }

    public Path root()
    {
        return root;
    }

    public CertificateAuthority authority()
    {
        return authority;
    }

    public TlsFiles issue(Identity identity, Path directory, String baseName)
            throws IOException
    {
        TlsFiles files = TlsFiles.inDirectory(directory, baseName);
        authority.issue(identity, List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)).writeTo(files.certificate(), files.privateKey());
        Files.copy(caFile, files.caCertificate(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return files;
    }

    /**
     * The reconcile and relocation sections of every coordinator started from now on (defaults when null).
     */
    public void configureReconcile(CoordinatorConfig.Reconcile reconcile, CoordinatorConfig.Relocation relocation)
    {
        this.reconcile = reconcile;
        this.relocation = relocation;
    }

    public Coordinator startCoordinator()
            throws IOException
    {
        return startCoordinator(HEARTBEAT);
    }

    /**
     * A coordinator that expects heartbeats every {@code heartbeat} (three missed: lost).
     */
    public Coordinator startCoordinator(Duration heartbeat)
            throws IOException
    {
        TlsFiles tls = issue(new Identity(IdentityRole.COORDINATOR, "coordinator"), root.resolve("coordinator-tls"), "coordinator");
        coordinator = Coordinator.start(new CoordinatorConfig(
                "127.0.0.1:" + grpcPort,
                new CoordinatorConfig.Tls(tls.caCertificate(), tls.certificate(), tls.privateKey()),
                new CoordinatorConfig.Metrics("127.0.0.1:0"),
                root.resolve("coordinator-state"),
                new CoordinatorConfig.Agents(heartbeat, 3),
                null,
                reconcile,
                relocation,
                null));
        grpcPort = coordinator.grpcPort();
        return coordinator;
    }

    public Coordinator coordinator()
    {
        return coordinator;
    }

    public int grpcPort()
    {
        return grpcPort;
    }

    public Agent startAgent(AgentKind kind, String id)
            throws IOException
    {
        return startAgent(kind, id, kind == AgentKind.HOST ? HostAgent::parts : NodeAgent::parts, null);
    }

    /**
     * An agent whose actions are the given ones (and the built-in ones they do not replace).
     */
    public Agent startAgent(AgentKind kind, String id, Function<String, List<ActionHandler>> handlers)
            throws IOException
    {
        return startAgent(kind, id, context -> AgentParts.actionHandlers(handlers.apply(context.agentId())), null);
    }

    /**
     * @param gpu the agent's gpu section (its NVML library and poll timing); null for the defaults
     */
    public Agent startAgent(AgentKind kind, String id, Function<AgentContext, AgentParts> parts, AgentConfig.Gpu gpu)
            throws IOException
    {
        return startAgent(kind, id, parts, gpu, new AgentConfig.Nfs(false, null, null, null));
    }

    /**
     * @param nfs the host-agent's nfs section (the Proxmox API stays off)
     */
    public Agent startAgent(AgentKind kind, String id, Function<AgentContext, AgentParts> parts, AgentConfig.Gpu gpu, AgentConfig.Nfs nfs)
            throws IOException
    {
        return startAgent(kind, id, parts, gpu, nfs, new AgentConfig.Kubernetes(false, null, null, null, null, null, null, null), Optional.empty());
    }

    /**
     * @param kubernetes the node-agent's kubernetes section
     * @param systemUuid the SMBIOS UUID the agent reads as its own
     */
    public Agent startAgent(AgentKind kind, String id, Function<AgentContext, AgentParts> parts, AgentConfig.Gpu gpu, AgentConfig.Nfs nfs, AgentConfig.Kubernetes kubernetes, Optional<String> systemUuid)
            throws IOException
    {
        Path directory = root.resolve("agents").resolve(id);
        if (systemUuid.isPresent()) {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("product_uuid"), systemUuid.get() + "\n");
        }
        TlsFiles tls = issue(new Identity(kind == AgentKind.HOST ? IdentityRole.HOST : IdentityRole.NODE, id), directory.resolve("tls"), kind.daemonName());
        AgentConfig config = new AgentConfig(
                null,
                new AgentConfig.Coordinator("127.0.0.1:" + grpcPort, Duration.ofMillis(50), Duration.ofMillis(400), null),
                new AgentConfig.Tls(tls.caCertificate(), tls.certificate(), tls.privateKey()),
                new AgentConfig.Metrics("127.0.0.1:0", null),
                directory.resolve("state"),
                new AgentConfig.Inventory(Duration.ofSeconds(30), directory.resolve("product_uuid"), null, null),
                null,
                gpu,
                new AgentConfig.Proxmox(false, null, null, null, null, null),
                nfs,
                kubernetes);
        Agent agent = Agent.start(kind, config, parts, new PrintStream(audit, true, StandardCharsets.UTF_8));
        agents.put(id, agent);
        return agent;
    }

    public Agent agent(String id)
    {
        return agents.get(id);
    }

    public String auditLog()
    {
        return audit.toString(StandardCharsets.UTF_8);
    }

    public Map<String, String> clientEnvironment()
    {
        return Map.of(
                "RACKPILOT_COORDINATOR", "127.0.0.1:" + grpcPort,
                "RACKPILOT_TLS_DIR", root.resolve("client").toString(),
                "HOME", root.toString());
    }

    public RackctlResult rackctl(String... arguments)
    {
        return rackctl(clientEnvironment(), arguments);
    }

    public static RackctlResult rackctl(Map<String, String> environment, String... arguments)
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = Rackctl.run(arguments, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), environment);
        return new RackctlResult(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public record RackctlResult(int exitCode, String out, String err) {}

    /**
     * A Control client with the admin certificate; close the channel when done.
     */
    public ManagedChannel controlChannel()
            throws IOException
    {
        return NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .sslContext(TlsContexts.grpcClient(TlsFiles.inDirectory(root.resolve("client"), ClientSettings.CERTIFICATE_NAME)))
                .build();
    }

    public static ControlClient control(ManagedChannel channel)
    {
        return new ControlClient(channel);
    }

    public void awaitConnected(String... agentIds)
    {
        awaitCondition("agents " + String.join(", ", agentIds) + " connected", () -> {
            List<String> connected = new ArrayList<>();
            for (AgentInfo info : coordinator.registry().agents()) {
                if (info.getState() == AgentState.AGENT_STATE_CONNECTED) {
                    connected.add(info.getId());
                }
            }
            return connected.containsAll(List.of(agentIds));
        });
    }

    public static void awaitCondition(String what, BooleanSupplier condition)
    {
        awaitCondition(what, Duration.ofSeconds(30), condition);
    }

    public static void awaitCondition(String what, Duration limit, BooleanSupplier condition)
    {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
        }
        throw new AssertionError("timed out waiting for " + what + " (" + limit + ")");
    }

    /**
     * rackctl's JSON output, parsed.
     */
    public static JsonNode json(String text)
    {
        try {
            return new ObjectMapper().readTree(text);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void stopAgent(String id)
    {
        Agent agent = agents.remove(id);
        if (agent != null) {
            agent.close();
        }
    }

    @Override
    public void close()
    {
        for (Agent agent : agents.values()) {
            agent.close();
        }
        agents.clear();
        if (coordinator != null) {
            coordinator.close();
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        catch (IOException e) {
            // temporary files; nothing depends on them
        }
    }
}
