package io.rackpilot.coordinator.reconcile;

import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.GpuNodePolicy;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.NetworkAttachment;
import io.rackpilot.plan.NfsClient;
import io.rackpilot.plan.NfsExport;
import io.rackpilot.plan.Taint;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.DriftItem;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.KubernetesLabelAction;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.KubernetesTaint;
import io.rackpilot.proto.v1.KubernetesTaintAction;
import io.rackpilot.proto.v1.KubernetesUnlabelAction;
import io.rackpilot.proto.v1.KubernetesUntaintAction;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.NfsExportsApplyAction;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.VmNetworkDevice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The pure core of reconciliation, after Nomad's reconciler: from the plan, what the agents report
 * and the time, it computes every difference and the typed actions that close the enforced ones.
 * No I/O, no clock, no state: the same inputs always give the same answer.
 *
 * <ul>
 * <li>GPU node policy (Follow): a node whose node-agent positively reports a GPU (NVML answered
 * with one or more) gets the policy's taints and labels; a node that positively reports none loses
 * them. A lost agent, a stale report, or NVML in error changes nothing.</li>
 * <li>NFS: the host exports what the plan says, with at least the planned options, and rackpilot's
 * own managed exports file holds exactly the plan's exports (an export removed from the plan is
 * removed there); exports of /etc/exports and other files are only reported. An apply the agent
 * refused or failed is not tried again before its retry time unless the plan changes, and the
 * drift says why.</li>
 * <li>GPU assignment: when the plan's assignment changed, a GPU not on its planned VM is moved
 * there, unless a move of it is running, or the last move to that VM for this plan revision failed
 * (it is not retried on its own). A GPU moved by hand while the plan still says what it said when
 * the card was last in place is reported, not moved back.</li>
 * <li>VM power, cores, memory, networks, missing VMs and agents: reported only.</li>
 * </ul>
 *
 * <p>What cannot be observed is not compared: VMs the host-agent cannot read from the Proxmox API
 * (its report says so, with the error and since when) are listed as unknown, never as missing VMs,
 * a GPU on no VM, or a card moved by hand, and no action comes from them.
 */
public final class Reconciler
{
    public static final String NFS_APPLY = "nfs.exports.apply";
    public static final String PCI_DRIVER_BIND = "pci.driver.bind";

    private final Map<ReconcileMode.Group, ReconcileMode> modes;
    private final Duration staleAfter;

    /**
     * @param modes enforce or observe per group (see {@link ReconcileMode#parse})
     * @param staleAfter a GPU report older than this is not trusted to change taints
     */
    public Reconciler(Map<ReconcileMode.Group, ReconcileMode> modes, Duration staleAfter)
    {
        this.modes = Map.copyOf(requireNonNull(modes, "modes is null"));
        this.staleAfter = requireNonNull(staleAfter, "staleAfter is null");
    }

    public Reconciliation compute(HomelabPlan plan, long planRevision, ObservedHomelab observed, Instant now)
    {
        return compute(plan, planRevision, observed, now, Map.of());
    }

    /**
     * @param failures by action key ({@link ReconcileAction#key()}): how the last command for that
     *        action ended when it did not succeed; such an action is not issued again before its
     *        retry time, and its drift says why (NFS exports)
     */
    public Reconciliation compute(HomelabPlan plan, long planRevision, ObservedHomelab observed, Instant now, Map<String, ActionFailure> failures)
    {
        requireNonNull(plan, "plan is null");
        requireNonNull(observed, "observed is null");
        requireNonNull(now, "now is null");
        requireNonNull(failures, "failures is null");
        Result result = new Result();
        agents(plan, observed, result);
        virtualMachines(plan, observed, result);
        nfs(plan, observed, now, failures, result);
        gpuDrivers(plan, observed, result);
        gpuAssignments(plan, planRevision, observed, result);
        gpuNodePolicy(plan, observed, now, result);
        return new Reconciliation(result.drift, result.unknown, result.actions);
    }

    private boolean enforced(DriftKind kind)
    {
        return modes.getOrDefault(kind.group(), ReconcileMode.OBSERVE) == ReconcileMode.ENFORCE;
    }

    private void agents(HomelabPlan plan, ObservedHomelab observed, Result result)
    {
        String hostName = plan.spec().host().name();
        Optional<ObservedAgent> host = observed.hostAgent(hostName);
        if (host.isEmpty()) {
            result.drift(DriftKind.AGENT_MISSING, hostName, "a host-agent on Proxmox node " + hostName, "none has connected", false, "");
        }
        else if (!host.get().connected()) {
            result.drift(DriftKind.AGENT_MISSING, hostName, "host-agent " + host.get().id() + " connected", "lost", false, "its last report is used where nothing newer is known");
        }
        for (VirtualMachine vm : plan.kubernetesVms()) {
            Optional<ObservedAgent> agent = observed.nodeAgentOf(vm, observed.proxmoxVm(hostName, vm.vmid()));
            String subject = vmSubject(vm);
            if (agent.isEmpty()) {
                result.drift(DriftKind.AGENT_MISSING, subject, "a node-agent", "no node-agent reports this VM (by Kubernetes node, SMBIOS UUID or name)", false, "");
            }
            else if (!agent.get().connected()) {
                result.drift(DriftKind.AGENT_MISSING, subject, "node-agent " + agent.get().id() + " connected", "lost", false, "");
            }
        }
    }

    private void virtualMachines(HomelabPlan plan, ObservedHomelab observed, Result result)
    {
        String hostName = plan.spec().host().name();
        Optional<List<ProxmoxVm>> vms = observed.proxmoxVms(hostName);
        if (vms.isEmpty()) {
            result.unknown.add("VMs: " + observed.proxmoxUnreadable(hostName).orElse("no host-agent reports Proxmox node " + hostName));
            return;
        }
        for (VirtualMachine vm : plan.vms()) {
            Optional<ProxmoxVm> found = vms.get().stream().filter(candidate -> candidate.getVmid() == vm.vmid()).findFirst();
            String subject = vmSubject(vm);
            if (found.isEmpty()) {
                result.drift(DriftKind.VM_MISSING, subject, "VM " + vm.vmid() + " on " + hostName, "no such VM", false, "");
                continue;
            }
            ProxmoxVm actual = found.get();
            if (!actual.getStatus().equals("running")) {
                result.drift(DriftKind.VM_POWER, subject, "running", actual.getStatus().isEmpty() ? "unknown" : actual.getStatus(), false, moveNote(observed, vm.vmid()));
            }
            if (actual.getCores() != vm.cores()) {
                result.drift(DriftKind.VM_CORES, subject, Integer.toString(vm.cores()), Integer.toString(actual.getCores()), false, "");
            }
            if (actual.getMemoryBytes() != vm.memory().bytes()) {
                result.drift(DriftKind.VM_MEMORY, subject, vm.memory().toString(), mebibytes(actual.getMemoryBytes()), false, "");
            }
            String expectedNetworks = vm.networks().stream().map(NetworkAttachment::toString).collect(Collectors.joining(" "));
            String actualNetworks = actual.getNetworkDevicesList().stream()
                    .sorted(Comparator.comparing((VmNetworkDevice device) -> device.getKey().length()).thenComparing(VmNetworkDevice::getKey))
                    .map(device -> device.getBridge() + (device.hasVlan() ? ":vlan" + device.getVlan() : ""))
                    .collect(Collectors.joining(" "));
            if (!expectedNetworks.equals(actualNetworks)) {
                result.drift(DriftKind.VM_NETWORK, subject, expectedNetworks.isEmpty() ? "none" : expectedNetworks, actualNetworks.isEmpty() ? "none" : actualNetworks, false, "");
            }
        }
    }

    private static String moveNote(ObservedHomelab observed, int vmid)
    {
        return observed.moves().stream()
                .filter(ObservedHomelab::isActive)
                .filter(move -> move.getFromVmid() == vmid || move.getToVmid() == vmid)
                .findFirst()
                .map(move -> "GPU " + move.getGpuId() + " is being moved (move " + move.getId() + ")")
                .orElse("");
    }

    private void nfs(HomelabPlan plan, ObservedHomelab observed, Instant now, Map<String, ActionFailure> failures, Result result)
    {
        String hostName = plan.spec().host().name();
        Optional<ObservedAgent> host = observed.hostAgent(hostName);
        if (host.isEmpty() || !host.get().inventory().hasNfsExports()) {
            if (!plan.spec().nfs().exports().isEmpty()) {
                result.unknown.add("NFS exports: " + host.map(agent -> agent.id() + " does not report them (NFS is off in its config)").orElse("no host-agent reports them"));
            }
            return;
        }
        io.rackpilot.proto.v1.NfsExports reported = host.get().inventory().getNfsExports();
        if (!reported.getError().isEmpty()) {
            result.unknown.add("NFS exports: " + host.get().id() + " cannot read them: " + reported.getError());
            return;
        }
        Map<String, io.rackpilot.proto.v1.NfsExport> inForce = new LinkedHashMap<>();
        reported.getItemsList().forEach(export -> inForce.put(export.getPath(), export));
        // rackpilot's own exports file is made exactly the plan's exports; other files are only reported
        Set<String> managed = new LinkedHashSet<>(reported.getManagedPathsList());
        String managedFile = reported.getManagedFile().isEmpty() ? "rackpilot's managed exports file" : reported.getManagedFile();
        boolean needsApply = false;
        List<DriftItem> items = new ArrayList<>();
        for (NfsExport planned : plan.spec().nfs().exports()) {
            io.rackpilot.proto.v1.NfsExport actual = inForce.get(planned.path());
            String expected = planned.exportsLine();
            if (actual == null) {
                items.add(item(DriftKind.NFS_EXPORT, planned.path(), expected, "not exported"));
                needsApply = true;
                continue;
            }
            for (NfsClient client : planned.clients()) {
                Optional<io.rackpilot.proto.v1.NfsClient> actualClient = actual.getClientsList().stream().filter(candidate -> candidate.getSpec().equals(client.spec())).findFirst();
                if (actualClient.isEmpty() || !actualClient.get().getOptionsList().containsAll(client.options())) {
                    items.add(item(DriftKind.NFS_EXPORT, planned.path(), expected, describe(actual)));
                    needsApply = true;
                    break;
                }
            }
        }
        Set<String> plannedPaths = plan.spec().nfs().exports().stream().map(NfsExport::path).collect(Collectors.toSet());
        for (io.rackpilot.proto.v1.NfsExport actual : inForce.values()) {
            if (plannedPaths.contains(actual.getPath())) {
                continue;
            }
            if (managed.contains(actual.getPath())) {
                items.add(item(DriftKind.NFS_EXPORT, actual.getPath(), "not exported", describe(actual)));
                needsApply = true;
            }
            else {
                result.drift.add(item(DriftKind.NFS_EXPORT, actual.getPath(), "not exported", describe(actual)).toBuilder()
                        .setDetail("not in the plan, and not from " + managedFile + " but from /etc/exports or another exports file, which rackpilot never changes: remove it there if it should go")
                        .build());
            }
        }
        for (String path : managed) {
            if (!plannedPaths.contains(path) && !inForce.containsKey(path)) {
                items.add(item(DriftKind.NFS_EXPORT, path, "not exported", "in " + managedFile + " (not in force)"));
                needsApply = true;
            }
        }
        boolean enforce = enforced(DriftKind.NFS_EXPORT);
        Optional<ReconcileAction.AgentCommand> apply = Optional.empty();
        if (needsApply) {
            NfsExportsApplyAction.Builder exports = NfsExportsApplyAction.newBuilder();
            for (NfsExport planned : plan.spec().nfs().exports()) {
                io.rackpilot.proto.v1.NfsExport.Builder export = io.rackpilot.proto.v1.NfsExport.newBuilder().setPath(planned.path());
                for (NfsClient client : planned.clients()) {
                    export.addClients(io.rackpilot.proto.v1.NfsClient.newBuilder().setSpec(client.spec()).addAllOptions(client.options()));
                }
                exports.addExports(export);
            }
            apply = Optional.of(new ReconcileAction.AgentCommand(DriftKind.NFS_EXPORT, host.get().id(), Action.newBuilder().setNfsExportsApply(exports).build()));
        }
        Optional<ActionFailure> failure = apply.map(command -> failures.get(command.key())).filter(found -> now.isBefore(found.retryAt()));
        String detail;
        if (!enforce) {
            detail = "reconcile.mode nfs-export is observe";
        }
        else if (!host.get().carriesOut(NFS_APPLY)) {
            detail = host.get().id() + " does not carry out " + NFS_APPLY + " (nfs is off in its config)";
        }
        else if (!host.get().connected()) {
            detail = host.get().id() + " is lost: its last report is shown, and nothing is applied until it is back";
        }
        else if (failure.isPresent()) {
            detail = failure.get().describe();
        }
        else {
            detail = "applying the plan's exports on " + host.get().id();
        }
        boolean refused = enforce && failure.isPresent();
        for (DriftItem item : items) {
            result.drift.add(item.toBuilder().setEnforced(enforce).setDetail(detail).setRefused(refused).build());
        }
        if (apply.isPresent() && enforce && host.get().carriesOut(NFS_APPLY) && host.get().connected() && failure.isEmpty()) {
            result.actions.add(apply.get());
        }
    }

    private static String describe(io.rackpilot.proto.v1.NfsExport export)
    {
        return export.getPath() + " " + export.getClientsList().stream()
                .map(client -> client.getSpec() + "(" + String.join(",", client.getOptionsList()) + ")")
                .collect(Collectors.joining(" "));
    }

    private void gpuAssignments(HomelabPlan plan, long planRevision, ObservedHomelab observed, Result result)
    {
        for (Gpu gpu : plan.spec().gpus()) {
            Optional<Optional<ProxmoxVm>> holder = observed.gpuHolder(gpu);
            if (holder.isEmpty()) {
                result.unknown.add("GPU " + gpu.id() + ": " + observed.proxmoxUnreadable(gpu.host()).map(reason -> "which VM holds it is not known: " + reason)
                        .orElse("no host-agent reports the VMs of " + gpu.host()));
                continue;
            }
            Optional<Integer> actualVmid = holder.get().map(ProxmoxVm::getVmid);
            Optional<Integer> plannedVmid = gpu.vm().isPresent() ? Optional.of(gpu.vm().getAsInt()) : Optional.empty();
            if (actualVmid.equals(plannedVmid)) {
                continue;
            }
            String expected = plannedVmid.map(vmid -> vmDescription(plan, vmid)).orElse("no VM");
            String actual = actualVmid.map(vmid -> vmDescription(plan, vmid)).orElse("no VM");
            boolean enforce = enforced(DriftKind.GPU_ASSIGNMENT);
            Optional<GpuMove> active = observed.activeMove(gpu.id());
            Optional<GpuMove> last = observed.lastMove(gpu.id());
            String detail;
            boolean act = false;
            if (active.isPresent()) {
                detail = "moving to VM " + active.get().getToVmid() + " (move " + active.get().getId() + ")";
            }
            else if (!enforce) {
                detail = "reconcile.mode gpu-assignment is observe: run rackctl gpu move " + gpu.id() + " --to " + plannedVmid.map(String::valueOf).orElse("VM");
            }
            else if (plannedVmid.isEmpty()) {
                detail = "the plan gives it to no VM; rackpilot does not take a GPU away on its own: move it with rackctl gpu move";
            }
            else if (observed.gpuConditions().containsKey(gpu.id())) {
                detail = "the card " + observed.gpuConditions().get(gpu.id()).getState() + " (" + observed.gpuConditions().get(gpu.id()).getReason()
                        + "): nothing moves it until the host has rebooted";
            }
            else if (plannedVmid.isPresent() && observed.settledPlacements().getOrDefault(gpu.id(), -1).equals(plannedVmid.get())) {
                detail = "moved by hand: the plan still puts it on VM " + plannedVmid.get() + ", as when it was last in place, so rackpilot does not move it back on its own "
                        + "(Follow keeps the taints true); run rackctl gpu move " + gpu.id() + " --to " + plannedVmid.get() + " to put it back, or apply a plan that says where it is";
            }
            else if (last.isPresent() && failed(last.get()) && last.get().getToVmid() == plannedVmid.get() && last.get().getPlanRevision() == planRevision) {
                detail = "the last move to VM " + plannedVmid.get() + " failed (" + last.get().getMessage() + "); it is not retried on its own: run rackctl gpu move " + gpu.id() + " --to " + plannedVmid.get();
            }
            else {
                detail = "moving it to VM " + plannedVmid.get();
                act = true;
            }
            result.drift(DriftKind.GPU_ASSIGNMENT, gpu.id(), expected, actual, enforce, detail);
            if (act) {
                result.actions.add(new ReconcileAction.StartGpuMove(gpu.id(), plannedVmid.get(), planRevision));
            }
        }
    }

    /**
     * Each planned card's functions (the GPU and, say, its HD audio function at .1) must be bound to
     * the plan's driver on the host; one the host's nvidia or nouveau driver took is rebound with
     * pci.driver.bind when no host process holds it, else the holders are named.
     */
    private void gpuDrivers(HomelabPlan plan, ObservedHomelab observed, Result result)
    {
        for (Gpu gpu : plan.spec().gpus()) {
            Optional<ObservedAgent> host = observed.hostAgent(gpu.host());
            Optional<io.rackpilot.proto.v1.PciDevice> device = observed.pciDevice(gpu.host(), gpu.pciAddress());
            if (host.isEmpty() || device.isEmpty()) {
                continue;
            }
            String slot = slotOf(gpu.pciAddress());
            List<io.rackpilot.proto.v1.PciDevice> functions = host.get().inventory().getPciDevices().getItemsList().stream()
                    .filter(candidate -> slotOf(candidate.getAddress()).equals(slot))
                    .sorted(Comparator.comparing(io.rackpilot.proto.v1.PciDevice::getAddress))
                    .toList();
            boolean enforce = enforced(DriftKind.GPU_DRIVER);
            for (io.rackpilot.proto.v1.PciDevice function : functions) {
                if (function.getDriver().equals(gpu.driver())) {
                    continue;
                }
                String subject = gpu.id() + " " + function.getAddress();
                String actual = function.getDriver().isEmpty() ? "no driver" : function.getDriver();
                String detail;
                boolean act = false;
                if (!function.getHoldersList().isEmpty()) {
                    detail = "held on the host by " + String.join(", ", function.getHoldersList()) + ": stop that, then it is rebound";
                }
                else if (!enforce) {
                    detail = "reconcile.mode gpu-driver is observe";
                }
                else if (!host.get().connected()) {
                    detail = host.get().id() + " is lost";
                }
                else if (!host.get().carriesOut(PCI_DRIVER_BIND)) {
                    detail = host.get().id() + " does not carry out " + PCI_DRIVER_BIND;
                }
                else {
                    detail = "binding it to " + gpu.driver();
                    act = true;
                }
                result.drift(DriftKind.GPU_DRIVER, subject, gpu.driver(), actual, enforce, detail);
                if (act) {
                    result.actions.add(new ReconcileAction.AgentCommand(DriftKind.GPU_DRIVER, host.get().id(), Action.newBuilder()
                            .setPciDriverBind(io.rackpilot.proto.v1.PciDriverBindAction.newBuilder().setAddress(function.getAddress()).setDriver(gpu.driver()))
                            .build()));
                }
            }
        }
    }

    static String slotOf(String address)
    {
        int dot = address.lastIndexOf('.');
        return dot < 0 ? address : address.substring(0, dot);
    }

    private static boolean failed(GpuMove move)
    {
        return move.getState() == MoveState.MOVE_STATE_FAILED || move.getState() == MoveState.MOVE_STATE_ROLLED_BACK;
    }

    private void gpuNodePolicy(HomelabPlan plan, ObservedHomelab observed, Instant now, Result result)
    {
        GpuNodePolicy policy = plan.spec().gpuNodePolicy();
        if (policy.taints().isEmpty() && policy.labels().isEmpty()) {
            return;
        }
        boolean enforce = enforced(DriftKind.GPU_NODE_TAINT);
        Set<String> seenNodes = new HashSet<>();
        List<ObservedAgent> nodes = observed.agents().stream().filter(ObservedAgent::isNode).sorted(Comparator.comparing(ObservedAgent::id)).toList();
        for (ObservedAgent agent : nodes) {
            Optional<KubernetesNodeInfo> node = agent.kubernetesNode();
            if (node.isEmpty()) {
                continue;
            }
            // Only a positive, fresh report from a connected agent changes anything; a lost agent
            // that claims the same Node (an old registry entry) does not hide the one that reports.
            Optional<List<io.rackpilot.proto.v1.Gpu>> gpus = agent.gpuReport();
            boolean fresh = agent.collectedAt().map(collected -> !collected.plus(staleAfter).isBefore(now)).orElse(false);
            if (!agent.connected() || gpus.isEmpty() || !fresh || !seenNodes.add(node.get().getNodeName())) {
                continue;
            }
            boolean hasGpu = !gpus.get().isEmpty();
            String nodeName = node.get().getNodeName();
            String why = hasGpu ? agent.id() + " reports " + gpus.get().size() + " GPU(s) through NVML" : agent.id() + " reports no GPU";
            for (Taint taint : policy.taints()) {
                String effect = taint.effect().kubernetesName();
                boolean exact = node.get().getTaintsList().stream().anyMatch(actual -> actual.getKey().equals(taint.key()) && actual.getEffect().equals(effect) && actual.getValue().equals(taint.value()));
                boolean any = node.get().getTaintsList().stream().anyMatch(actual -> actual.getKey().equals(taint.key()) && actual.getEffect().equals(effect));
                if (hasGpu && !exact) {
                    String actualText = node.get().getTaintsList().stream().filter(actual -> actual.getKey().equals(taint.key()) && actual.getEffect().equals(effect))
                            .map(Reconciler::taintText).findFirst().orElse("absent");
                    result.drift(DriftKind.GPU_NODE_TAINT, nodeName, taint.toString(), actualText, enforce, why);
                    if (enforce) {
                        result.actions.add(new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, agent.id(), Action.newBuilder()
                                .setKubernetesNodeTaint(KubernetesTaintAction.newBuilder().setKey(taint.key()).setValue(taint.value()).setEffect(effect))
                                .build()));
                    }
                }
                else if (!hasGpu && any) {
                    String actualText = node.get().getTaintsList().stream().filter(actual -> actual.getKey().equals(taint.key()) && actual.getEffect().equals(effect))
                            .map(Reconciler::taintText).findFirst().orElseThrow();
                    result.drift(DriftKind.GPU_NODE_TAINT, nodeName, "no " + taint.key() + ":" + effect + " taint", actualText, enforce, why);
                    if (enforce) {
                        result.actions.add(new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, agent.id(), Action.newBuilder()
                                .setKubernetesNodeUntaint(KubernetesUntaintAction.newBuilder().setKey(taint.key()).setEffect(effect))
                                .build()));
                    }
                }
            }
            for (Map.Entry<String, String> label : policy.labels().entrySet()) {
                Optional<String> actual = Optional.ofNullable(node.get().getLabelsMap().get(label.getKey()));
                if (hasGpu && !actual.equals(Optional.of(label.getValue()))) {
                    result.drift(DriftKind.GPU_NODE_LABEL, nodeName, label.getKey() + "=" + label.getValue(), actual.map(value -> label.getKey() + "=" + value).orElse("absent"), enforce, why);
                    if (enforce) {
                        result.actions.add(new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, agent.id(), Action.newBuilder()
                                .setKubernetesNodeLabel(KubernetesLabelAction.newBuilder().setKey(label.getKey()).setValue(label.getValue()))
                                .build()));
                    }
                }
                else if (!hasGpu && actual.isPresent()) {
                    result.drift(DriftKind.GPU_NODE_LABEL, nodeName, "no " + label.getKey() + " label", label.getKey() + "=" + actual.get(), enforce, why);
                    if (enforce) {
                        result.actions.add(new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, agent.id(), Action.newBuilder()
                                .setKubernetesNodeUnlabel(KubernetesUnlabelAction.newBuilder().setKey(label.getKey()))
                                .build()));
                    }
                }
            }
        }
    }

    private static String taintText(KubernetesTaint taint)
    {
        return taint.getKey() + (taint.getValue().isEmpty() ? "" : "=" + taint.getValue()) + ":" + taint.getEffect();
    }

    private static String vmSubject(VirtualMachine vm)
    {
        return "vm " + vm.vmid() + " (" + vm.name() + ")";
    }

    private static String vmDescription(HomelabPlan plan, int vmid)
    {
        return plan.vm(vmid).map(vm -> "VM " + vmid + " (" + vm.name() + ")").orElse("VM " + vmid);
    }

    private static String mebibytes(long bytes)
    {
        if (bytes % (1024L * 1024 * 1024) == 0) {
            return bytes / (1024L * 1024 * 1024) + "GiB";
        }
        return bytes / (1024 * 1024) + "MiB";
    }

    private static DriftItem item(DriftKind kind, String subject, String expected, String actual)
    {
        return DriftItem.newBuilder().setKind(kind.label()).setSubject(subject).setExpected(expected).setActual(actual).build();
    }

    private static final class Result
    {
        final List<DriftItem> drift = new ArrayList<>();
        final List<String> unknown = new ArrayList<>();
        final List<ReconcileAction> actions = new ArrayList<>();

        void drift(DriftKind kind, String subject, String expected, String actual, boolean enforced, String detail)
        {
            drift.add(item(kind, subject, expected, actual).toBuilder().setEnforced(enforced).setDetail(detail).build());
        }
    }
}
