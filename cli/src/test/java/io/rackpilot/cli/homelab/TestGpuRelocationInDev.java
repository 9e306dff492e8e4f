package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.agent.Agent;
import io.rackpilot.cli.dev.DevHomelab;
import io.rackpilot.common.testing.HttpGet;
import io.rackpilot.common.testing.Promtool;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.StepState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPU relocation end to end in one JVM: {@code rackctl dev} (coordinator, host-agent on the
 * Proxmox simulator, node-agents on the Kubernetes simulator, each seeing the T4 exactly while its
 * VM runs with the card in its applied config), driven through rackctl.
 */
class TestGpuRelocationInDev
{

    @TempDir
    Path home;

    private DevHomelab dev;
    private Map<String, String> environment;

    @BeforeEach
    void setUp()
            throws Exception
    {
        dev = DevHomelab.start(Path.of("../docs/examples/homelab.yaml"), 0, 0, home.resolve(".config/rackpilot/dev"), Map.of(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        environment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
        TestHomelab.awaitCondition("the homelab reports itself in sync with the plan", Duration.ofSeconds(60), () -> rackctl("plan", "diff").exitCode() == 0
                && TestHomelab.json(rackctl("gpu", "status", "-o", "json").out()).path(0).path("state").asText().equals("ok")
                && dev.coordinator().placements().settled().getOrDefault("tesla-t4", 0) == 201
                && List.of("k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4").stream().allMatch(node -> kubernetesOf(node).path("state").asText().equals("found")));
    }

    @AfterEach
    void tearDown()
    {
        dev.close();
    }

    @Test
    void movesTheT4FromNode1ToNode2AndAgainChangesNothing()
            throws Exception
    {
        TestHomelab.RackctlResult dryRun = rackctl("gpu", "move", "tesla-t4", "--to", "202", "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("planned").contains("cordon-old").contains("drain-old").contains("shutdown-old").contains("detach-old")
                .contains("attach-new").contains("restart-new").contains("wait-gpu").contains("wait-taints").contains("uncordon-old");
        assertThat(dev.proxmox().vmConfig(201).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        assertThat(dev.coordinator().plans().currentRevision()).isEqualTo(1);

        TestHomelab.RackctlResult move = rackctl("gpu", "move", "tesla-t4", "--to", "k8s-node2", "--wait");
        assertThat(move.exitCode()).as(move.out() + move.err()).isZero();
        assertThat(move.out()).contains("succeeded: GPU tesla-t4 moved from VM 201 to VM 202");
        printTimings("move 201 -> 202", onlyMove());

        // Proxmox: the card is in VM 202's config only, both VMs run.
        assertThat(dev.proxmox().vmConfig(201).orElseThrow()).doesNotContainKey("hostpci0");
        assertThat(dev.proxmox().vmConfig(202).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        assertThat(dev.proxmox().vmStatus(201)).contains("running");
        assertThat(dev.proxmox().vmStatus(202)).contains("running");
        // Kubernetes: GPU pods evicted from node1, which is schedulable again; taint and label on node2 only.
        assertThat(dev.kubernetes().evictionRequests()).anyMatch(request -> request.contains("ollama-0"));
        assertThat(dev.kubernetes().pods()).noneMatch(pod -> pod.at("/metadata/name").asText().equals("ollama-0") && pod.at("/spec/nodeName").asText().equals("k8s-node1"));
        JsonNode node1 = dev.kubernetes().node("k8s-node1").orElseThrow();
        JsonNode node2 = dev.kubernetes().node("k8s-node2").orElseThrow();
        assertThat(node1.at("/spec/taints").toString()).doesNotContain("nvidia.com/gpu");
        assertThat(node1.at("/metadata/labels").has("nvidia.com/gpu.present")).isFalse();
        assertThat(node1.at("/spec/unschedulable").asBoolean(false)).isFalse();
        assertThat(hasGpuTaint(node2)).isTrue();
        assertThat(node2.at("/metadata/labels/nvidia.com~1gpu.present").asText()).isEqualTo("true");
        // The kubelet's stale capacity is gone from node1, and node2 advertises the card.
        assertThat(node1.at("/status/capacity").has("nvidia.com/gpu")).isFalse();
        assertThat(node1.at("/status/allocatable").has("nvidia.com/gpu")).isFalse();
        assertThat(node2.at("/status/allocatable/nvidia.com~1gpu").asText()).isEqualTo("1");
        // The plan follows the move: revision 2 says vm: 202.
        TestHomelab.RackctlResult show = rackctl("plan", "show");
        assertThat(show.out()).contains("vm: 202").doesNotContain("vm: 201");
        assertThat(show.err()).contains("revision 2").contains("rackctl gpu move tesla-t4 --to 202");
        TestHomelab.awaitCondition("plan diff in sync after the move", Duration.ofSeconds(30), () -> rackctl("plan", "diff").exitCode() == 0);
        JsonNode status = TestHomelab.json(rackctl("gpu", "status", "-o", "json").out()).get(0);
        assertThat(status.get("state").asText()).isEqualTo("ok");
        assertThat(status.get("vmid").asInt()).isEqualTo(202);
        assertThat(status.get("node").asText()).isEqualTo("k8s-node2");
        assertThat(status.at("/move/state").asText()).isEqualTo("succeeded");

        // The coordinator's metrics count the move and the Follow actions, and pass promtool.
        String metrics = HttpGet.get("http://127.0.0.1:" + dev.coordinator().metricsPort() + "/metrics").body();
        assertThat(metrics)
                .contains("rackpilot_gpu_relocations_total{outcome=\"succeeded\"} 1.0")
                .contains("rackpilot_gpu_relocation_duration_seconds_count 1")
                .contains("rackpilot_gpu_relocations_in_progress 0.0")
                .contains("rackpilot_plan_revision 2.0")
                .contains("rackpilot_reconcile_actions_total{kind=\"gpu-node-taint\",outcome=\"succeeded\"}")
                .contains("rackpilot_reconcile_duration_seconds_count")
                .contains("rackpilot_drift_items{kind=\"gpu-assignment\"} 0.0");
        Promtool.checkMetrics(metrics);

        // Again: nothing to do, nothing sent, the plan stays at revision 2.
        int commandsBefore = dev.coordinator().commands().list(Optional.empty(), 10_000).size();
        TestHomelab.RackctlResult again = rackctl("gpu", "move", "tesla-t4", "--to", "202", "--wait");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out()).contains("unchanged").contains("nothing to do");
        assertThat(dev.coordinator().plans().currentRevision()).isEqualTo(2);
        assertThat(dev.coordinator().commands().list(Optional.empty(), 10_000)).hasSize(commandsBefore);
        assertThat(dev.coordinator().moves().list()).hasSize(1);
    }

    @Test
    void aCoordinatorKilledDuringTheMoveResumesItWithoutRunningAStepTwice()
            throws Exception
    {
        TestHomelab.RackctlResult started = rackctl("gpu", "move", "tesla-t4", "--to", "202", "-o", "json");
        assertThat(started.exitCode()).as(started.err()).isZero();
        String moveId = TestHomelab.json(started.out()).get("id").asText();
        // The drain waits out the PodDisruptionBudget (8 s): kill the coordinator while it runs.
        TestHomelab.awaitCondition("the move is draining node1", Duration.ofSeconds(30), () -> stepState(moveId, "drain-old") == StepState.STEP_STATE_RUNNING);
        dev.restartCoordinator(true);

        TestHomelab.awaitCondition("the resumed move succeeds", Duration.ofSeconds(120), () -> move(moveId).getState() == MoveState.MOVE_STATE_SUCCEEDED);
        GpuMove move = move(moveId);
        printTimings("move resumed after a coordinator crash", move);
        assertThat(move.getStepsList()).allMatch(step -> step.getState() == StepState.STEP_STATE_DONE);
        List<CommandRecord> commands = dev.coordinator().commands().list(Optional.empty(), 10_000).stream()
                .filter(command -> command.getRequestedBy().equals("gpu move " + moveId))
                .toList();
        // One command per step that has an action, each sent once: the resumed run waited for the
        // drain it had sent before the crash instead of sending another.
        long stepsWithActions = move.getStepsList().stream().filter(MoveStep::hasAction).count();
        assertThat(commands).hasSize((int) stepsWithActions);
        assertThat(commands.stream().map(CommandRecord::getActionName).collect(Collectors.toList()))
                .containsExactlyInAnyOrder("k8s.node.cordon", "k8s.node.drain", "vm.shutdown", "pci.passthrough.detach", "pci.passthrough.attach", "vm.reboot", "vm.start",
                        "k8s.node.restart-pods", "k8s.node.restart-pods", "k8s.node.clear-resource", "k8s.node.uncordon");
        assertThat(dev.kubernetes().evictionRequests().stream().filter(request -> request.contains("ollama-0")).count()).isGreaterThanOrEqualTo(1);
        assertThat(dev.proxmox().vmConfig(202).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        assertThat(dev.proxmox().vmConfig(201).orElseThrow()).doesNotContainKey("hostpci0");
    }

    @Test
    void aFailedAttachRollsBackToVm201WithItsTaint()
    {
        dev.proxmox().failNextConfigWrite(202, "hostpci", "hostpci0: simulated failure: cannot add the mapping\n");
        TestHomelab.RackctlResult move = rackctl("gpu", "move", "tesla-t4", "--to", "202", "--wait");
        assertThat(move.exitCode()).as(move.out() + move.err()).isEqualTo(1);
        assertThat(move.out()).contains("FAILED").contains("attach-new").contains("rolled back: attach-new failed").contains("rolled back").contains("simulated failure")
                .contains("GPU tesla-t4 is on VM 201 again");
        printTimings("move rolled back", onlyMove());

        assertThat(dev.proxmox().vmConfig(201).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        assertThat(dev.proxmox().vmConfig(202).orElseThrow()).doesNotContainKey("hostpci0");
        assertThat(dev.proxmox().vmStatus(201)).contains("running");
        GpuMove rolledBack = onlyMove();
        assertThat(rolledBack.getState()).isEqualTo(MoveState.MOVE_STATE_ROLLED_BACK);
        assertThat(rolledBack.getStepsList().stream().filter(MoveStep::getUndo).map(MoveStep::getName))
                .containsExactly("attach-old", "start-old", "uncordon-old");
        // The plan is put back too, and node1 keeps (or gets back) its GPU taint, uncordoned.
        assertThat(rackctl("plan", "show").out()).contains("vm: 201");
        TestHomelab.awaitCondition("node1 has its taint back and is schedulable", Duration.ofSeconds(30), () -> {
            JsonNode node1 = dev.kubernetes().node("k8s-node1").orElseThrow();
            return hasGpuTaint(node1) && !node1.at("/spec/unschedulable").asBoolean(false);
        });
        assertThat(dev.kubernetes().node("k8s-node2").orElseThrow().at("/spec/taints").toString()).doesNotContain("nvidia.com/gpu");
        TestHomelab.awaitCondition("gpu status says ok on 201", Duration.ofSeconds(30), () -> TestHomelab.json(rackctl("gpu", "status", "-o", "json").out()).get(0).get("state").asText().equals("ok"));
        assertThat(TestHomelab.json(rackctl("gpu", "status", "-o", "json").out()).get(0).at("/move/state").asText()).isEqualTo("rolled_back");
    }

    @Test
    void aCardMovedByHandIsFollowedByTheTaintsAndALostAgentChangesNothing()
            throws Exception
    {
        // Someone moves the card in the Proxmox UI and restarts the VMs.
        dev.proxmox().setConfig(201, "hostpci0", Optional.empty());
        dev.proxmox().setConfig(203, "hostpci0", Optional.of("mapping=tesla-t4,pcie=1"));
        long movedAt = System.nanoTime();
        TestHomelab.awaitCondition("the taint and label follow the card to node3", Duration.ofSeconds(30), () -> {
            JsonNode node1 = dev.kubernetes().node("k8s-node1").orElseThrow();
            JsonNode node3 = dev.kubernetes().node("k8s-node3").orElseThrow();
            return hasGpuTaint(node3) && node3.at("/metadata/labels").has("nvidia.com/gpu.present")
                    && !node1.at("/spec/taints").toString().contains("nvidia.com/gpu") && !node1.at("/metadata/labels").has("nvidia.com/gpu.present");
        });
        System.out.printf("follow: taints converged %.1f s after the card was moved by hand%n", (System.nanoTime() - movedAt) / 1e9);
        for (CommandRecord command : dev.coordinator().commands().list(Optional.of("k8s-node3"), 100)) {
            if (command.getRequestedBy().equals("reconciler")) {
                java.time.Instant created = io.rackpilot.common.protocol.Timestamps.toInstant(command.getCreatedAt());
                java.time.Instant finished = io.rackpilot.common.protocol.Timestamps.toInstant(command.getHistory(command.getHistoryCount() - 1).getAt());
                System.out.printf("follow: %s on k8s-node3 issued on the GPU report, done %d ms later%n", command.getActionName(), Duration.between(created, finished).toMillis());
            }
        }

        // The plan still says 201: reported as drift (once the host-agent's next report shows the
        // edit), not moved back.
        TestHomelab.awaitCondition("the host-agent reports the card on VM 203", Duration.ofSeconds(30), () -> rackctl("plan", "diff").out().contains("gpu-assignment"));
        dev.coordinator().reconcile().trigger();
        Thread.sleep(1_000);
        TestHomelab.RackctlResult diff = rackctl("plan", "diff");
        assertThat(diff.exitCode()).isEqualTo(2);
        assertThat(diff.out()).contains("gpu-assignment").contains("tesla-t4").contains("moved by hand");
        assertThat(dev.coordinator().moves().list()).isEmpty();

        // k8s-node3's agent stops: it reports nothing, so nothing about node3 changes.
        Agent node3Agent = dev.agents().stream().filter(agent -> agent.id().equals("k8s-node3")).findFirst().orElseThrow();
        node3Agent.close();
        TestHomelab.awaitCondition("k8s-node3 is lost", Duration.ofSeconds(30), () -> rackctl("agents").out().lines().anyMatch(line -> line.contains("k8s-node3") && line.contains("lost")));
        dev.coordinator().reconcile().trigger();
        Thread.sleep(2_000);
        assertThat(hasGpuTaint(dev.kubernetes().node("k8s-node3").orElseThrow())).isTrue();
        assertThat(dev.coordinator().commands().list(Optional.of("k8s-node3"), 1000))
                .noneMatch(command -> command.getActionName().equals("k8s.node.untaint") || command.getActionName().equals("k8s.node.unlabel"));
    }

    @Test
    void planApplyWithAChangedAssignmentMovesTheCardAndExpectRevisionGuardsIt()
            throws Exception
    {
        String text = java.nio.file.Files.readString(Path.of("../docs/examples/homelab.yaml")).replace("      vm: 201\n", "      vm: 204\n");
        Path changed = home.resolve("homelab.yaml");
        java.nio.file.Files.writeString(changed, text);

        TestHomelab.RackctlResult stale = rackctl("plan", "apply", changed.toString(), "--expect-revision", "0");
        assertThat(stale.exitCode()).isEqualTo(2);
        assertThat(stale.err()).contains("the stored plan is at revision 1, not 0");

        TestHomelab.RackctlResult diff = rackctl("plan", "diff", changed.toString());
        assertThat(diff.exitCode()).isEqualTo(2);
        assertThat(diff.out()).contains("gpu-assignment").contains("VM 204 (k8s-node4)").contains("VM 201 (k8s-node1)");

        TestHomelab.RackctlResult dryRun = rackctl("plan", "apply", changed.toString(), "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("gpu-assignment").contains("dry run: would store revision 2; nothing stored");
        assertThat(dev.coordinator().plans().currentRevision()).isEqualTo(1);
        assertThat(rackctl("plan", "show").out()).contains("vm: 201");

        TestHomelab.RackctlResult apply = rackctl("plan", "apply", changed.toString(), "--expect-revision", "1");
        assertThat(apply.exitCode()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("stored plan revision 2");
        assertThat(apply.err()).contains("warning").contains("over-committed");

        TestHomelab.awaitCondition("the reconciler moved the card to VM 204", Duration.ofSeconds(120), () -> dev.coordinator().moves().list().stream()
                .anyMatch(move -> move.getToVmid() == 204 && move.getState() == MoveState.MOVE_STATE_SUCCEEDED));
        GpuMove move = onlyMove();
        assertThat(move.getRequestedBy()).isEqualTo("reconciler");
        assertThat(move.getPlanRevision()).isEqualTo(2);
        printTimings("move by plan 201 -> 204", move);
        assertThat(dev.proxmox().vmConfig(204).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        TestHomelab.awaitCondition("in sync with revision 2", Duration.ofSeconds(30), () -> rackctl("plan", "diff").exitCode() == 0);
    }

    @Test
    void movesThatCannotWorkAreRefusedWithTheReason()
    {
        TestHomelab.RackctlResult unknownGpu = rackctl("gpu", "move", "a100", "--to", "202");
        assertThat(unknownGpu.exitCode()).isEqualTo(2);
        assertThat(unknownGpu.err()).contains("no GPU 'a100' in the plan (GPUs: tesla-t4 at 0000:06:00.0)");
        TestHomelab.RackctlResult unknownVm = rackctl("gpu", "move", "06:00.0", "--to", "k8s-node9");
        assertThat(unknownVm.exitCode()).isEqualTo(2);
        assertThat(unknownVm.err()).contains("no VM 'k8s-node9' in the plan").contains("202 k8s-node2");
        // pfSense is an i440fx VM: a pcie=1 card cannot go there.
        TestHomelab.RackctlResult notQ35 = rackctl("gpu", "move", "tesla-t4", "--to", "pfsense");
        assertThat(notQ35.exitCode()).isEqualTo(2);
        assertThat(notQ35.err()).contains("VM 101 has machine type i440fx").contains("needs q35");
        assertThat(dev.coordinator().moves().list()).isEmpty();
        assertThat(dev.coordinator().plans().currentRevision()).isEqualTo(1);
        assertThat(dev.proxmox().vmConfig(201).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
    }

    private static boolean hasGpuTaint(JsonNode node)
    {
        for (JsonNode taint : node.at("/spec/taints")) {
            if (taint.path("key").asText().equals("nvidia.com/gpu") && taint.path("value").asText().equals("true") && taint.path("effect").asText().equals("PreferNoSchedule")) {
                return true;
            }
        }
        return false;
    }

    private GpuMove onlyMove()
    {
        List<GpuMove> moves = dev.coordinator().moves().list();
        assertThat(moves).hasSize(1);
        return moves.get(0);
    }

    private GpuMove move(String moveId)
    {
        return dev.coordinator().moves().get(moveId).orElseThrow();
    }

    private StepState stepState(String moveId, String stepName)
    {
        return move(moveId).getStepsList().stream().filter(step -> step.getName().equals(stepName) && !step.getUndo())
                .map(MoveStep::getState).findFirst().orElse(StepState.STEP_STATE_UNSPECIFIED);
    }

    private static void printTimings(String title, GpuMove move)
    {
        System.out.println(title + ": " + move.getState() + " " + move.getMessage());
        for (MoveStep step : move.getStepsList()) {
            double seconds = step.hasStartedAt() && step.hasFinishedAt()
                    ? Duration.between(io.rackpilot.common.protocol.Timestamps.toInstant(step.getStartedAt()), io.rackpilot.common.protocol.Timestamps.toInstant(step.getFinishedAt())).toMillis() / 1000.0
                    : 0;
            System.out.printf("  %-5s %-13s %-8s %6.2f s  %s%n", step.getUndo() ? "undo" : "", step.getName(), step.getState().name().replace("STEP_STATE_", "").toLowerCase(), seconds, step.getDetail());
        }
    }

    private JsonNode kubernetesOf(String agent)
    {
        TestHomelab.RackctlResult inventory = rackctl("inventory", agent, "-o", "json");
        if (inventory.exitCode() != 0) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        }
        return TestHomelab.json(inventory.out()).path("kubernetes");
    }

    private TestHomelab.RackctlResult rackctl(String... arguments)
    {
        return TestHomelab.rackctl(environment, arguments);
    }
}
