package io.rackpilot.coordinator.reconcile;

import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.plan.HomelabPlan;
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
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExports;
import io.rackpilot.proto.v1.NvmlStatus;
import io.rackpilot.proto.v1.VmNetworkDevice;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.rackpilot.coordinator.reconcile.Homelabs.GPU_ID;
import static io.rackpilot.coordinator.reconcile.Homelabs.LABEL_KEY;
import static io.rackpilot.coordinator.reconcile.Homelabs.TAINT_EFFECT;
import static io.rackpilot.coordinator.reconcile.Homelabs.TAINT_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class TestReconciler
{
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofMinutes(2);
    private static final long REVISION = 7;

    private static final Reconciler ENFORCING = new Reconciler(ReconcileMode.parse(Map.of(), "reconcile.mode"), STALE_AFTER);
    private static final Reconciler OBSERVING = new Reconciler(ReconcileMode.parse(
            Map.of("nfs-export", "observe", "gpu-node-policy", "observe", "gpu-assignment", "observe"), "reconcile.mode"), STALE_AFTER);

    private static Homelabs homelab()
    {
        return Homelabs.inSync(NOW);
    }

    private static Reconciliation compute(Homelabs homelab)
    {
        return ENFORCING.compute(homelab.plan(), REVISION, homelab.build(), NOW);
    }

    private static Action taint()
    {
        return Action.newBuilder().setKubernetesNodeTaint(KubernetesTaintAction.newBuilder().setKey(TAINT_KEY).setValue("true").setEffect(TAINT_EFFECT)).build();
    }

    private static Action untaint()
    {
        return Action.newBuilder().setKubernetesNodeUntaint(KubernetesUntaintAction.newBuilder().setKey(TAINT_KEY).setEffect(TAINT_EFFECT)).build();
    }

    private static Action label()
    {
        return Action.newBuilder().setKubernetesNodeLabel(KubernetesLabelAction.newBuilder().setKey(LABEL_KEY).setValue("true")).build();
    }

    private static Action unlabel()
    {
        return Action.newBuilder().setKubernetesNodeUnlabel(KubernetesUnlabelAction.newBuilder().setKey(LABEL_KEY)).build();
    }

    private static List<DriftItem> drift(Reconciliation reconciliation, DriftKind kind)
    {
        return reconciliation.drift().stream().filter(item -> item.getKind().equals(kind.label())).toList();
    }

    @Test
    void inSyncHasNoDriftNoActionsAndNothingUnknown()
    {
        Reconciliation reconciliation = compute(homelab());
        assertThat(reconciliation.drift()).isEmpty();
        assertThat(reconciliation.unknown()).isEmpty();
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(reconciliation.inSync()).isTrue();
    }

    @Test
    void policyFollowsTheCardThatNvmlReports()
    {
        // the card went to VM 203 by hand: the plan still says 201, as when it was last in place
        Homelabs homelab = homelab().moveCard(203).settled(GPU_ID, 201);
        Reconciliation reconciliation = compute(homelab);

        assertThat(reconciliation.actions()).containsExactlyInAnyOrder(
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node1", untaint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node1", unlabel()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node3", taint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node3", label()));
        assertThat(drift(reconciliation, DriftKind.GPU_NODE_TAINT))
                .extracting(DriftItem::getSubject, DriftItem::getExpected, DriftItem::getActual, DriftItem::getEnforced)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("k8s-node1", "no nvidia.com/gpu:PreferNoSchedule taint", "nvidia.com/gpu=true:PreferNoSchedule", true),
                        org.assertj.core.groups.Tuple.tuple("k8s-node3", "nvidia.com/gpu=true:PreferNoSchedule", "absent", true));
        assertThat(drift(reconciliation, DriftKind.GPU_NODE_LABEL))
                .extracting(DriftItem::getSubject, DriftItem::getExpected, DriftItem::getActual)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("k8s-node1", "no nvidia.com/gpu.present label", "nvidia.com/gpu.present=true"),
                        org.assertj.core.groups.Tuple.tuple("k8s-node3", "nvidia.com/gpu.present=true", "absent"));
        assertThat(drift(reconciliation, DriftKind.GPU_NODE_TAINT).stream().filter(item -> item.getSubject().equals("k8s-node3")).findFirst().orElseThrow().getDetail())
                .isEqualTo("k8s-node3 reports 1 GPU(s) through NVML");
    }

    @Test
    void policyFollowsNvmlEvenWhenProxmoxStillSaysTheOldVm()
    {
        Reconciliation reconciliation = compute(homelab().gpus("k8s-node1", 0).gpus("k8s-node3", 1));
        assertThat(reconciliation.actions()).extracting(action -> ((ReconcileAction.AgentCommand) action).agentId())
                .containsExactlyInAnyOrder("k8s-node1", "k8s-node1", "k8s-node3", "k8s-node3");
        assertThat(drift(reconciliation, DriftKind.GPU_ASSIGNMENT)).isEmpty();
    }

    @Test
    void aWrongTaintValueIsReplacedAndAWrongLabelValueRewritten()
    {
        Homelabs homelab = homelab()
                .taints("k8s-node1", List.of(KubernetesTaint.newBuilder().setKey(TAINT_KEY).setValue("false").setEffect(TAINT_EFFECT).build(),
                        KubernetesTaint.newBuilder().setKey(TAINT_KEY).setValue("true").setEffect("NoSchedule").build()))
                .labels("k8s-node1", Map.of(LABEL_KEY, "false", "topology.kubernetes.io/zone", "rack1"));
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.actions()).containsExactlyInAnyOrder(
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node1", taint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node1", label()));
        assertThat(drift(reconciliation, DriftKind.GPU_NODE_TAINT)).singleElement().extracting(DriftItem::getActual).isEqualTo("nvidia.com/gpu=false:PreferNoSchedule");
        assertThat(drift(reconciliation, DriftKind.GPU_NODE_LABEL)).singleElement().extracting(DriftItem::getActual).isEqualTo("nvidia.com/gpu.present=false");
    }

    @Test
    void aNodeWithoutAGpuKeepsTaintsOfOtherEffects()
    {
        Homelabs homelab = homelab().taints("k8s-node2", List.of(KubernetesTaint.newBuilder().setKey(TAINT_KEY).setValue("true").setEffect("NoSchedule").build()));
        assertThat(compute(homelab).actions()).isEmpty();
    }

    @Test
    void lostAgentChangesNothing()
    {
        Homelabs homelab = homelab().moveCard(203).settled(GPU_ID, 201).lost("k8s-node1");
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.actions()).containsExactlyInAnyOrder(
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node3", taint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node3", label()));
        assertThat(drift(reconciliation, DriftKind.AGENT_MISSING)).singleElement()
                .satisfies(item -> {
                    assertThat(item.getSubject()).isEqualTo("vm 201 (k8s-node1)");
                    assertThat(item.getActual()).isEqualTo("lost");
                    assertThat(item.getEnforced()).isFalse();
                });
    }

    @Test
    void aLostAgentOfTheSameNodeDoesNotHideTheConnectedOne()
    {
        // an old registry entry (the agent was reinstalled under another id) still claims k8s-node3
        ObservedHomelab observed = homelab().moveCard(203).settled(GPU_ID, 201).build();
        ObservedAgent current = observed.agent("k8s-node3").orElseThrow();
        ObservedAgent old = new ObservedAgent(current.info().toBuilder().setId("k8s-3-old").setState(io.rackpilot.proto.v1.AgentState.AGENT_STATE_LOST).build(),
                current.reported().map(report -> report.toBuilder().setAgentId("k8s-3-old").setInventory(report.getInventory().toBuilder()
                        .setGpus(report.getInventory().getGpus().toBuilder().clearItems())).build()));
        List<ObservedAgent> agents = new java.util.ArrayList<>(observed.agents());
        agents.add(old);
        Reconciliation reconciliation = ENFORCING.compute(Homelabs.seedPlan(), REVISION, new ObservedHomelab(agents, observed.moves(), observed.settledPlacements()), NOW);
        assertThat(reconciliation.actions()).containsExactlyInAnyOrder(
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node1", untaint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node1", unlabel()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node3", taint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node3", label()));
    }

    @Test
    void nvmlErrorChangesNothing()
    {
        Homelabs homelab = homelab().moveCard(203).settled(GPU_ID, 201).nvmlError("k8s-node3");
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.actions()).containsExactlyInAnyOrder(
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node1", untaint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node1", unlabel()));
        // and the node holding the taints while in error keeps them
        assertThat(compute(homelab().nvmlError("k8s-node1")).actions()).isEmpty();
        assertThat(compute(homelab().nvml("k8s-node1", NvmlStatus.State.STATE_UNSPECIFIED)).actions()).isEmpty();
        assertThat(compute(homelab().withoutGpuSection("k8s-node1")).actions()).isEmpty();
    }

    @Test
    void nvmlAbsentIsAPositiveAnswerOfNoGpu()
    {
        Homelabs homelab = homelab().nvml("k8s-node1", NvmlStatus.State.STATE_ABSENT);
        assertThat(compute(homelab).actions()).containsExactlyInAnyOrder(
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node1", untaint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node1", unlabel()));
    }

    @Test
    void staleReportChangesNothing()
    {
        Homelabs homelab = homelab().moveCard(203).settled(GPU_ID, 201).reportAge("k8s-node3", STALE_AFTER.plusSeconds(1));
        assertThat(compute(homelab).actions()).containsExactlyInAnyOrder(
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_TAINT, "k8s-node1", untaint()),
                new ReconcileAction.AgentCommand(DriftKind.GPU_NODE_LABEL, "k8s-node1", unlabel()));
        // exactly staleAfter old still counts as fresh
        Homelabs borderline = homelab().moveCard(203).settled(GPU_ID, 201).reportAge("k8s-node3", STALE_AFTER);
        assertThat(compute(borderline).actions()).hasSize(4);
        // a report with no collection time is not trusted either
        assertThat(compute(homelab().moveCard(203).settled(GPU_ID, 201).withoutCollectedAt("k8s-node3")).actions()).hasSize(2);
    }

    @Test
    void agentWhoseNodeIsNotFoundChangesNothing()
    {
        Homelabs homelab = homelab().moveCard(203).settled(GPU_ID, 201).kubernetesState("k8s-node3", KubernetesNodeInfo.State.STATE_UNREACHABLE);
        assertThat(compute(homelab).actions()).extracting(action -> ((ReconcileAction.AgentCommand) action).agentId()).containsOnly("k8s-node1");
    }

    @Test
    void observedPolicyIsReportedWithoutActions()
    {
        Homelabs homelab = homelab().moveCard(203).settled(GPU_ID, 201);
        Reconciliation reconciliation = OBSERVING.compute(homelab.plan(), REVISION, homelab.build(), NOW);
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(drift(reconciliation, DriftKind.GPU_NODE_TAINT)).hasSize(2).allSatisfy(item -> assertThat(item.getEnforced()).isFalse());
        assertThat(drift(reconciliation, DriftKind.GPU_NODE_LABEL)).hasSize(2).allSatisfy(item -> assertThat(item.getEnforced()).isFalse());
    }

    @Test
    void vmCoresMemoryNetworksAndPowerAreReportedNeverActedOn()
    {
        Homelabs homelab = homelab()
                .cores(202, 12)
                .memoryBytes(203, 24L * 1024 * 1024 * 1024)
                .memoryBytes(204, 1536L * 1024 * 1024)
                .vm(101, vm -> vm.removeNetworkDevices(2).addNetworkDevices(VmNetworkDevice.newBuilder().setKey("net2").setBridge("vmbr1").setVlan(30)))
                .status(103, "stopped")
                .status(220, "");
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(reconciliation.drift()).allSatisfy(item -> assertThat(item.getEnforced()).isFalse());
        assertThat(reconciliation.drift())
                .extracting(DriftItem::getKind, DriftItem::getSubject, DriftItem::getExpected, DriftItem::getActual)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("vm-cores", "vm 202 (k8s-node2)", "8", "12"),
                        org.assertj.core.groups.Tuple.tuple("vm-memory", "vm 203 (k8s-node3)", "32GiB", "24GiB"),
                        org.assertj.core.groups.Tuple.tuple("vm-memory", "vm 204 (k8s-node4)", "32GiB", "1536MiB"),
                        org.assertj.core.groups.Tuple.tuple("vm-network", "vm 101 (pfsense)", "vmbr0 vmbr1:vlan10 vmbr1:vlan20", "vmbr0 vmbr1:vlan10 vmbr1:vlan30"),
                        org.assertj.core.groups.Tuple.tuple("vm-power", "vm 103 (home-assistant)", "running", "stopped"),
                        org.assertj.core.groups.Tuple.tuple("vm-power", "vm 220 (docker-registry)", "running", "unknown"));
    }

    @Test
    void networksAreComparedInInterfaceOrder()
    {
        // net10 sorts after net2, not between net1 and net2
        Homelabs homelab = homelab().vm(101, vm -> vm.clearNetworkDevices()
                .addNetworkDevices(VmNetworkDevice.newBuilder().setKey("net10").setBridge("vmbr9"))
                .addNetworkDevices(VmNetworkDevice.newBuilder().setKey("net2").setBridge("vmbr1").setVlan(20))
                .addNetworkDevices(VmNetworkDevice.newBuilder().setKey("net0").setBridge("vmbr0"))
                .addNetworkDevices(VmNetworkDevice.newBuilder().setKey("net1").setBridge("vmbr1").setVlan(10)));
        assertThat(drift(compute(homelab), DriftKind.VM_NETWORK)).singleElement()
                .extracting(DriftItem::getActual).isEqualTo("vmbr0 vmbr1:vlan10 vmbr1:vlan20 vmbr9");
    }

    @Test
    void reportedKindsStayObservedEvenWhenAModeMapSaysEnforce()
    {
        Reconciler reconciler = new Reconciler(Map.of(ReconcileMode.Group.REPORTED, ReconcileMode.ENFORCE), STALE_AFTER);
        Homelabs homelab = homelab().cores(202, 12);
        Reconciliation reconciliation = reconciler.compute(homelab.plan(), REVISION, homelab.build(), NOW);
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(reconciliation.drift()).singleElement().extracting(DriftItem::getEnforced).isEqualTo(false);
    }

    @Test
    void missingVm()
    {
        Reconciliation reconciliation = compute(homelab().removeVm(203));
        assertThat(reconciliation.drift())
                .extracting(DriftItem::getKind, DriftItem::getSubject, DriftItem::getExpected, DriftItem::getActual)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("vm-missing", "vm 203 (k8s-node3)", "VM 203 on pve", "no such VM"));
        assertThat(reconciliation.actions()).isEmpty();
    }

    @Test
    void anUnplannedVmIsLeftAlone()
    {
        Homelabs homelab = homelab().addVm(io.rackpilot.proto.v1.ProxmoxVm.newBuilder().setVmid(9000).setName("truenas").setStatus("stopped").setCores(4).build());
        assertThat(compute(homelab).drift()).isEmpty();
    }

    @Test
    void missingNodeAgent()
    {
        Reconciliation reconciliation = compute(homelab().dropAgent("k8s-node4"));
        assertThat(reconciliation.drift()).singleElement().satisfies(item -> {
            assertThat(item.getKind()).isEqualTo("agent-missing");
            assertThat(item.getSubject()).isEqualTo("vm 204 (k8s-node4)");
            assertThat(item.getActual()).contains("no node-agent reports this VM");
            assertThat(item.getEnforced()).isFalse();
        });
        assertThat(reconciliation.actions()).isEmpty();
    }

    @Test
    void nodeAgentIsFoundBySmbiosUuidWhenItHasNoNode()
    {
        Homelabs homelab = homelab().kubernetesState("k8s-node4", KubernetesNodeInfo.State.STATE_NOT_FOUND);
        assertThat(drift(compute(homelab), DriftKind.AGENT_MISSING)).isEmpty();
    }

    @Test
    void missingHostAgentLeavesVmsNfsAndGpuUnknown()
    {
        Reconciliation reconciliation = compute(homelab().dropAgent(Homelabs.HOST));
        assertThat(reconciliation.drift()).singleElement().satisfies(item -> {
            assertThat(item.getKind()).isEqualTo("agent-missing");
            assertThat(item.getSubject()).isEqualTo("pve");
        });
        assertThat(reconciliation.unknown()).containsExactly(
                "VMs: no host-agent reports Proxmox node pve",
                "NFS exports: no host-agent reports them",
                "GPU tesla-t4: no host-agent reports the VMs of pve");
        assertThat(reconciliation.actions()).isEmpty();
    }

    @Test
    void anUnreadableProxmoxApiIsNotDriftAndNothingActsOnIt()
    {
        Instant since = NOW.minus(Duration.ofMinutes(5));
        String error = "GET /nodes/pve/qemu: connection refused";
        String why = "pve cannot read the Proxmox API since 2026-05-01T11:55:00Z: " + error;
        // In sync otherwise, and the card was last seen in place: no VM is missing, the card is on
        // no VM only as far as nobody knows, and it was not moved by hand.
        Reconciliation reconciliation = compute(homelab().proxmoxUnreadable(error, since).settled(GPU_ID, 201));
        assertThat(reconciliation.drift()).isEmpty();
        assertThat(reconciliation.unknown()).containsExactly("VMs: " + why, "GPU tesla-t4: which VM holds it is not known: " + why);
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(reconciliation.inSync()).as("unknown is not drift").isTrue();

        // A plan that gives the card to another VM starts no move while the holder is unknown.
        Homelabs moved = new Homelabs(Homelabs.seedPlanWithGpuOn(202), NOW).proxmoxUnreadable(error, since);
        Reconciliation planChanged = ENFORCING.compute(moved.plan(), REVISION, moved.build(), NOW);
        assertThat(drift(planChanged, DriftKind.GPU_ASSIGNMENT)).isEmpty();
        assertThat(drift(planChanged, DriftKind.VM_MISSING)).isEmpty();
        assertThat(planChanged.actions()).noneMatch(action -> action instanceof ReconcileAction.StartGpuMove);
        assertThat(planChanged.unknown()).contains("GPU tesla-t4: which VM holds it is not known: " + why);
    }

    @Test
    void aLostHostAgentGetsNoNfsCommandOnItsLastReport()
    {
        Reconciliation reconciliation = compute(homelab().nfsExports(Optional.of(io.rackpilot.proto.v1.NfsExports.getDefaultInstance())).lost(Homelabs.HOST));
        assertThat(reconciliation.drift()).anySatisfy(item -> {
            assertThat(item.getKind()).isEqualTo("nfs-export");
            assertThat(item.getDetail()).contains("is lost");
        });
        assertThat(reconciliation.actions()).noneMatch(action -> action.kind() == DriftKind.NFS_EXPORT);
    }

    @Test
    void lostHostAgentIsReportedAndItsLastReportStillUsed()
    {
        Reconciliation reconciliation = compute(homelab().lost(Homelabs.HOST));
        assertThat(reconciliation.drift()).singleElement().satisfies(item -> {
            assertThat(item.getKind()).isEqualTo("agent-missing");
            assertThat(item.getExpected()).isEqualTo("host-agent pve connected");
            assertThat(item.getActual()).isEqualTo("lost");
        });
        assertThat(reconciliation.unknown()).isEmpty();
    }

    private static NfsExports exports(NfsExport... exports)
    {
        return NfsExports.newBuilder().addAllItems(List.of(exports)).build();
    }

    private static NfsExport export(String path, String... options)
    {
        return NfsExport.newBuilder().setPath(path).addClients(NfsClient.newBuilder().setSpec("10.0.20.0/24").addAllOptions(List.of(options))).build();
    }

    @Test
    void missingNfsExportIsAppliedByAHostAgentThatCarriesItOut()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports(export("/srv/nfs", "rw", "sync", "no_subtree_check", "no_root_squash"))));
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.drift()).singleElement().satisfies(item -> {
            assertThat(item.getKind()).isEqualTo("nfs-export");
            assertThat(item.getSubject()).isEqualTo("/srv/nfs-ssd");
            assertThat(item.getActual()).isEqualTo("not exported");
            assertThat(item.getEnforced()).isTrue();
            assertThat(item.getDetail()).isEqualTo("applying the plan's exports on pve");
        });
        assertThat(reconciliation.actions()).singleElement().satisfies(action -> {
            ReconcileAction.AgentCommand command = (ReconcileAction.AgentCommand) action;
            assertThat(command.kind()).isEqualTo(DriftKind.NFS_EXPORT);
            assertThat(command.agentId()).isEqualTo("pve");
            // the whole planned file, not only the missing export
            assertThat(command.action().getNfsExportsApply().getExportsList()).containsExactly(
                    export("/srv/nfs", "rw", "sync", "no_subtree_check", "no_root_squash"),
                    export("/srv/nfs-ssd", "rw", "sync", "no_subtree_check", "no_root_squash"));
        });
    }

    @Test
    void missingNfsOptionIsDrift()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports(
                export("/srv/nfs", "rw", "sync", "no_subtree_check"),
                export("/srv/nfs-ssd", "rw", "sync", "no_subtree_check", "no_root_squash"))));
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.drift()).singleElement().satisfies(item -> {
            assertThat(item.getSubject()).isEqualTo("/srv/nfs");
            assertThat(item.getExpected()).isEqualTo("/srv/nfs 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
            assertThat(item.getActual()).isEqualTo("/srv/nfs 10.0.20.0/24(rw,sync,no_subtree_check)");
        });
        assertThat(reconciliation.actions()).hasSize(1);
    }

    @Test
    void extraNfsOptionsAreNoDrift()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports(
                export("/srv/nfs", "rw", "sync", "no_subtree_check", "no_root_squash", "wdelay", "sec=sys"),
                export("/srv/nfs-ssd", "sec=sys", "no_root_squash", "no_subtree_check", "sync", "rw"))));
        assertThat(compute(homelab).drift()).isEmpty();
    }

    @Test
    void unplannedNfsExportIsReportedNotRemoved()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports(
                export("/srv/nfs", "rw", "sync", "no_subtree_check", "no_root_squash"),
                export("/srv/nfs-ssd", "rw", "sync", "no_subtree_check", "no_root_squash"),
                export("/srv/old", "ro"))));
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.drift()).singleElement().satisfies(item -> {
            assertThat(item.getSubject()).isEqualTo("/srv/old");
            assertThat(item.getExpected()).isEqualTo("not exported");
            assertThat(item.getEnforced()).isFalse();
            assertThat(item.getDetail()).contains("not in the plan");
        });
        assertThat(reconciliation.actions()).isEmpty();
    }

    @Test
    void anExportRemovedFromThePlanIsRemovedFromTheManagedFile()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports(
                export("/srv/nfs", "rw", "sync", "no_subtree_check", "no_root_squash"),
                export("/srv/nfs-ssd", "rw", "sync", "no_subtree_check", "no_root_squash"),
                export("/srv/old", "ro"),
                export("/srv/by-hand", "ro")).toBuilder()
                .setManagedFile("/etc/exports.d/rackpilot.exports")
                .addAllManagedPaths(List.of("/srv/nfs", "/srv/nfs-ssd", "/srv/old", "/srv/gone"))
                .build()));
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.drift()).extracting(DriftItem::getSubject, DriftItem::getActual, DriftItem::getEnforced, DriftItem::getDetail).containsExactlyInAnyOrder(
                tuple("/srv/old", "/srv/old 10.0.20.0/24(ro)", true, "applying the plan's exports on pve"),
                tuple("/srv/gone", "in /etc/exports.d/rackpilot.exports (not in force)", true, "applying the plan's exports on pve"),
                // another file's export is the operator's: reported, never touched
                tuple("/srv/by-hand", "/srv/by-hand 10.0.20.0/24(ro)", false, "not in the plan, and not from /etc/exports.d/rackpilot.exports but from /etc/exports"
                        + " or another exports file, which rackpilot never changes: remove it there if it should go"));
        // the managed file becomes exactly the plan's exports
        assertThat(reconciliation.actions()).singleElement().satisfies(action -> assertThat(((ReconcileAction.AgentCommand) action).action().getNfsExportsApply().getExportsList())
                .extracting(NfsExport::getPath).containsExactly("/srv/nfs", "/srv/nfs-ssd"));
    }

    @Test
    void aRefusedApplyIsShownAndNotRetriedUntilThePlanChangesOrItsTimeComes()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports(export("/srv/nfs", "rw", "sync", "no_subtree_check", "no_root_squash"))));
        ReconcileAction apply = compute(homelab).actions().get(0);
        ActionFailure failure = new ActionFailure("pve", "rejected", "nfs.exports.apply: exports[1].path: '/srv/nfs-ssd' is not under an export root [/data]",
                NOW.minusSeconds(60), NOW.plusSeconds(540));

        Reconciliation refused = ENFORCING.compute(homelab.plan(), REVISION, homelab.build(), NOW, Map.of(apply.key(), failure));
        assertThat(refused.actions()).isEmpty();
        assertThat(refused.drift()).singleElement().satisfies(item -> {
            assertThat(item.getSubject()).isEqualTo("/srv/nfs-ssd");
            assertThat(item.getEnforced()).isTrue();
            assertThat(item.getRefused()).isTrue();
            assertThat(item.getDetail()).isEqualTo("refused by pve: nfs.exports.apply: exports[1].path: '/srv/nfs-ssd' is not under an export root [/data]"
                    + " (since 2026-05-01T11:59:00Z; tried again when the plan changes or at 2026-05-01T12:09:00Z)");
        });

        // at its retry time it is tried again
        Reconciliation later = ENFORCING.compute(homelab.plan(), REVISION, homelab.build(), NOW.plusSeconds(540), Map.of(apply.key(), failure));
        assertThat(later.actions()).containsExactly(apply);
        assertThat(later.drift()).singleElement().satisfies(item -> assertThat(item.getRefused()).isFalse());

        // a failure of another action (an older plan) holds nothing back
        Reconciliation otherPlan = ENFORCING.compute(homelab.plan(), REVISION, homelab.build(), NOW, Map.of("pve nfs.exports.apply {}", failure));
        assertThat(otherPlan.actions()).containsExactly(apply);
    }

    @Test
    void nfsIsNotAppliedByAHostAgentThatDoesNotCarryItOut()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports())).hostCapabilities(List.of("agent.ping", "vm.start"));
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.drift()).hasSize(2).allSatisfy(item -> {
            assertThat(item.getKind()).isEqualTo("nfs-export");
            assertThat(item.getDetail()).isEqualTo("pve does not carry out nfs.exports.apply (nfs is off in its config)");
        });
        assertThat(reconciliation.actions()).isEmpty();
    }

    @Test
    void observedNfsIsNotApplied()
    {
        Homelabs homelab = homelab().nfsExports(Optional.of(exports()));
        Reconciliation reconciliation = OBSERVING.compute(homelab.plan(), REVISION, homelab.build(), NOW);
        assertThat(reconciliation.drift()).hasSize(2).allSatisfy(item -> {
            assertThat(item.getEnforced()).isFalse();
            assertThat(item.getDetail()).isEqualTo("reconcile.mode nfs-export is observe");
        });
        assertThat(reconciliation.actions()).isEmpty();
    }

    @Test
    void nfsIsUnknownWhenNotReported()
    {
        Reconciliation reconciliation = compute(homelab().nfsExports(Optional.empty()));
        assertThat(reconciliation.drift()).isEmpty();
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(reconciliation.unknown()).containsExactly("NFS exports: pve does not report them (NFS is off in its config)");

        Reconciliation failing = compute(homelab().nfsExports(Optional.of(NfsExports.newBuilder().setError("exportfs: command not found").build())));
        assertThat(failing.drift()).isEmpty();
        assertThat(failing.actions()).isEmpty();
        assertThat(failing.unknown()).containsExactly("NFS exports: pve cannot read them: exportfs: command not found");
    }

    private static GpuMove move(MoveState state, int toVmid, long planRevision)
    {
        return GpuMove.newBuilder().setId("m-1").setGpuId(GPU_ID).setFromVmid(201).setToVmid(toVmid).setPlanRevision(planRevision).setState(state)
                .setMessage("wait-gpu: k8s-node2 did not report the card within 5m").build();
    }

    @Test
    void changedAssignmentStartsAMove()
    {
        HomelabPlan plan = Homelabs.seedPlanWithGpuOn(202);
        ObservedHomelab observed = new Homelabs(plan, NOW).placeCardInProxmox(201).settled(GPU_ID, 201).build();
        Reconciliation reconciliation = ENFORCING.compute(plan, REVISION, observed, NOW);
        assertThat(reconciliation.actions()).containsExactly(new ReconcileAction.StartGpuMove(GPU_ID, 202, REVISION));
        assertThat(drift(reconciliation, DriftKind.GPU_ASSIGNMENT)).singleElement().satisfies(item -> {
            assertThat(item.getSubject()).isEqualTo(GPU_ID);
            assertThat(item.getExpected()).isEqualTo("VM 202 (k8s-node2)");
            assertThat(item.getActual()).isEqualTo("VM 201 (k8s-node1)");
            assertThat(item.getEnforced()).isTrue();
            assertThat(item.getDetail()).isEqualTo("moving it to VM 202");
        });
    }

    @Test
    void assignmentWithNothingSettledIsTakenAsAskedFor()
    {
        HomelabPlan plan = Homelabs.seedPlanWithGpuOn(202);
        ObservedHomelab observed = new Homelabs(plan, NOW).placeCardInProxmox(201).build();
        assertThat(ENFORCING.compute(plan, REVISION, observed, NOW).actions()).containsExactly(new ReconcileAction.StartGpuMove(GPU_ID, 202, REVISION));
    }

    @Test
    void handMoveIsReportedNotReverted()
    {
        Homelabs homelab = homelab().moveCard(202).settled(GPU_ID, 201);
        Reconciliation reconciliation = compute(homelab);
        assertThat(reconciliation.actions()).noneMatch(action -> action instanceof ReconcileAction.StartGpuMove);
        assertThat(drift(reconciliation, DriftKind.GPU_ASSIGNMENT)).singleElement().satisfies(item -> {
            assertThat(item.getExpected()).isEqualTo("VM 201 (k8s-node1)");
            assertThat(item.getActual()).isEqualTo("VM 202 (k8s-node2)");
            assertThat(item.getDetail()).startsWith("moved by hand");
        });
    }

    @Test
    void activeMoveIsNotDoubled()
    {
        HomelabPlan plan = Homelabs.seedPlanWithGpuOn(202);
        ObservedHomelab observed = new Homelabs(plan, NOW).placeCardInProxmox(201).settled(GPU_ID, 201)
                .move(move(MoveState.MOVE_STATE_RUNNING, 202, REVISION)).build();
        Reconciliation reconciliation = ENFORCING.compute(plan, REVISION, observed, NOW);
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(drift(reconciliation, DriftKind.GPU_ASSIGNMENT)).singleElement().extracting(DriftItem::getDetail).isEqualTo("moving to VM 202 (move m-1)");

        ObservedHomelab rollingBack = new Homelabs(plan, NOW).placeCardInProxmox(0).settled(GPU_ID, 201)
                .move(move(MoveState.MOVE_STATE_ROLLING_BACK, 202, REVISION)).build();
        assertThat(ENFORCING.compute(plan, REVISION, rollingBack, NOW).actions()).isEmpty();
    }

    @Test
    void activeMoveIsNotedOnTheVmsItPowers()
    {
        HomelabPlan plan = Homelabs.seedPlanWithGpuOn(202);
        ObservedHomelab observed = new Homelabs(plan, NOW).placeCardInProxmox(0).status(201, "stopped").settled(GPU_ID, 201)
                .move(move(MoveState.MOVE_STATE_RUNNING, 202, REVISION)).build();
        assertThat(drift(ENFORCING.compute(plan, REVISION, observed, NOW), DriftKind.VM_POWER)).singleElement()
                .extracting(DriftItem::getDetail).isEqualTo("GPU tesla-t4 is being moved (move m-1)");
    }

    @Test
    void failedMoveIsNotRetriedForTheSameRevision()
    {
        HomelabPlan plan = Homelabs.seedPlanWithGpuOn(202);
        for (MoveState state : List.of(MoveState.MOVE_STATE_FAILED, MoveState.MOVE_STATE_ROLLED_BACK)) {
            ObservedHomelab observed = new Homelabs(plan, NOW).placeCardInProxmox(201).settled(GPU_ID, 201).move(move(state, 202, REVISION)).build();
            Reconciliation reconciliation = ENFORCING.compute(plan, REVISION, observed, NOW);
            assertThat(reconciliation.actions()).isEmpty();
            assertThat(drift(reconciliation, DriftKind.GPU_ASSIGNMENT)).singleElement().extracting(DriftItem::getDetail).asString()
                    .startsWith("the last move to VM 202 failed (wait-gpu: k8s-node2 did not report the card within 5m)");

            // a new plan revision asks again
            assertThat(ENFORCING.compute(plan, REVISION + 1, observed, NOW).actions()).containsExactly(new ReconcileAction.StartGpuMove(GPU_ID, 202, REVISION + 1));
        }
        // a failed move to another VM does not hold back this one, nor does a succeeded one
        ObservedHomelab otherTarget = new Homelabs(plan, NOW).placeCardInProxmox(201).settled(GPU_ID, 201).move(move(MoveState.MOVE_STATE_FAILED, 203, REVISION)).build();
        assertThat(ENFORCING.compute(plan, REVISION, otherTarget, NOW).actions()).hasSize(1);
        ObservedHomelab succeeded = new Homelabs(plan, NOW).placeCardInProxmox(201).settled(GPU_ID, 201).move(move(MoveState.MOVE_STATE_SUCCEEDED, 202, REVISION)).build();
        assertThat(ENFORCING.compute(plan, REVISION, succeeded, NOW).actions()).hasSize(1);
    }

    @Test
    void observedAssignmentIsReportedWithEnforcedFalse()
    {
        HomelabPlan plan = Homelabs.seedPlanWithGpuOn(202);
        ObservedHomelab observed = new Homelabs(plan, NOW).placeCardInProxmox(201).settled(GPU_ID, 201).build();
        Reconciliation reconciliation = OBSERVING.compute(plan, REVISION, observed, NOW);
        assertThat(reconciliation.actions()).isEmpty();
        assertThat(drift(reconciliation, DriftKind.GPU_ASSIGNMENT)).singleElement().satisfies(item -> {
            assertThat(item.getEnforced()).isFalse();
            assertThat(item.getDetail()).isEqualTo("reconcile.mode gpu-assignment is observe: run rackctl gpu move tesla-t4 --to 202");
        });
    }

    @Test
    void cardTakenOffEveryVmIsReportedAsNoVm()
    {
        Homelabs homelab = homelab().placeCardInProxmox(0).gpus("k8s-node1", 0).settled(GPU_ID, 201);
        Reconciliation reconciliation = compute(homelab);
        assertThat(drift(reconciliation, DriftKind.GPU_ASSIGNMENT)).singleElement().extracting(DriftItem::getActual).isEqualTo("no VM");
        assertThat(reconciliation.actions()).noneMatch(action -> action instanceof ReconcileAction.StartGpuMove);
    }

    @Test
    void sameInputsSameAnswer()
    {
        Homelabs homelab = homelab().moveCard(203).cores(202, 3).nfsExports(Optional.of(exports())).lost("k8s-node4");
        ObservedHomelab observed = homelab.build();
        assertThat(ENFORCING.compute(homelab.plan(), REVISION, observed, NOW)).isEqualTo(ENFORCING.compute(homelab.plan(), REVISION, homelab.build(), NOW));
    }
}
