package io.rackpilot.coordinator.relocation;

import io.rackpilot.coordinator.reconcile.Homelabs;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.KubernetesCordonAction;
import io.rackpilot.proto.v1.KubernetesDrainAction;
import io.rackpilot.proto.v1.KubernetesUncordonAction;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.PciPassthroughAttachAction;
import io.rackpilot.proto.v1.PciPassthroughDetachAction;
import io.rackpilot.proto.v1.StepState;
import io.rackpilot.proto.v1.VmRebootAction;
import io.rackpilot.proto.v1.VmShutdownAction;
import io.rackpilot.proto.v1.VmStartAction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.rackpilot.coordinator.reconcile.Homelabs.GPU_ADDRESS;
import static io.rackpilot.coordinator.reconcile.Homelabs.GPU_UUID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class TestMovePlanner
{
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final long REVISION = 4;
    private static final RelocationTimeouts TIMEOUTS = new RelocationTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(2));

    private final MovePlanner planner = new MovePlanner(TIMEOUTS);
    private final HomelabPlan plan = Homelabs.seedPlan();
    private final Gpu gpu = plan.gpu("tesla-t4").orElseThrow();

    private GpuMove plan(Homelabs homelab, int targetVmid)
    {
        VirtualMachine target = plan.vm(targetVmid).orElseThrow();
        return planner.plan(plan, REVISION, homelab.build(), gpu, target);
    }

    private static Homelabs homelab()
    {
        return Homelabs.inSync(NOW);
    }

    private static com.google.protobuf.Duration seconds(long seconds)
    {
        return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).build();
    }

    private static Action start(int vmid)
    {
        return Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(vmid).setTimeout(seconds(120))).build();
    }

    private static Action attach(int vmid)
    {
        return Action.newBuilder().setPciPassthroughAttach(PciPassthroughAttachAction.newBuilder().setVmid(vmid).setMapping("tesla-t4").setPcie(true)).build();
    }

    private static Action detach(int vmid)
    {
        return Action.newBuilder().setPciPassthroughDetach(PciPassthroughDetachAction.newBuilder().setVmid(vmid).setMapping("tesla-t4")).build();
    }

    private static Action uncordon()
    {
        return Action.newBuilder().setKubernetesNodeUncordon(KubernetesUncordonAction.getDefaultInstance()).build();
    }

    private static Optional<Action> actionOf(MoveStep step)
    {
        return step.hasAction() ? Optional.of(step.getAction()) : Optional.empty();
    }

    @Test
    void seedMoveHasEveryStepInOrder()
    {
        GpuMove move = plan(homelab(), 202);

        assertThat(move.getState()).isEqualTo(MoveState.MOVE_STATE_PLANNED);
        assertThat(move.getGpuId()).isEqualTo("tesla-t4");
        assertThat(move.getPciAddress()).isEqualTo(GPU_ADDRESS);
        assertThat(move.getMapping()).isEqualTo("tesla-t4");
        assertThat(move.getPcie()).isTrue();
        assertThat(move.getFromVmid()).isEqualTo(201);
        assertThat(move.getFromNode()).isEqualTo("k8s-node1");
        assertThat(move.getToVmid()).isEqualTo(202);
        assertThat(move.getToNode()).isEqualTo("k8s-node2");
        assertThat(move.getPlanRevision()).isEqualTo(REVISION);
        assertThat(move.getGpuUuid()).isEqualTo(GPU_UUID);
        assertThat(move.getWarningsList()).isEmpty();
        assertThat(move.getStepsList()).allSatisfy(step -> {
            assertThat(step.getState()).isEqualTo(StepState.STEP_STATE_PENDING);
            assertThat(step.getUndo()).isFalse();
            assertThat(step.getDescription()).isNotBlank();
        });
        assertThat(move.getStepsList())
                .extracting(MoveStep::getName, MoveStep::getAgentId, TestMovePlanner::actionOf)
                .containsExactly(
                        tuple("preflight", "", Optional.empty()),
                        tuple("cordon-old", "k8s-node1", Optional.of(Action.newBuilder().setKubernetesNodeCordon(KubernetesCordonAction.getDefaultInstance()).build())),
                        tuple("drain-old", "k8s-node1", Optional.of(Action.newBuilder().setKubernetesNodeDrain(
                                KubernetesDrainAction.newBuilder().setResource("nvidia.com/gpu").setTimeout(seconds(300))).build())),
                        tuple("shutdown-old", "pve", Optional.of(Action.newBuilder().setVmShutdown(VmShutdownAction.newBuilder().setVmid(201).setTimeout(seconds(180))).build())),
                        tuple("detach-old", "pve", Optional.of(detach(201))),
                        tuple("attach-new", "pve", Optional.of(attach(202))),
                        tuple("restart-new", "pve", Optional.of(Action.newBuilder().setVmReboot(VmRebootAction.newBuilder().setVmid(202).setTimeout(seconds(120))).build())),
                        tuple("start-old", "pve", Optional.of(start(201))),
                        tuple("wait-gpu", "k8s-node2", Optional.empty()),
                        tuple("wait-allocatable", "k8s-node2", Optional.empty()),
                        tuple("wait-taints", "k8s-node2", Optional.empty()),
                        tuple("uncordon-old", "k8s-node1", Optional.of(uncordon())));
        assertThat(move.getSteps(8).getDescription()).contains(GPU_UUID);
    }

    @Test
    void stoppedTargetIsStartedNotRestarted()
    {
        GpuMove move = plan(homelab().status(202, "stopped"), 202);
        assertThat(move.getStepsList()).extracting(MoveStep::getName)
                .containsExactly("preflight", "cordon-old", "drain-old", "shutdown-old", "detach-old", "attach-new", "start-new", "start-old", "wait-gpu", "wait-allocatable", "wait-taints", "uncordon-old");
        assertThat(move.getStepsList()).filteredOn(step -> step.getName().equals("start-new")).singleElement()
                .extracting(MoveStep::getAction).isEqualTo(start(202));
    }

    @Test
    void stoppedHolderIsNeitherDrainedNorShutDown()
    {
        GpuMove move = plan(homelab().status(201, "stopped").lost("k8s-node1"), 203);
        assertThat(move.getStepsList()).extracting(MoveStep::getName)
                .containsExactly("preflight", "detach-old", "attach-new", "restart-new", "wait-gpu", "wait-allocatable", "wait-taints");
    }

    @Test
    void runningHolderThatIsNoNodeIsShutDownWithAWarning()
    {
        GpuMove move = plan(homelab().placeCardInProxmox(102).gpus("k8s-node1", 0), 202);
        assertThat(move.getFromVmid()).isEqualTo(102);
        assertThat(move.getFromNode()).isEqualTo("devvm");
        assertThat(move.getWarningsList()).containsExactly("VM 102 is not in the plan as a Kubernetes node; its workloads are not drained");
        assertThat(move.getStepsList()).extracting(MoveStep::getName)
                .containsExactly("preflight", "shutdown-old", "detach-old", "attach-new", "restart-new", "start-old", "wait-gpu", "wait-allocatable", "wait-taints");
    }

    @Test
    void stoppedHolderThatIsNoNodeNeedsNoWarning()
    {
        GpuMove move = plan(homelab().placeCardInProxmox(102).status(102, "stopped").gpus("k8s-node1", 0), 202);
        assertThat(move.getWarningsList()).isEmpty();
        assertThat(move.getStepsList()).extracting(MoveStep::getName)
                .containsExactly("preflight", "detach-old", "attach-new", "restart-new", "wait-gpu", "wait-allocatable", "wait-taints");
    }

    @Test
    void runningHolderWhoseRemovalIsPendingIsStillShutDown()
    {
        // detached by hand from the running VM 201: its config no longer has the card, but it runs with it
        Homelabs homelab = homelab().vm(201, vm -> vm.clearHostpci()
                .addHostpci(Homelabs.hostPci(gpu).toBuilder().setRemovalPending(true))
                .addPending("hostpci0"));
        GpuMove move = plan(homelab, 202);
        assertThat(move.getFromVmid()).isEqualTo(201);
        assertThat(move.getStepsList()).extracting(MoveStep::getName)
                .containsExactly("preflight", "cordon-old", "drain-old", "shutdown-old", "detach-old", "attach-new", "restart-new", "start-old", "wait-gpu", "wait-allocatable", "wait-taints", "uncordon-old");
    }

    @Test
    void cardOnNoVmIsOnlyAttached()
    {
        GpuMove move = plan(homelab().placeCardInProxmox(0).gpus("k8s-node1", 0), 204);
        assertThat(move.getFromVmid()).isZero();
        assertThat(move.getGpuUuid()).isEmpty();
        assertThat(move.getStepsList()).extracting(MoveStep::getName)
                .containsExactly("preflight", "attach-new", "restart-new", "wait-gpu", "wait-allocatable", "wait-taints");
    }

    @Test
    void moveToAVmWithoutAnAgentIsRefused()
    {
        // devvm is no Kubernetes node and runs no node-agent here: nobody could see the card arrive
        Homelabs homelab = homelab().machine(102, "pc-q35-8.1");
        assertThatThrownBy(() -> plan(homelab, 102))
                .isInstanceOf(MoveRefusedException.class)
                .hasMessage("the node-agent of VM 102 (devvm) is not known: without it nobody can confirm that the card arrived");
    }

    @Test
    void alreadyThereIsUnchanged()
    {
        GpuMove move = plan(homelab(), 201);
        assertThat(move.getState()).isEqualTo(MoveState.MOVE_STATE_UNCHANGED);
        assertThat(move.getStepsList()).isEmpty();
        assertThat(move.getMessage()).isEqualTo("GPU tesla-t4 already is on VM 201 (k8s-node1): nothing to do");
    }

    private void assertRefused(Homelabs homelab, int target, String message)
    {
        assertThatThrownBy(() -> plan(homelab, target))
                .isInstanceOfSatisfying(MoveRefusedException.class, refused -> assertThat(refused.reason()).isEqualTo(MoveRefusedException.Reason.PRECONDITION))
                .hasMessageContaining(message);
    }

    @Test
    void refusedWithoutAConnectedHostAgent()
    {
        assertRefused(homelab().lost("pve"), 202, "the host-agent of Proxmox node pve is not connected");
        assertRefused(homelab().dropAgent("pve"), 202, "the host-agent of Proxmox node pve is not known");
    }

    @Test
    void refusedWhenTheVmsAreNotReported()
    {
        assertRefused(homelab().withoutProxmox(), 202, "pve has not reported the VMs of pve yet");
    }

    @Test
    void refusedWhenTheProxmoxApiCannotBeReadNamingWhyAndSinceWhen()
    {
        // not "VM 202 does not exist": the VMs are unknown, not gone
        assertRefused(homelab().proxmoxUnreadable("GET /nodes/pve/qemu: connection refused", NOW.minusSeconds(300)), 202,
                "pve cannot read the Proxmox API since 2026-05-01T11:55:00Z: GET /nodes/pve/qemu: connection refused; a move needs to know which VM holds the card");
    }

    @Test
    void refusedWhenTheTargetVmIsMissing()
    {
        assertRefused(homelab().removeVm(202), 202, "VM 202 (k8s-node2) does not exist on pve");
    }

    @Test
    void refusedForPcieWithoutQ35()
    {
        assertRefused(homelab().machine(202, ""), 202, "VM 202 has machine type i440fx (Proxmox' default), but the GPU is passed through as PCI Express");
        assertRefused(homelab().machine(202, "pc-i440fx-8.1"), 202, "`qm set 202 --machine q35`");
        assertThat(plan(homelab().machine(202, "pc-q35-8.1+pve0"), 202).getState()).isEqualTo(MoveState.MOVE_STATE_PLANNED);
    }

    @Test
    void refusedWithoutTheTargetNodeAgent()
    {
        assertRefused(homelab().lost("k8s-node2"), 202, "the node-agent of VM 202 (k8s-node2) is not connected");
        assertRefused(homelab().dropAgent("k8s-node2"), 202, "the node-agent of VM 202 (k8s-node2) is not known");
    }

    @Test
    void refusedWhenTheIommuGroupHoldsUnrelatedDevices()
    {
        assertRefused(homelab().iommuPeers("0000:06:00.1", "0000:05:00.0"), 202,
                "IOMMU group 40 of 0000:06:00.0 also holds 0000:05:00.0, which are not functions of the card");
        // another function of the card is fine
        assertThat(plan(homelab().iommuPeers("0000:06:00.1"), 202).getState()).isEqualTo(MoveState.MOVE_STATE_PLANNED);
    }

    @Test
    void refusedWithoutAnIommu()
    {
        Homelabs homelab = homelab();
        homelab.gpuDevice(Optional.of(io.rackpilot.proto.v1.PciDevice.newBuilder().setAddress(GPU_ADDRESS).setVendorId("10de").setDeviceId("1eb8").build()));
        assertRefused(homelab, 202, "0000:06:00.0 is in no IOMMU group");
    }

    @Test
    void unreportedPciDeviceIsAWarning()
    {
        GpuMove move = plan(homelab().gpuDevice(Optional.empty()), 202);
        assertThat(move.getWarningsList()).containsExactly("pve does not report 0000:06:00.0 in sysfs: its IOMMU group could not be checked");
    }

    @Test
    void refusedWhenTheRunningHolderCannotBeDrained()
    {
        assertRefused(homelab().lost("k8s-node1"), 202, "VM 201 holds the GPU and is running, but its node-agent is not connected, so its GPU pods cannot be drained");
        assertRefused(homelab().kubernetesState("k8s-node1", io.rackpilot.proto.v1.KubernetesNodeInfo.State.STATE_UNREACHABLE), 202,
                "VM 201 holds the GPU and is running, but its node-agent is not on its Kubernetes Node");
    }

    @Test
    void targetAlreadyReportingAGpuIsAWarning()
    {
        GpuMove move = plan(homelab().gpus("k8s-node2", 1), 202);
        assertThat(move.getWarningsList()).containsExactly("k8s-node2 already reports 1 GPU(s); the move waits for the card's own UUID");
    }

    /**
     * The planned steps with those before {@code failedStep} done, it failed, the rest pending.
     */
    private static GpuMove failedAt(GpuMove move, String failedStep)
    {
        List<MoveStep> steps = new ArrayList<>();
        StepState state = StepState.STEP_STATE_DONE;
        for (MoveStep step : move.getStepsList()) {
            if (step.getName().equals(failedStep)) {
                steps.add(step.toBuilder().setState(StepState.STEP_STATE_FAILED).build());
                state = StepState.STEP_STATE_PENDING;
                continue;
            }
            steps.add(step.toBuilder().setState(state).build());
        }
        assertThat(state).as("step %s is in the move", failedStep).isEqualTo(StepState.STEP_STATE_PENDING);
        return move.toBuilder().clearSteps().addAllSteps(steps).setState(MoveState.MOVE_STATE_ROLLING_BACK).build();
    }

    @Test
    void undoAfterAttachNewFailed()
    {
        GpuMove move = failedAt(plan(homelab(), 202), "attach-new");
        List<MoveStep> undo = planner.undoSteps(move, gpu, "pve");
        assertThat(undo).allSatisfy(step -> {
            assertThat(step.getUndo()).isTrue();
            assertThat(step.getState()).isEqualTo(StepState.STEP_STATE_PENDING);
        });
        assertThat(undo).extracting(MoveStep::getName, MoveStep::getAgentId, MoveStep::getAction)
                .containsExactly(
                        tuple("attach-old", "pve", attach(201)),
                        tuple("start-old", "pve", start(201)),
                        tuple("uncordon-old", "k8s-node1", uncordon()));
    }

    @Test
    void undoAfterWaitGpuFailed()
    {
        GpuMove move = failedAt(plan(homelab(), 202), "wait-gpu");
        assertThat(planner.undoSteps(move, gpu, "pve")).extracting(MoveStep::getName, MoveStep::getAgentId, MoveStep::getAction)
                .containsExactly(
                        tuple("stop-new", "pve", Action.newBuilder().setVmShutdown(VmShutdownAction.newBuilder().setVmid(202).setTimeout(seconds(180)).setForceStop(true)).build()),
                        tuple("detach-new", "pve", detach(202)),
                        tuple("start-new", "pve", start(202)),
                        tuple("attach-old", "pve", attach(201)),
                        tuple("shutdown-old", "pve", Action.newBuilder().setVmReboot(VmRebootAction.newBuilder().setVmid(201).setTimeout(seconds(120))).build()),
                        tuple("uncordon-old", "k8s-node1", uncordon()));
    }

    @Test
    void undoAfterRestartNewFailedStopsItToo()
    {
        GpuMove move = failedAt(plan(homelab(), 202), "restart-new");
        assertThat(planner.undoSteps(move, gpu, "pve")).extracting(MoveStep::getName)
                .containsExactly("stop-new", "detach-new", "start-new", "attach-old", "start-old", "uncordon-old");
    }

    @Test
    void undoOfAStoppedTargetLeavesItStopped()
    {
        GpuMove move = failedAt(plan(homelab().status(202, "stopped"), 202), "wait-gpu");
        assertThat(planner.undoSteps(move, gpu, "pve")).extracting(MoveStep::getName)
                .containsExactly("stop-new", "detach-new", "attach-old", "shutdown-old", "uncordon-old");
    }

    @Test
    void undoBeforeAnythingChangedIsOnlyUncordon()
    {
        GpuMove move = failedAt(plan(homelab(), 202), "drain-old");
        assertThat(planner.undoSteps(move, gpu, "pve")).extracting(MoveStep::getName).containsExactly("uncordon-old");
        assertThat(planner.undoSteps(failedAt(plan(homelab(), 202), "cordon-old"), gpu, "pve")).isEmpty();
    }

    @Test
    void resolveGpuByIdOrAddress()
    {
        assertThat(MovePlanner.resolveGpu(plan, "tesla-t4")).isEqualTo(gpu);
        assertThat(MovePlanner.resolveGpu(plan, "0000:06:00.0")).isEqualTo(gpu);
        assertThat(MovePlanner.resolveGpu(plan, "06:00.0")).isEqualTo(gpu);
        assertThat(MovePlanner.resolveGpu(plan, " 06:00.0 ")).isEqualTo(gpu);
        assertThatThrownBy(() -> MovePlanner.resolveGpu(plan, "rtx-4090"))
                .isInstanceOfSatisfying(MoveRefusedException.class, refused -> assertThat(refused.reason()).isEqualTo(MoveRefusedException.Reason.NOT_FOUND))
                .hasMessage("no GPU 'rtx-4090' in the plan (GPUs: tesla-t4 at 0000:06:00.0)");
    }

    @Test
    void resolveVmByVmidNameOrNodeName()
    {
        HomelabPlan renamed = PlanLoader.parse(Homelabs.seedText().replace("nodeName: k8s-node3", "nodeName: worker-3"), "homelab.yaml");
        assertThat(MovePlanner.resolveVm(renamed, "202").vmid()).isEqualTo(202);
        assertThat(MovePlanner.resolveVm(renamed, "devvm").vmid()).isEqualTo(102);
        assertThat(MovePlanner.resolveVm(renamed, "k8s-node3").vmid()).isEqualTo(203);
        assertThat(MovePlanner.resolveVm(renamed, "worker-3").vmid()).isEqualTo(203);
        assertThat(MovePlanner.resolveVm(renamed, " 204 ").vmid()).isEqualTo(204);
        assertThatThrownBy(() -> MovePlanner.resolveVm(renamed, "999"))
                .isInstanceOfSatisfying(MoveRefusedException.class, refused -> assertThat(refused.reason()).isEqualTo(MoveRefusedException.Reason.NOT_FOUND))
                .hasMessage("no VM '999' in the plan (a vmid, VM name or node name; VMs: 101 pfsense, 102 devvm, 103 home-assistant, 200 k8s-master, "
                        + "201 k8s-node1, 202 k8s-node2, 203 k8s-node3, 204 k8s-node4, 220 docker-registry)");
        assertThatThrownBy(() -> MovePlanner.resolveVm(renamed, "99999999999")).isInstanceOf(MoveRefusedException.class).hasMessageStartingWith("no VM '99999999999'");
        assertThatThrownBy(() -> MovePlanner.resolveVm(renamed, "")).isInstanceOf(MoveRefusedException.class);
    }
}
