package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.cli.dev.DevHomelab;
import io.rackpilot.common.testing.HttpGet;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.StepState;
import io.rackpilot.sim.sysfs.SimulatedSysfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPU relocation as operators meet it, end to end in {@code rackctl dev}: a card that cannot be
 * powered up, "already in use by VMID", a VM shut down in the middle of a move, and an IOMMU group
 * with an unrelated device. Each ends where it should, with the reason named.
 */
class TestGpuRelocationTroublesInDev
{
    private static final Path PLAN = Path.of("../docs/examples/homelab.yaml");

    @TempDir
    Path home;

    private DevHomelab dev;
    private Map<String, String> environment;

    @BeforeEach
    void setUp()
            throws Exception
    {
        dev = DevHomelab.start(PLAN, 0, 0, home.resolve(".config/rackpilot/dev"), Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        environment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
        TestHomelab.awaitCondition("the homelab in sync", Duration.ofSeconds(60), () -> rackctl("plan", "diff").exitCode() == 0
                && status().path("state").asText().equals("ok")
                && dev.coordinator().placements().settled().getOrDefault("tesla-t4", 0) == 201
                && Stream.of("k8s-node1", "k8s-node2", "k8s-node3").allMatch(node -> kubernetesFound(node)));
    }

    @AfterEach
    void tearDown()
    {
        dev.close();
    }

    @Test
    void aCardThatCannotPowerUpIsMarkedNeedsHostReboot()
            throws Exception
    {
        rewriteSysfs(SimulatedSysfs.builder(plan()).withoutReset("tesla-t4"));
        dev.proxmox().setVmStatus(203, "stopped");
        refreshHost();
        dev.proxmox().failNextStart(203, "start failed: QEMU exited with code 1: kvm: vfio 0000:06:00.0: Unable to change power state from D3cold to D0, device inaccessible");

        TestHomelab.RackctlResult move = rackctl("gpu", "move", "tesla-t4", "--to", "203", "--wait");
        assertThat(move.exitCode()).as(move.out() + move.err()).isEqualTo(1);
        assertThat(move.out()).contains("warning: 0000:06:00.0 cannot be reset").contains("Unable to change power state").contains("needs a host reboot");
        GpuMove ended = onlyMove();
        assertThat(ended.getState()).isEqualTo(MoveState.MOVE_STATE_ROLLED_BACK);
        assertThat(dev.proxmox().vmConfig(201).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        assertThat(dev.proxmox().vmConfig(203).orElseThrow()).doesNotContainKey("hostpci0");

        JsonNode status = status();
        assertThat(status.get("state").asText()).isEqualTo("needs-host-reboot");
        assertThat(status.get("detail").asText()).contains("reboot the Proxmox host");
        TestHomelab.awaitCondition("the metric shows it", Duration.ofSeconds(20), () -> metrics().contains("rackpilot_gpu_state{gpu=\"tesla-t4\",state=\"needs-host-reboot\"} 1.0"));
        // Nothing retries on its own: a new plan revision asking for 203 is refused by preflight.
        TestHomelab.RackctlResult again = rackctl("gpu", "move", "tesla-t4", "--to", "203");
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.err()).contains("needs-host-reboot").contains("reboot the Proxmox host");
    }

    @Test
    void alreadyInUseByAVmStartedByHandStopsTheMoveNamingIt()
    {
        dev.proxmox().setVmStatus(203, "stopped");
        refreshHost();
        dev.proxmox().setTaskDelay(Duration.ofSeconds(2));
        TestHomelab.RackctlResult started = rackctl("gpu", "move", "tesla-t4", "--to", "203", "-o", "json");
        assertThat(started.exitCode()).as(started.err()).isZero();
        String moveId = TestHomelab.json(started.out()).get("id").asText();
        // While VM 203 starts, someone puts the card back into VM 201 and starts it by hand.
        TestHomelab.awaitCondition("start-new runs", Duration.ofSeconds(60), () -> stepState(moveId, "start-new") == StepState.STEP_STATE_RUNNING);
        dev.proxmox().setConfig(201, "hostpci0", Optional.of("mapping=tesla-t4,pcie=1"));
        dev.proxmox().setVmStatus(201, "running");

        TestHomelab.awaitCondition("the move ends", Duration.ofSeconds(60), () -> move(moveId).getState() != MoveState.MOVE_STATE_RUNNING);
        GpuMove ended = move(moveId);
        assertThat(ended.getState()).isEqualTo(MoveState.MOVE_STATE_FAILED);
        assertThat(ended.getMessage()).contains("stopped at start-new").contains("already in use by VMID '201'").contains("nothing was undone");
        assertThat(ended.getStepsList().stream().filter(MoveStep::getUndo)).isEmpty();
        dev.proxmox().setTaskDelay(Duration.ofMillis(300));
    }

    @Test
    void aVmShutDownDuringTheMoveStopsIt()
    {
        TestHomelab.RackctlResult started = rackctl("gpu", "move", "tesla-t4", "--to", "202", "-o", "json");
        String moveId = TestHomelab.json(started.out()).get("id").asText();
        TestHomelab.awaitCondition("restart-new done", Duration.ofSeconds(60), () -> stepState(moveId, "restart-new") == StepState.STEP_STATE_DONE);
        // Someone powers VM 202 off from inside.
        dev.proxmox().setVmStatus(202, "stopped");
        refreshHost();

        TestHomelab.awaitCondition("the move ends", Duration.ofSeconds(60), () -> move(moveId).getState() != MoveState.MOVE_STATE_RUNNING);
        GpuMove ended = move(moveId);
        assertThat(ended.getState()).isEqualTo(MoveState.MOVE_STATE_FAILED);
        assertThat(ended.getMessage()).contains("VM 202 was shut down during the move");
        JsonNode status = status();
        assertThat(status.at("/move/state").asText()).isEqualTo("failed");
        // Whichever wait it was in when the report came (the card, allocatable, taints), it stopped there.
        assertThat(status.at("/move/steps")).anySatisfy(step -> {
            assertThat(step.get("name").asText()).startsWith("wait-");
            assertThat(step.get("state").asText()).isEqualTo("failed");
            assertThat(step.get("detail").asText()).contains("VM 202 was shut down during the move");
            assertThat(step.has("startedAt") && step.has("finishedAt")).isTrue();
        });
    }

    @Test
    void anIommuGroupWithAnUnrelatedDeviceIsRefused()
            throws Exception
    {
        rewriteSysfs(SimulatedSysfs.builder(plan()).unrelatedGroupPeer("tesla-t4", "0000:05:00.0"));
        refreshHost();
        TestHomelab.awaitCondition("the host-agent reports the group", Duration.ofSeconds(30), () -> rackctl("inventory", "pve", "-o", "json").out().contains("0000:05:00.0"));

        TestHomelab.RackctlResult move = rackctl("gpu", "move", "tesla-t4", "--to", "202", "--dry-run");
        assertThat(move.exitCode()).isEqualTo(2);
        assertThat(move.err()).contains("IOMMU group 40 of 0000:06:00.0 also holds 0000:05:00.0").contains("not functions of the card");
        assertThat(dev.coordinator().moves().list()).isEmpty();
    }

    @Test
    void aCardTheHostDriverTookIsReportedAndNotMoved()
            throws Exception
    {
        rewriteSysfs(SimulatedSysfs.builder(plan()).boundToHostDriver("tesla-t4"));
        refreshHost();
        TestHomelab.awaitCondition("gpu status says driver-mismatch", Duration.ofSeconds(30), () -> status().path("state").asText().equals("driver-mismatch"));
        assertThat(status().get("detail").asText()).contains("bound to nvidia on the host, not vfio-pci");
        TestHomelab.RackctlResult diff = rackctl("plan", "diff");
        assertThat(diff.exitCode()).isEqualTo(2);
        assertThat(diff.out()).contains("gpu-driver").contains("tesla-t4 0000:06:00.0").contains("tesla-t4 0000:06:00.1");
        TestHomelab.RackctlResult move = rackctl("gpu", "move", "tesla-t4", "--to", "202");
        assertThat(move.exitCode()).isEqualTo(2);
        assertThat(move.err()).contains("is bound to nvidia on the host, not vfio-pci");
        TestHomelab.awaitCondition("the metric shows it", Duration.ofSeconds(20), () -> metrics().contains("rackpilot_gpu_state{gpu=\"tesla-t4\",state=\"driver-mismatch\"} 1.0"));
    }

    private HomelabPlan plan()
    {
        return PlanLoader.load(PLAN);
    }

    private void rewriteSysfs(SimulatedSysfs.Builder builder)
            throws IOException
    {
        Path hostSys = dev.workDirectory().resolve("host-sys");
        try (Stream<Path> paths = Files.walk(hostSys)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        builder.write(hostSys);
    }

    private void refreshHost()
    {
        TestHomelab.RackctlResult refresh = rackctl("exec", "pve", "inventory.refresh", "--wait");
        assertThat(refresh.exitCode()).as(refresh.out() + refresh.err()).isZero();
    }

    private String metrics()
    {
        return HttpGet.get("http://127.0.0.1:" + dev.coordinator().metricsPort() + "/metrics").body();
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

    private StepState stepState(String moveId, String name)
    {
        return move(moveId).getStepsList().stream().filter(step -> !step.getUndo() && step.getName().equals(name))
                .map(MoveStep::getState).findFirst().orElse(StepState.STEP_STATE_UNSPECIFIED);
    }

    private JsonNode status()
    {
        return TestHomelab.json(rackctl("gpu", "status", "-o", "json").out()).path(0);
    }

    private boolean kubernetesFound(String node)
    {
        TestHomelab.RackctlResult inventory = rackctl("inventory", node, "-o", "json");
        return inventory.exitCode() == 0 && TestHomelab.json(inventory.out()).at("/kubernetes/state").asText().equals("found");
    }

    private TestHomelab.RackctlResult rackctl(String... arguments)
    {
        return TestHomelab.rackctl(environment, arguments);
    }
}
