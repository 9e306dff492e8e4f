package io.rackpilot.coordinator.reconcile;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.NetworkAttachment;
import io.rackpilot.plan.NfsClient;
import io.rackpilot.plan.NfsExport;
import io.rackpilot.plan.PlanLoader;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.HostPci;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.KubernetesTaint;
import io.rackpilot.proto.v1.NfsExports;
import io.rackpilot.proto.v1.NvmlStatus;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDevices;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.Role;
import io.rackpilot.proto.v1.SystemInfo;
import io.rackpilot.proto.v1.VmNetworkDevice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A hand-written homelab as the agents would report it, made from the seed plan
 * ({@code docs/examples/homelab.yaml}) and in sync with it: host-agent {@code pve} reports every
 * planned VM running as planned and the NFS exports in force, and node-agents {@code k8s-master},
 * {@code k8s-node1} .. {@code k8s-node4} report their Node, the T4 on {@code k8s-node1} with the
 * GPU node policy's taint and label. The methods change one thing each; {@link #build()} gives
 * the {@link ObservedHomelab}.
 */
public final class Homelabs
{
    public static final Path SEED = Path.of("../docs/examples/homelab.yaml");
    public static final String HOST = "pve";
    public static final String GPU_ID = "tesla-t4";
    public static final String GPU_ADDRESS = "0000:06:00.0";
    public static final String GPU_UUID = "GPU-5f0a2c1e-7d3b-4e21-9c4a-0123456789ab";
    public static final String TAINT_KEY = "nvidia.com/gpu";
    public static final String TAINT_EFFECT = "PreferNoSchedule";
    public static final String LABEL_KEY = "nvidia.com/gpu.present";
    public static final List<String> NODE_AGENTS = List.of("k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4");
    public static final List<String> HOST_CAPABILITIES = List.of("agent.ping", "nfs.exports.apply", "pci.passthrough.attach", "pci.passthrough.detach",
            "vm.start", "vm.shutdown", "vm.stop", "vm.reboot");
    public static final List<String> NODE_CAPABILITIES = List.of("agent.ping", "k8s.node.taint", "k8s.node.untaint", "k8s.node.label", "k8s.node.unlabel",
            "k8s.node.cordon", "k8s.node.uncordon", "k8s.node.drain");

    private final HomelabPlan plan;
    private final Instant now;
    private final Map<Integer, ProxmoxVm> vms = new TreeMap<>();
    private final Map<String, NodeAgent> nodes = new LinkedHashMap<>();
    private Optional<AgentInfo.Builder> host;
    private Optional<Instant> hostCollectedAt;
    private boolean hostReportsProxmox = true;
    private Optional<ProxmoxInfo> proxmoxError = Optional.empty();
    private Optional<NfsExports> nfsExports;
    private Optional<PciDevice> gpuDevice;
    private final List<GpuMove> moves = new ArrayList<>();
    private final Map<String, Integer> settled = new HashMap<>();

    private static final class NodeAgent
    {
        final AgentInfo.Builder info;
        final String systemUuid;
        NvmlStatus.State nvml = NvmlStatus.State.STATE_AVAILABLE;
        int gpus;
        boolean reportsGpus = true;
        KubernetesNodeInfo.State kubernetesState = KubernetesNodeInfo.State.STATE_FOUND;
        String nodeName;
        final List<KubernetesTaint> taints = new ArrayList<>();
        final Map<String, String> labels = new TreeMap<>();
        Optional<Instant> collectedAt;
        boolean reported = true;

        NodeAgent(String id, String systemUuid, String nodeName, Instant now)
        {
            this.info = AgentInfo.newBuilder().setId(id).setRole(Role.ROLE_NODE).setState(AgentState.AGENT_STATE_CONNECTED).addAllCapabilities(NODE_CAPABILITIES);
            this.systemUuid = systemUuid;
            this.nodeName = nodeName;
            this.collectedAt = Optional.of(now);
        }
    }

    public static String seedText()
    {
        try {
            return Files.readString(SEED);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HomelabPlan seedPlan()
    {
        return PlanLoader.load(SEED);
    }

    /**
     * The seed plan with the GPU given to another VM ({@code vm: 201} in the gpus section replaced).
     */
    public static HomelabPlan seedPlanWithGpuOn(int vmid)
    {
        String text = seedText();
        String planned = "      vm: 201\n";
        if (text.indexOf(planned) < 0 || text.indexOf(planned) != text.lastIndexOf(planned)) {
            throw new IllegalStateException("the seed plan no longer has exactly one '" + planned.trim() + "' line");
        }
        return PlanLoader.parse(text.replace(planned, "      vm: " + vmid + "\n"), "homelab.yaml");
    }

    public static Homelabs inSync(Instant now)
    {
        return new Homelabs(seedPlan(), now);
    }

    public Homelabs(HomelabPlan plan, Instant now)
    {
        this.plan = requireNonNull(plan, "plan is null");
        this.now = requireNonNull(now, "now is null");
        this.host = Optional.of(AgentInfo.newBuilder().setId(HOST).setRole(Role.ROLE_HOST).setState(AgentState.AGENT_STATE_CONNECTED).addAllCapabilities(HOST_CAPABILITIES));
        this.hostCollectedAt = Optional.of(now);
        Gpu gpu = plan.gpu(GPU_ID).orElseThrow();
        int gpuVm = gpu.vm().orElse(0);
        for (VirtualMachine vm : plan.vms()) {
            ProxmoxVm.Builder proxmoxVm = ProxmoxVm.newBuilder()
                    .setVmid(vm.vmid())
                    .setName(vm.name())
                    .setStatus("running")
                    .setCores(vm.cores())
                    .setMemoryBytes(vm.memory().bytes())
                    .setSmbiosUuid(vm.smbiosUuid().orElse(""))
                    .setMachine(vm.isKubernetesNode() ? "q35" : "");
            for (int index = 0; index < vm.networks().size(); index++) {
                NetworkAttachment network = vm.networks().get(index);
                VmNetworkDevice.Builder device = VmNetworkDevice.newBuilder().setKey("net" + index).setModel("virtio").setMac(String.format("BC:24:11:00:%02X:%02X", vm.vmid() % 256, index)).setBridge(network.bridge());
                network.vlan().ifPresent(device::setVlan);
                proxmoxVm.addNetworkDevices(device);
            }
            if (vm.vmid() == gpuVm) {
                proxmoxVm.addHostpci(hostPci(gpu));
            }
            vms.put(vm.vmid(), proxmoxVm.build());
            if (vm.isKubernetesNode()) {
                NodeAgent agent = new NodeAgent(vm.name(), vm.smbiosUuid().orElse(""), vm.nodeName().orElseThrow(), now);
                if (vm.vmid() == gpuVm) {
                    agent.gpus = 1;
                    agent.taints.add(policyTaint());
                    agent.labels.put(LABEL_KEY, "true");
                }
                nodes.put(agent.info.getId(), agent);
            }
        }
        NfsExports.Builder exports = NfsExports.newBuilder();
        for (NfsExport export : plan.spec().nfs().exports()) {
            io.rackpilot.proto.v1.NfsExport.Builder reported = io.rackpilot.proto.v1.NfsExport.newBuilder().setPath(export.path());
            for (NfsClient client : export.clients()) {
                reported.addClients(io.rackpilot.proto.v1.NfsClient.newBuilder().setSpec(client.spec()).addAllOptions(client.options()));
            }
            exports.addItems(reported);
        }
        this.nfsExports = Optional.of(exports.build());
        PciDevice.Builder device = PciDevice.newBuilder()
                .setAddress(GPU_ADDRESS)
                .setVendorId("10de")
                .setDeviceId("1eb8")
                .setClassCode("0x030200")
                .setDriver("vfio-pci")
                .setResettable(true)
                .setIommuGroup(40)
                .addMappings(GPU_ID);
        if (gpuVm != 0) {
            device.setVmid(gpuVm).setHostpciSlot(0);
        }
        this.gpuDevice = Optional.of(device.build());
    }

    public static KubernetesTaint policyTaint()
    {
        return KubernetesTaint.newBuilder().setKey(TAINT_KEY).setValue("true").setEffect(TAINT_EFFECT).build();
    }

    public static HostPci hostPci(Gpu gpu)
    {
        return HostPci.newBuilder().setSlot(0).setValue("mapping=" + gpu.mapping() + ",pcie=1").setMapping(gpu.mapping()).addAddresses(gpu.pciAddress()).setPcie(gpu.pcie()).build();
    }

    public HomelabPlan plan()
    {
        return plan;
    }

    public Instant now()
    {
        return now;
    }

    /**
     * Moves the card in Proxmox (the VM configs) and in what NVML reports: the agent in the VM that
     * held it reports no GPU, the one in {@code toVmid} reports it. Taints and labels stay as they were.
     */
    public Homelabs moveCard(int toVmid)
    {
        Optional<Integer> from = holderVmid();
        placeCardInProxmox(toVmid);
        from.flatMap(this::agentOfVm).ifPresent(agent -> nodes.get(agent).gpus = 0);
        agentOfVm(toVmid).ifPresent(agent -> nodes.get(agent).gpus = 1);
        return this;
    }

    /**
     * Moves the card only in the VM configs ({@code 0}: on no VM), as the host-agent reports them.
     */
    public Homelabs placeCardInProxmox(int toVmid)
    {
        Gpu gpu = plan.gpu(GPU_ID).orElseThrow();
        for (Map.Entry<Integer, ProxmoxVm> entry : vms.entrySet()) {
            ProxmoxVm.Builder vm = entry.getValue().toBuilder().clearHostpci();
            if (entry.getKey() == toVmid) {
                vm.addHostpci(hostPci(gpu));
            }
            entry.setValue(vm.build());
        }
        gpuDevice = gpuDevice.map(device -> toVmid == 0 ? device.toBuilder().clearVmid().clearHostpciSlot().build() : device.toBuilder().setVmid(toVmid).setHostpciSlot(0).build());
        return this;
    }

    /**
     * Sets how many GPUs node-agent {@code agentId} reports through NVML.
     */
    public Homelabs gpus(String agentId, int count)
    {
        node(agentId).gpus = count;
        return this;
    }

    public Homelabs nvml(String agentId, NvmlStatus.State state)
    {
        node(agentId).nvml = state;
        return this;
    }

    public Homelabs nvmlError(String agentId)
    {
        return nvml(agentId, NvmlStatus.State.STATE_ERROR);
    }

    /**
     * The agent's inventory has no GPU section at all.
     */
    public Homelabs withoutGpuSection(String agentId)
    {
        node(agentId).reportsGpus = false;
        return this;
    }

    /**
     * The agent's last report was collected {@code age} before now.
     */
    public Homelabs reportAge(String agentId, Duration age)
    {
        if (agentId.equals(HOST)) {
            hostCollectedAt = Optional.of(now.minus(age));
        }
        else {
            node(agentId).collectedAt = Optional.of(now.minus(age));
        }
        return this;
    }

    public Homelabs withoutCollectedAt(String agentId)
    {
        node(agentId).collectedAt = Optional.empty();
        return this;
    }

    /**
     * The agent is known to the registry but has sent no inventory.
     */
    public Homelabs withoutReport(String agentId)
    {
        node(agentId).reported = false;
        return this;
    }

    public Homelabs lost(String agentId)
    {
        if (agentId.equals(HOST)) {
            host.orElseThrow().setState(AgentState.AGENT_STATE_LOST);
        }
        else {
            node(agentId).info.setState(AgentState.AGENT_STATE_LOST);
        }
        return this;
    }

    /**
     * The agent is not known at all.
     */
    public Homelabs dropAgent(String agentId)
    {
        if (agentId.equals(HOST)) {
            host = Optional.empty();
        }
        else {
            requireNonNull(nodes.remove(agentId), () -> "no node-agent " + agentId);
        }
        return this;
    }

    public Homelabs kubernetesState(String agentId, KubernetesNodeInfo.State state)
    {
        node(agentId).kubernetesState = state;
        return this;
    }

    public Homelabs nodeName(String agentId, String nodeName)
    {
        node(agentId).nodeName = nodeName;
        return this;
    }

    public Homelabs taints(String agentId, List<KubernetesTaint> taints)
    {
        NodeAgent agent = node(agentId);
        agent.taints.clear();
        agent.taints.addAll(taints);
        return this;
    }

    public Homelabs labels(String agentId, Map<String, String> labels)
    {
        NodeAgent agent = node(agentId);
        agent.labels.clear();
        agent.labels.putAll(labels);
        return this;
    }

    public Homelabs hostCapabilities(List<String> capabilities)
    {
        host.orElseThrow().clearCapabilities().addAllCapabilities(capabilities);
        return this;
    }

    /**
     * The host-agent reports no Proxmox section (its API never answered).
     */
    public Homelabs withoutProxmox()
    {
        hostReportsProxmox = false;
        return this;
    }

    /**
     * The host-agent could not read the Proxmox API since {@code since}: its section names the node
     * and the error, and has no VMs (as the host-agent's collector reports it).
     */
    public Homelabs proxmoxUnreadable(String error, Instant since)
    {
        proxmoxError = Optional.of(ProxmoxInfo.newBuilder().setNode(HOST).setError(error).setErrorSince(Timestamps.of(since)).build());
        return this;
    }

    public Homelabs vm(int vmid, java.util.function.UnaryOperator<ProxmoxVm.Builder> change)
    {
        ProxmoxVm vm = requireNonNull(vms.get(vmid), () -> "no VM " + vmid);
        vms.put(vmid, change.apply(vm.toBuilder()).build());
        return this;
    }

    public Homelabs status(int vmid, String status)
    {
        return vm(vmid, vm -> vm.setStatus(status));
    }

    public Homelabs cores(int vmid, int cores)
    {
        return vm(vmid, vm -> vm.setCores(cores));
    }

    public Homelabs memoryBytes(int vmid, long bytes)
    {
        return vm(vmid, vm -> vm.setMemoryBytes(bytes));
    }

    public Homelabs machine(int vmid, String machine)
    {
        return vm(vmid, vm -> vm.setMachine(machine));
    }

    public Homelabs removeVm(int vmid)
    {
        requireNonNull(vms.remove(vmid), () -> "no VM " + vmid);
        return this;
    }

    public Homelabs addVm(ProxmoxVm vm)
    {
        vms.put(vm.getVmid(), vm);
        return this;
    }

    public Homelabs nfsExports(Optional<NfsExports> exports)
    {
        this.nfsExports = requireNonNull(exports, "exports is null");
        return this;
    }

    public Homelabs gpuDevice(Optional<PciDevice> device)
    {
        this.gpuDevice = requireNonNull(device, "device is null");
        return this;
    }

    public Homelabs iommuPeers(String... peers)
    {
        gpuDevice = gpuDevice.map(device -> device.toBuilder().clearIommuGroupPeers().addAllIommuGroupPeers(List.of(peers)).build());
        return this;
    }

    public Homelabs move(GpuMove move)
    {
        moves.add(move);
        return this;
    }

    public Homelabs settled(String gpuId, int vmid)
    {
        settled.put(gpuId, vmid);
        return this;
    }

    public Optional<Integer> holderVmid()
    {
        return vms.values().stream().filter(vm -> vm.getHostpciCount() > 0).map(ProxmoxVm::getVmid).findFirst();
    }

    private Optional<String> agentOfVm(int vmid)
    {
        return plan.vm(vmid).filter(VirtualMachine::isKubernetesNode).map(VirtualMachine::name).filter(nodes::containsKey);
    }

    private NodeAgent node(String agentId)
    {
        return requireNonNull(nodes.get(agentId), () -> "no node-agent " + agentId);
    }

    public ObservedHomelab build()
    {
        List<ObservedAgent> agents = new ArrayList<>();
        host.ifPresent(info -> {
            Inventory.Builder inventory = Inventory.newBuilder().setSystem(SystemInfo.newBuilder().setManufacturer("Dell Inc.").setModel("PowerEdge R730").setHostname(HOST));
            if (hostReportsProxmox) {
                inventory.setProxmox(proxmoxError.orElseGet(() -> ProxmoxInfo.newBuilder().setNode(HOST).addAllVms(vms.values()).build()));
            }
            PciDevices.Builder devices = PciDevices.newBuilder();
            gpuDevice.ifPresent(devices::addItems);
            inventory.setPciDevices(devices);
            nfsExports.ifPresent(inventory::setNfsExports);
            agents.add(new ObservedAgent(info.build(), Optional.of(report(info.getId(), hostCollectedAt, inventory.build()))));
        });
        for (NodeAgent agent : nodes.values()) {
            if (!agent.reported) {
                agents.add(new ObservedAgent(agent.info.build(), Optional.empty()));
                continue;
            }
            Inventory.Builder inventory = Inventory.newBuilder().setSystem(SystemInfo.newBuilder().setUuid(agent.systemUuid).setUuidSource("dmi").setHostname(agent.info.getId()));
            if (agent.reportsGpus) {
                Gpus.Builder gpus = Gpus.newBuilder().setNvml(NvmlStatus.newBuilder().setState(agent.nvml));
                boolean answered = agent.nvml == NvmlStatus.State.STATE_AVAILABLE || agent.nvml == NvmlStatus.State.STATE_SIMULATED;
                for (int index = 0; answered && index < agent.gpus; index++) {
                    gpus.addItems(io.rackpilot.proto.v1.Gpu.newBuilder()
                            .setUuid(index == 0 ? GPU_UUID : GPU_UUID.substring(0, GPU_UUID.length() - 2) + String.format("%02x", index))
                            .setIndex(index)
                            .setName("Tesla T4")
                            .setPciBusId(String.format("00000000:%02X:00.0", index + 1))
                            .setPciDeviceId(0x1EB810DE)
                            .setHealth(GpuHealth.GPU_HEALTH_HEALTHY));
                }
                inventory.setGpus(gpus);
            }
            KubernetesNodeInfo.Builder kubernetes = KubernetesNodeInfo.newBuilder().setState(agent.kubernetesState);
            if (agent.kubernetesState == KubernetesNodeInfo.State.STATE_FOUND) {
                kubernetes.setNodeName(agent.nodeName)
                        .setFoundBy(KubernetesNodeInfo.FoundBy.FOUND_BY_SYSTEM_UUID)
                        .addAllTaints(agent.taints)
                        .putAllLabels(agent.labels)
                        .setGpuResource("nvidia.com/gpu")
                        .setGpuCapacity(agent.gpus)
                        .setGpuAllocatable(agent.gpus);
            }
            inventory.setKubernetes(kubernetes);
            agents.add(new ObservedAgent(agent.info.build(), Optional.of(report(agent.info.getId(), agent.collectedAt, inventory.build()))));
        }
        return new ObservedHomelab(agents, moves, settled);
    }

    private static AgentInventory report(String agentId, Optional<Instant> collectedAt, Inventory inventory)
    {
        AgentInventory.Builder report = AgentInventory.newBuilder().setAgentId(agentId).setInventory(inventory);
        collectedAt.ifPresent(instant -> report.setCollectedAt(Timestamps.of(instant)));
        return report.build();
    }
}
