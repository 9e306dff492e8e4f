package io.rackpilot.coordinator.relocation;

import com.google.protobuf.Duration;
import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.KubernetesCordonAction;
import io.rackpilot.proto.v1.KubernetesDrainAction;
import io.rackpilot.proto.v1.KubernetesUncordonAction;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciPassthroughAttachAction;
import io.rackpilot.proto.v1.PciPassthroughDetachAction;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.StepState;
import io.rackpilot.proto.v1.VmRebootAction;
import io.rackpilot.proto.v1.VmShutdownAction;
import io.rackpilot.proto.v1.VmStartAction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Plans a GPU move, purely: resolves the GPU and the target VM, runs the preflight checks on what
 * the agents report, and lays out the steps, each with the agent and typed action it will run.
 * Also lays out the steps that undo a failed move. No I/O: {@link MoveRunner} carries the steps out.
 *
 * <p>The order makes Proxmox' "already in use" impossible: the old VM is shut down and the card
 * detached from it before it is attached to the new VM, and only one VM's config holds it at a time.
 */
public final class MovePlanner
{
    public static final String PREFLIGHT = "preflight";
    public static final String CORDON_OLD = "cordon-old";
    public static final String DRAIN_OLD = "drain-old";
    public static final String SHUTDOWN_OLD = "shutdown-old";
    public static final String DETACH_OLD = "detach-old";
    public static final String ATTACH_NEW = "attach-new";
    public static final String RESTART_NEW = "restart-new";
    public static final String START_NEW = "start-new";
    public static final String START_OLD = "start-old";
    public static final String WAIT_GPU = "wait-gpu";
    public static final String WAIT_TAINTS = "wait-taints";
    public static final String UNCORDON_OLD = "uncordon-old";
    public static final String STOP_NEW = "stop-new";
    public static final String DETACH_NEW = "detach-new";
    public static final String ATTACH_OLD = "attach-old";

    private static final String DEFAULT_GPU_RESOURCE = "nvidia.com/gpu";

    public static final String RESTART_PLUGINS_NEW = "restart-plugins-new";
    public static final String RESTART_PLUGINS_OLD = "restart-plugins-old";
    public static final String CLEAR_STALE_OLD = "clear-stale-old";
    public static final String WAIT_ALLOCATABLE = "wait-allocatable";
    public static final String RESTART_PODS = "k8s.node.restart-pods";
    public static final String CLEAR_RESOURCE = "k8s.node.clear-resource";

    /**
     * The NVIDIA device plugin and GPU feature discovery pods, as NVIDIA's Helm charts, the GPU
     * Operator and the device plugin's static manifest label them.
     */
    public static final List<String> DEFAULT_PLUGIN_POD_SELECTORS = List.of(
            "app.kubernetes.io/name=nvidia-device-plugin",
            "app=nvidia-device-plugin-daemonset",
            "name=nvidia-device-plugin-ds",
            "app.kubernetes.io/name=gpu-feature-discovery",
            "app=gpu-feature-discovery");

    private final RelocationTimeouts timeouts;
    private final List<String> pluginPodSelectors;

    public MovePlanner(RelocationTimeouts timeouts)
    {
        this(timeouts, DEFAULT_PLUGIN_POD_SELECTORS);
    }

    /**
     * @param pluginPodSelectors label selectors of the pods restarted on both nodes after a move (the
     *        device plugin and feature discovery), so the new node advertises the card
     */
    public MovePlanner(RelocationTimeouts timeouts, List<String> pluginPodSelectors)
    {
        this.timeouts = requireNonNull(timeouts, "timeouts is null");
        this.pluginPodSelectors = List.copyOf(requireNonNull(pluginPodSelectors, "pluginPodSelectors is null"));
    }

    /**
     * The GPU the plan names {@code device}: its id, or its host PCI address ({@code 06:00.0} or
     * {@code 0000:06:00.0}).
     */
    public static Gpu resolveGpu(HomelabPlan plan, String device)
    {
        String wanted = device.trim().toLowerCase(Locale.ROOT);
        for (Gpu gpu : plan.spec().gpus()) {
            if (gpu.id().equals(device.trim()) || gpu.pciAddress().equals(wanted) || gpu.pciAddress().equals("0000:" + wanted)) {
                return gpu;
            }
        }
        throw new MoveRefusedException(MoveRefusedException.Reason.NOT_FOUND, "no GPU '" + device + "' in the plan (GPUs: "
                + plan.spec().gpus().stream().map(gpu -> gpu.id() + " at " + gpu.pciAddress()).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The plan's VM that {@code target} names: a vmid, a VM name or a Kubernetes node name.
     */
    public static VirtualMachine resolveVm(HomelabPlan plan, String target)
    {
        String wanted = target.trim();
        Optional<VirtualMachine> found = Optional.empty();
        if (!wanted.isEmpty() && wanted.chars().allMatch(Character::isDigit) && wanted.length() < 10) {
            found = plan.vm(Integer.parseInt(wanted));
        }
        if (found.isEmpty()) {
            found = plan.vmNamed(wanted).or(() -> plan.kubernetesNode(wanted));
        }
        return found.orElseThrow(() -> new MoveRefusedException(MoveRefusedException.Reason.NOT_FOUND, "no VM '" + target + "' in the plan (a vmid, VM name or node name; VMs: "
                + plan.vms().stream().map(vm -> vm.vmid() + " " + vm.name()).collect(Collectors.joining(", ")) + ")"));
    }

    /**
     * The move's record with its steps pending (state {@link MoveState#MOVE_STATE_PLANNED}), or
     * {@link MoveState#MOVE_STATE_UNCHANGED} with no steps when the GPU already is on the VM.
     *
     * @throws MoveRefusedException when a preflight check fails, naming it
     */
    public GpuMove plan(HomelabPlan plan, long planRevision, ObservedHomelab observed, Gpu gpu, VirtualMachine target)
    {
        String host = gpu.host();
        Optional<ObservedAgent> hostAgent = observed.hostAgent(host);
        if (hostAgent.isEmpty() || !hostAgent.get().connected()) {
            throw refused("the host-agent of Proxmox node " + host + " is " + (hostAgent.isEmpty() ? "not known" : "not connected") + ": it carries out every step on the host");
        }
        Optional<Optional<ProxmoxVm>> holderReport = observed.gpuHolder(gpu);
        if (holderReport.isEmpty()) {
            Optional<String> unreadable = observed.proxmoxUnreadable(host);
            if (unreadable.isPresent()) {
                throw refused(unreadable.get() + "; a move needs to know which VM holds the card: check the API and the token (rackctl inventory " + hostAgent.get().id() + ")");
            }
            throw refused(hostAgent.get().id() + " has not reported the VMs of " + host + " yet (is its Proxmox API reachable? see rackctl inventory " + hostAgent.get().id() + ")");
        }
        Optional<ProxmoxVm> holder = holderReport.get();
        GpuMove.Builder move = GpuMove.newBuilder()
                .setGpuId(gpu.id())
                .setPciAddress(gpu.pciAddress())
                .setMapping(gpu.mapping())
                .setPcie(gpu.pcie())
                .setToVmid(target.vmid())
                .setToNode(target.nodeName().orElse(target.name()))
                .setPlanRevision(planRevision)
                .setState(MoveState.MOVE_STATE_PLANNED);
        holder.ifPresent(vm -> move.setFromVmid(vm.getVmid()).setFromNode(plan.vm(vm.getVmid()).flatMap(VirtualMachine::nodeName).orElse(vm.getName())));
        if (holder.isPresent() && holder.get().getVmid() == target.vmid()) {
            return move.setState(MoveState.MOVE_STATE_UNCHANGED).setMessage("GPU " + gpu.id() + " already is on VM " + target.vmid() + " (" + target.name() + "): nothing to do").build();
        }

        Optional<ProxmoxVm> targetVm = observed.proxmoxVm(host, target.vmid());
        if (targetVm.isEmpty()) {
            throw refused("VM " + target.vmid() + " (" + target.name() + ") does not exist on " + host + " (as " + hostAgent.get().id() + " reports it)");
        }
        if (gpu.pcie() && !targetVm.get().getMachine().contains("q35")) {
            String machine = targetVm.get().getMachine().isEmpty() ? "i440fx (Proxmox' default)" : targetVm.get().getMachine();
            throw refused("VM " + target.vmid() + " has machine type " + machine + ", but the GPU is passed through as PCI Express (pcie: true), which needs q35: set `qm set "
                    + target.vmid() + " --machine q35` (the guest sees new hardware), or set pcie: false for the GPU in the plan");
        }
        Optional<ObservedAgent> targetAgent = observed.nodeAgentOf(target, targetVm);
        if (targetAgent.isEmpty() || !targetAgent.get().connected()) {
            throw refused("the node-agent of VM " + target.vmid() + " (" + target.name() + ") is " + (targetAgent.isEmpty() ? "not known" : "not connected")
                    + ": without it nobody can confirm that the card arrived");
        }
        List<String> warnings = new ArrayList<>();
        String group = iommuGroup(hostAgent.get(), gpu, warnings);
        hostDriverAndReset(hostAgent.get(), gpu, warnings);
        if (observed.gpuConditions().containsKey(gpu.id())) {
            throw refused("GPU " + gpu.id() + " " + observed.gpuConditions().get(gpu.id()).getState() + ": " + observed.gpuConditions().get(gpu.id()).getReason()
                    + "; reboot the Proxmox host, then move it");
        }

        Optional<VirtualMachine> oldPlanned = holder.flatMap(vm -> plan.vm(vm.getVmid()));
        boolean oldRunning = holder.map(vm -> vm.getStatus().equals("running")).orElse(false);
        Optional<ObservedAgent> oldAgent = oldPlanned.flatMap(vm -> observed.nodeAgentOf(vm, holder));
        boolean oldIsNode = oldPlanned.map(VirtualMachine::isKubernetesNode).orElse(false);
        boolean drainOld = holder.isPresent() && oldRunning && oldIsNode;
        if (drainOld && (oldAgent.isEmpty() || !oldAgent.get().connected() || oldAgent.get().kubernetesNode().isEmpty())) {
            throw refused("VM " + holder.get().getVmid() + " holds the GPU and is running, but its node-agent is " + (oldAgent.isEmpty() ? "not known" : !oldAgent.get().connected() ? "not connected" : "not on its Kubernetes Node")
                    + ", so its GPU pods cannot be drained: bring the agent back, or shut VM " + holder.get().getVmid() + " down first");
        }
        if (holder.isPresent() && oldRunning && !oldIsNode) {
            warnings.add("VM " + holder.get().getVmid() + " is not in the plan as a Kubernetes node; its workloads are not drained");
        }
        targetAgent.get().gpuReport().filter(gpus -> !gpus.isEmpty()).ifPresent(gpus -> warnings.add(
                targetAgent.get().id() + " already reports " + gpus.size() + " GPU(s); the move waits for the card's own UUID"));
        String uuid = oldAgent.flatMap(ObservedAgent::gpuReport).filter(gpus -> gpus.size() == 1).map(gpus -> gpus.get(0).getUuid()).orElse("");
        move.setGpuUuid(uuid).addAllWarnings(warnings);

        String hostId = hostAgent.get().id();
        move.addSteps(step(PREFLIGHT, "", Optional.empty(), "checks passed: the target exists" + (gpu.pcie() ? " and is q35" : "") + ", its node-agent "
                + targetAgent.get().id() + " is connected, the card is on " + gpu.driver() + ", " + group));
        if (drainOld) {
            String oldId = oldAgent.get().id();
            String resource = oldAgent.get().kubernetesNode().map(node -> node.getGpuResource()).filter(name -> !name.isEmpty()).orElse(DEFAULT_GPU_RESOURCE);
            move.addSteps(step(CORDON_OLD, oldId, Optional.of(Action.newBuilder().setKubernetesNodeCordon(KubernetesCordonAction.getDefaultInstance()).build()),
                    "cordon " + move.getFromNode() + " so no new GPU pod lands there"));
            move.addSteps(step(DRAIN_OLD, oldId, Optional.of(Action.newBuilder().setKubernetesNodeDrain(KubernetesDrainAction.newBuilder()
                            .setResource(resource).setTimeout(duration(timeouts.drain()))).build()),
                    "evict the pods using " + resource + " from " + move.getFromNode()));
        }
        if (holder.isPresent() && oldRunning) {
            move.addSteps(step(SHUTDOWN_OLD, hostId, Optional.of(Action.newBuilder().setVmShutdown(VmShutdownAction.newBuilder()
                            .setVmid(holder.get().getVmid()).setTimeout(duration(timeouts.shutdown()))).build()),
                    "shut VM " + holder.get().getVmid() + " down"));
        }
        if (holder.isPresent()) {
            move.addSteps(step(DETACH_OLD, hostId, Optional.of(detach(holder.get().getVmid(), gpu)), "remove the card from VM " + holder.get().getVmid() + "'s config"));
        }
        move.addSteps(step(ATTACH_NEW, hostId, Optional.of(attach(target.vmid(), gpu)), "add the card to VM " + target.vmid() + "'s config"));
        if (targetVm.get().getStatus().equals("running")) {
            move.addSteps(step(RESTART_NEW, hostId, Optional.of(Action.newBuilder().setVmReboot(VmRebootAction.newBuilder()
                            .setVmid(target.vmid()).setTimeout(duration(timeouts.vmTask()))).build()),
                    "reboot VM " + target.vmid() + " so the card's config applies (hostpci is not hot-pluggable)"));
        }
        else {
            move.addSteps(step(START_NEW, hostId, Optional.of(start(target.vmid())), "start VM " + target.vmid()));
        }
        if (holder.isPresent() && oldRunning) {
            move.addSteps(step(START_OLD, hostId, Optional.of(start(holder.get().getVmid())), "start VM " + holder.get().getVmid() + " again, without the card"));
        }
        move.addSteps(step(WAIT_GPU, targetAgent.get().id(), Optional.empty(), "wait for " + targetAgent.get().id() + " to report "
                + (uuid.isEmpty() ? "a GPU" : uuid) + " through NVML"));
        String resourceName = targetAgent.get().kubernetesNode().map(node -> node.getGpuResource()).filter(name -> !name.isEmpty()).orElse(DEFAULT_GPU_RESOURCE);
        if (target.isKubernetesNode() && targetAgent.get().carriesOut(RESTART_PODS)) {
            move.addSteps(step(RESTART_PLUGINS_NEW, targetAgent.get().id(), Optional.of(restartPods()), "restart the device plugin and feature discovery on " + move.getToNode()
                    + " so it advertises the card"));
        }
        if (drainOld && oldAgent.get().carriesOut(RESTART_PODS)) {
            move.addSteps(step(RESTART_PLUGINS_OLD, oldAgent.get().id(), Optional.of(restartPods()), "restart the device plugin and feature discovery on " + move.getFromNode()));
        }
        if (drainOld && oldAgent.get().carriesOut(CLEAR_RESOURCE)) {
            move.addSteps(step(CLEAR_STALE_OLD, oldAgent.get().id(), Optional.of(Action.newBuilder()
                            .setKubernetesNodeClearResource(io.rackpilot.proto.v1.KubernetesClearResourceAction.newBuilder().setResource(resourceName)).build()),
                    "remove the stale " + resourceName + " from " + move.getFromNode() + "'s status (the kubelet keeps it after the card left)"));
        }
        if (target.isKubernetesNode()) {
            move.addSteps(step(WAIT_ALLOCATABLE, targetAgent.get().id(), Optional.empty(), "wait until " + move.getToNode() + " shows allocatable " + resourceName + " > 0"));
        }
        boolean policy = !plan.spec().gpuNodePolicy().taints().isEmpty() || !plan.spec().gpuNodePolicy().labels().isEmpty();
        if (policy && target.isKubernetesNode()) {
            move.addSteps(step(WAIT_TAINTS, targetAgent.get().id(), Optional.empty(), "wait for the GPU node policy to follow the card to " + move.getToNode()
                    + (drainOld ? " and leave " + move.getFromNode() : "")));
        }
        if (drainOld) {
            move.addSteps(step(UNCORDON_OLD, oldAgent.get().id(), Optional.of(Action.newBuilder().setKubernetesNodeUncordon(KubernetesUncordonAction.getDefaultInstance()).build()),
                    "uncordon " + move.getFromNode()));
        }
        return move.build();
    }

    private Action restartPods()
    {
        return Action.newBuilder().setKubernetesNodeRestartPods(io.rackpilot.proto.v1.KubernetesRestartPodsAction.newBuilder()
                .addAllLabelSelectors(pluginPodSelectors)
                .setTimeout(duration(timeouts.vmTask()))).build();
    }

    /**
     * Refuses a card the host's own driver holds (a VM could not start with it); warns about a card
     * that cannot be reset or may sleep in D3cold (a start can then fail and need a host reboot).
     */
    private static void hostDriverAndReset(ObservedAgent hostAgent, Gpu gpu, List<String> warnings)
    {
        Optional<PciDevice> device = hostAgent.inventory().getPciDevices().getItemsList().stream()
                .filter(candidate -> candidate.getAddress().equals(gpu.pciAddress()))
                .findFirst();
        if (device.isEmpty()) {
            return;
        }
        String driver = device.get().getDriver();
        if (!driver.equals(gpu.driver())) {
            throw refused(gpu.pciAddress() + " is bound to " + (driver.isEmpty() ? "no driver" : driver) + " on the host, not " + gpu.driver()
                    + (device.get().getHoldersList().isEmpty() ? ": the reconciler rebinds it (rackctl plan diff shows it); move it after that"
                    : ", and " + String.join(", ", device.get().getHoldersList()) + " holds it: stop that, then the reconciler rebinds it"));
        }
        if (!device.get().getResettable()) {
            warnings.add(gpu.pciAddress() + " cannot be reset (no reset method): if the new VM cannot start with it, the card needs a host reboot");
        }
        if (device.get().hasD3ColdAllowed() && device.get().getD3ColdAllowed()) {
            warnings.add(gpu.pciAddress() + " may sleep in D3cold (d3cold_allowed=1), from which some cards do not wake for a VM");
        }
    }

    /**
     * Checks the card's IOMMU group and returns it in words for the preflight step.
     */
    private static String iommuGroup(ObservedAgent hostAgent, Gpu gpu, List<String> warnings)
    {
        Optional<PciDevice> device = hostAgent.inventory().getPciDevices().getItemsList().stream()
                .filter(candidate -> candidate.getAddress().equals(gpu.pciAddress()))
                .findFirst();
        if (device.isEmpty()) {
            warnings.add(hostAgent.id() + " does not report " + gpu.pciAddress() + " in sysfs: its IOMMU group could not be checked");
            return "IOMMU group not reported";
        }
        if (!device.get().hasIommuGroup()) {
            throw refused(gpu.pciAddress() + " is in no IOMMU group: the IOMMU is off (intel_iommu=on on the kernel command line) and the card cannot be passed through");
        }
        String slot = slotOf(gpu.pciAddress());
        List<String> unrelated = device.get().getIommuGroupPeersList().stream()
                .filter(peer -> !peer.equals(gpu.pciAddress()) && !slotOf(peer).equals(slot))
                .toList();
        if (!unrelated.isEmpty()) {
            throw refused("IOMMU group " + device.get().getIommuGroup() + " of " + gpu.pciAddress() + " also holds " + String.join(", ", unrelated)
                    + ", which are not functions of the card: passing the group through would hand those devices to the VM too");
        }
        List<String> members = new ArrayList<>(device.get().getIommuGroupPeersList());
        if (!members.contains(gpu.pciAddress())) {
            members.add(gpu.pciAddress());
        }
        members.sort(String::compareTo);
        return "IOMMU group " + device.get().getIommuGroup() + " holds only the card (" + String.join(", ", members) + ")";
    }

    private static String slotOf(String address)
    {
        int dot = address.lastIndexOf('.');
        return dot < 0 ? address : address.substring(0, dot);
    }

    /**
     * The steps that undo what a failed move had done, newest first, all pending: the card goes back
     * to the old VM, the VMs are powered as they were, the old node is uncordoned. Drained pods are
     * not brought back: their controllers place them again.
     */
    public List<MoveStep> undoSteps(GpuMove move, Gpu gpu, String hostAgentId)
    {
        Set<String> done = move.getStepsList().stream()
                .filter(step -> !step.getUndo())
                .filter(step -> step.getState() == StepState.STEP_STATE_DONE
                        || (step.getState() == StepState.STEP_STATE_FAILED && (step.getName().equals(RESTART_NEW) || step.getName().equals(START_NEW))))
                .map(MoveStep::getName)
                .collect(Collectors.toSet());
        Optional<MoveStep> cordon = move.getStepsList().stream().filter(step -> step.getName().equals(CORDON_OLD) && !step.getUndo()).findFirst();
        List<MoveStep> undo = new ArrayList<>();
        int from = move.getFromVmid();
        int to = move.getToVmid();
        if (done.contains(RESTART_NEW) || done.contains(START_NEW)) {
            undo.add(undo(STOP_NEW, hostAgentId, Action.newBuilder().setVmShutdown(VmShutdownAction.newBuilder().setVmid(to).setTimeout(duration(timeouts.shutdown())).setForceStop(true)).build(),
                    "shut VM " + to + " down to free the card"));
        }
        if (done.contains(ATTACH_NEW)) {
            undo.add(undo(DETACH_NEW, hostAgentId, detach(to, gpu), "remove the card from VM " + to + "'s config"));
        }
        if (done.contains(RESTART_NEW)) {
            undo.add(undo(START_NEW, hostAgentId, start(to), "start VM " + to + " again, as it was"));
        }
        if (done.contains(DETACH_OLD)) {
            undo.add(undo(ATTACH_OLD, hostAgentId, attach(from, gpu), "give the card back to VM " + from));
        }
        if (done.contains(SHUTDOWN_OLD) && !done.contains(START_OLD)) {
            undo.add(undo(START_OLD, hostAgentId, start(from), "start VM " + from + " again, with the card"));
        }
        else if (done.contains(START_OLD) && done.contains(DETACH_OLD)) {
            undo.add(undo(SHUTDOWN_OLD, hostAgentId, Action.newBuilder().setVmReboot(VmRebootAction.newBuilder().setVmid(from).setTimeout(duration(timeouts.vmTask()))).build(),
                    "reboot VM " + from + " so it takes the card back"));
        }
        if (done.contains(CORDON_OLD) && cordon.isPresent()) {
            undo.add(undo(UNCORDON_OLD, cordon.get().getAgentId(), Action.newBuilder().setKubernetesNodeUncordon(KubernetesUncordonAction.getDefaultInstance()).build(),
                    "uncordon " + move.getFromNode()));
        }
        return List.copyOf(undo);
    }

    public RelocationTimeouts timeouts()
    {
        return timeouts;
    }

    private static MoveRefusedException refused(String message)
    {
        return new MoveRefusedException(MoveRefusedException.Reason.PRECONDITION, message);
    }

    private static Action detach(int vmid, Gpu gpu)
    {
        return Action.newBuilder().setPciPassthroughDetach(PciPassthroughDetachAction.newBuilder().setVmid(vmid).setMapping(gpu.mapping())).build();
    }

    private static Action attach(int vmid, Gpu gpu)
    {
        return Action.newBuilder().setPciPassthroughAttach(PciPassthroughAttachAction.newBuilder().setVmid(vmid).setMapping(gpu.mapping()).setPcie(gpu.pcie())).build();
    }

    private Action start(int vmid)
    {
        return Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(vmid).setTimeout(duration(timeouts.vmTask()))).build();
    }

    private static MoveStep step(String name, String agentId, Optional<Action> action, String description)
    {
        MoveStep.Builder step = MoveStep.newBuilder().setName(name).setAgentId(agentId).setState(StepState.STEP_STATE_PENDING).setDescription(description);
        action.ifPresent(step::setAction);
        return step.build();
    }

    private static MoveStep undo(String name, String agentId, Action action, String description)
    {
        return step(name, agentId, Optional.of(action), description).toBuilder().setUndo(true).build();
    }

    static Duration duration(java.time.Duration duration)
    {
        return Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
    }
}
