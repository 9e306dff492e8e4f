package io.rackpilot.coordinator.relocation;

import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.coordinator.reconcile.Homelabs;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.GpuCondition;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.VmRebootAction;
import io.rackpilot.proto.v1.VmStartAction;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What issue 8 adds to the move's planning: the card's host driver, reset, a standing
 * needs-host-reboot, and the device-plugin steps when the node-agents carry them out; and how a
 * failed start is read.
 */
class TestMovePlannerTroubles
{
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private final MovePlanner planner = new MovePlanner(RelocationTimeouts.defaults());
    private final HomelabPlan plan = Homelabs.seedPlan();
    private final Gpu gpu = plan.gpu("tesla-t4").orElseThrow();

    @Test
    void aCardOnTheHostDriverIsRefusedNamingItsHolders()
    {
        ObservedHomelab observed = device(device -> device.setDriver("nvidia").addHolders("1234 nvidia-persistenced"));
        assertThatThrownBy(() -> planner.plan(plan, 1, observed, gpu, plan.vm(202).orElseThrow()))
                .isInstanceOf(MoveRefusedException.class)
                .hasMessageContaining("0000:06:00.0 is bound to nvidia on the host, not vfio-pci")
                .hasMessageContaining("1234 nvidia-persistenced holds it");
    }

    @Test
    void aCardWithoutResetOrWithD3coldIsWarnedAbout()
    {
        GpuMove move = planner.plan(plan, 1, device(device -> device.setResettable(false).setD3ColdAllowed(true)), gpu, plan.vm(202).orElseThrow());
        assertThat(move.getWarningsList()).anyMatch(warning -> warning.contains("cannot be reset"))
                .anyMatch(warning -> warning.contains("D3cold"));
        assertThat(move.getSteps(0).getDescription()).contains("IOMMU group 40 holds only the card");
    }

    @Test
    void aCardThatNeedsAHostRebootIsNotMoved()
    {
        ObservedHomelab built = Homelabs.inSync(NOW).build();
        ObservedHomelab observed = new ObservedHomelab(built.agents(), built.moves(), built.settledPlacements(), Map.of("tesla-t4",
                GpuCondition.newBuilder().setGpuId("tesla-t4").setState(GpuConditions.NEEDS_HOST_REBOOT).setReason("start-new: power state").build()));
        assertThatThrownBy(() -> planner.plan(plan, 1, observed, gpu, plan.vm(202).orElseThrow()))
                .hasMessageContaining("needs-host-reboot").hasMessageContaining("reboot the Proxmox host");
    }

    @Test
    void nodeAgentsThatRestartPodsAndClearResourcesGetThoseSteps()
    {
        ObservedHomelab built = Homelabs.inSync(NOW).build();
        List<ObservedAgent> agents = built.agents().stream()
                .map(agent -> agent.isNode() ? new ObservedAgent(agent.info().toBuilder().addCapabilities(MovePlanner.RESTART_PODS).addCapabilities(MovePlanner.CLEAR_RESOURCE).build(), agent.reported()) : agent)
                .toList();
        GpuMove move = planner.plan(plan, 1, new ObservedHomelab(agents, built.moves(), built.settledPlacements()), gpu, plan.vm(202).orElseThrow());
        assertThat(move.getStepsList()).extracting(MoveStep::getName).containsExactly("preflight", "cordon-old", "drain-old", "shutdown-old", "detach-old", "attach-new",
                "restart-new", "start-old", "wait-gpu", "restart-plugins-new", "restart-plugins-old", "clear-stale-old", "wait-allocatable", "wait-taints", "uncordon-old");
        MoveStep restart = move.getStepsList().stream().filter(step -> step.getName().equals("restart-plugins-new")).findFirst().orElseThrow();
        assertThat(restart.getAgentId()).isEqualTo("k8s-node2");
        assertThat(restart.getAction().getKubernetesNodeRestartPods().getLabelSelectorsList()).containsExactlyElementsOf(MovePlanner.DEFAULT_PLUGIN_POD_SELECTORS);
        MoveStep clear = move.getStepsList().stream().filter(step -> step.getName().equals("clear-stale-old")).findFirst().orElseThrow();
        assertThat(clear.getAgentId()).isEqualTo("k8s-node1");
        assertThat(clear.getAction().getKubernetesNodeClearResource().getResource()).isEqualTo("nvidia.com/gpu");
    }

    @Test
    void startFailuresAreReadFromProxmoxText()
    {
        MoveStep start = MoveStep.newBuilder().setName("start-new").setAction(Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(202))).build();
        MoveStep reboot = MoveStep.newBuilder().setName("restart-new").setAction(Action.newBuilder().setVmReboot(VmRebootAction.newBuilder().setVmid(202))).build();
        MoveStep attach = MoveStep.newBuilder().setName("attach-new").setAction(Action.newBuilder().setPciPassthroughAttach(
                io.rackpilot.proto.v1.PciPassthroughAttachAction.newBuilder().setVmid(202))).build();
        assertThat(StartFailures.classify(start, "start failed: PCI device '0000:06:00.0' already in use by VMID '201'")).isEqualTo(MoveRunner.Stop.BY_PERSON);
        assertThat(StartFailures.holder("PCI device '0000:06:00.0' already in use by VMID '201'")).contains(201);
        assertThat(StartFailures.classify(reboot, "kvm: vfio 0000:06:00.0: Unable to change power state from D3cold to D0, device inaccessible")).isEqualTo(MoveRunner.Stop.NEEDS_HOST_REBOOT);
        assertThat(StartFailures.classify(start, "vfio: failed to reset device 0000:06:00.0")).isEqualTo(MoveRunner.Stop.NEEDS_HOST_REBOOT);
        assertThat(StartFailures.classify(start, "start failed: QEMU exited with code 1")).isEqualTo(MoveRunner.Stop.ROLL_BACK);
        // Only a start can say these things about the card.
        assertThat(StartFailures.classify(attach, "power state")).isEqualTo(MoveRunner.Stop.ROLL_BACK);
    }

    private static ObservedHomelab device(java.util.function.Consumer<PciDevice.Builder> change)
    {
        Homelabs homelab = Homelabs.inSync(NOW);
        PciDevice.Builder device = homelab.build().pciDevice("pve", "0000:06:00.0").orElseThrow().toBuilder();
        change.accept(device);
        return homelab.gpuDevice(Optional.of(device.build())).build();
    }
}
