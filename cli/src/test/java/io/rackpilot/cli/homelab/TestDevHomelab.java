package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.agent.Agent;
import io.rackpilot.cli.dev.DevHomelab;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rackctl dev} over the example plan: one host-agent and a node-agent per Kubernetes VM,
 * and rackctl finds the dev certificate on its own.
 */
class TestDevHomelab
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void aSecondDevHomelabOnTheSamePortLeavesTheFirstOnesCertificateAlone()
            throws Exception
    {
        HomelabPlan plan = PlanLoader.load(Path.of("../docs/examples/homelab.yaml"));
        Path clientDirectory = home.resolve(".config/rackpilot/dev");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (DevHomelab first = DevHomelab.start(plan, 0, 0, clientDirectory, Map.of(), quiet)) {
            byte[] certificate = java.nio.file.Files.readAllBytes(clientDirectory.resolve("rackctl.pem"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DevHomelab.start(plan, first.coordinator().grpcPort(), 0, clientDirectory, Map.of(), quiet))
                    .isInstanceOf(java.io.IOException.class);
            assertThat(java.nio.file.Files.readAllBytes(clientDirectory.resolve("rackctl.pem"))).isEqualTo(certificate);
            Map<String, String> environment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + first.coordinator().grpcPort());
            assertThat(TestHomelab.rackctl(environment, "agents").exitCode()).isZero();
        }
    }

    @Test
    void runsTheExamplePlanAndRackctlFindsIt()
            throws Exception
    {
        HomelabPlan plan = PlanLoader.load(Path.of("../docs/examples/homelab.yaml"));
        Map<String, String> environment = Map.of("HOME", home.toString());
        Path clientDirectory = home.resolve(".config/rackpilot/dev");
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Path workDirectory;
        try (DevHomelab dev = DevHomelab.start(plan, 0, 0, clientDirectory, Map.of(), new PrintStream(output, true, StandardCharsets.UTF_8))) {
            workDirectory = dev.workDirectory();
            List<String> ids = new ArrayList<>();
            for (Agent agent : dev.agents()) {
                ids.add(agent.id());
            }
            assertThat(ids).containsExactly("pve", "k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4");
            assertThat(dev.agents()).extracting(Agent::metricsPort).doesNotHaveDuplicates();

            Map<String, String> rackctlEnvironment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
            TestHomelab.awaitCondition("all six agents connected", () -> {
                TestHomelab.RackctlResult agents = TestHomelab.rackctl(rackctlEnvironment, "agents", "-o", "json");
                return agents.exitCode() == 0 && agents.out().split("\"connected\"", -1).length - 1 == 6;
            });
            TestHomelab.awaitCondition("k8s-node1 reported", () -> TestHomelab.rackctl(rackctlEnvironment, "inventory", "k8s-node1").exitCode() == 0);
            JsonNode inventory = JSON.readTree(TestHomelab.rackctl(rackctlEnvironment, "inventory", "k8s-node1", "-o", "json").out());
            String expectedUuid = plan.vm(201).orElseThrow().smbiosUuid().orElseThrow();
            assertThat(inventory.at("/system/uuid").asText()).isEqualTo(expectedUuid);

            TestHomelab.awaitCondition("the T4 reported", () -> TestHomelab.rackctl(rackctlEnvironment, "gpus", "-o", "json").out().contains("Tesla T4"));
            JsonNode gpus = JSON.readTree(TestHomelab.rackctl(rackctlEnvironment, "gpus", "-o", "json").out());
            assertThat(gpus).hasSize(1);
            JsonNode t4 = gpus.get(0);
            assertThat(t4.get("agent").asText()).as("the plan puts the T4 on VM 201").isEqualTo(plan.vm(201).orElseThrow().name());
            assertThat(t4.get("name").asText()).isEqualTo("Tesla T4");
            assertThat(t4.get("uuid").asText()).startsWith("GPU-");
            assertThat(t4.get("health").asText()).isEqualTo("healthy");
            assertThat(t4.get("memoryTotalBytes").asLong()).isEqualTo(15_360L * 1024 * 1024);
            assertThat(t4.has("fanRatio")).as("a T4 has no fan").isFalse();
            for (String field : List.of("pciBusId", "memoryUsedBytes", "utilizationRatio", "temperatureCelsius", "powerWatts")) {
                assertThat(t4.has(field)).as(field).isTrue();
            }
            TestHomelab.RackctlResult table = TestHomelab.rackctl(rackctlEnvironment, "gpus");
            assertThat(table.out()).contains("k8s-node1").contains("Tesla T4").contains("healthy");

            ByteArrayOutputStream description = new ByteArrayOutputStream();
            dev.describe(new PrintStream(description, true, StandardCharsets.UTF_8));
            assertThat(description.toString(StandardCharsets.UTF_8)).contains("coordinator").contains("node-agent k8s-node4").contains("bin/rackctl agents");
        }
        assertThat(Files.exists(clientDirectory)).as("dev credentials are removed on stop").isFalse();
        assertThat(Files.exists(workDirectory)).isFalse();
        assertThat(TestHomelab.rackctl(environment, "agents").exitCode()).as("no certificate left behind").isEqualTo(2);
    }

    @Test
    void withRackpilotNvmlLibraryTheNodeAgentsReadGpusThroughNvml()
            throws Exception
    {
        Path fake = Path.of("../agent-core/target/fake-nvml/libnvidia-ml.so.1");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(fake) || "1".equals(System.getenv("RACKPILOT_REQUIRE_SYSTEM_TESTS")), "the fake libnvidia-ml was not built (needs gcc)");
        Path library = home.resolve("nvml/libnvidia-ml.so.1");
        Files.createDirectories(library.getParent());
        Files.copy(fake, library);
        Files.writeString(library.resolveSibling("fake-nvml.script"), "count = 1\ngpu.0.name = NVIDIA A2\n");
        HomelabPlan plan = PlanLoader.load(Path.of("../docs/examples/homelab.yaml"));
        Path clientDirectory = home.resolve(".config/rackpilot/dev");
        Map<String, String> environment = Map.of("HOME", home.toString(), "RACKPILOT_NVML_LIBRARY", library.toString());
        try (DevHomelab dev = DevHomelab.start(plan, 0, 0, clientDirectory, environment, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            Map<String, String> rackctlEnvironment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
            // five node-agents, each reading the (shared) fake library: five GPUs named as the script says
            TestHomelab.awaitCondition("every node-agent reported its NVML GPU", () -> {
                try {
                    return JSON.readTree(TestHomelab.rackctl(rackctlEnvironment, "gpus", "-o", "json").out()).size() == 5;
                }
                catch (Exception e) {
                    return false;
                }
            });
            JsonNode gpus = JSON.readTree(TestHomelab.rackctl(rackctlEnvironment, "gpus", "-o", "json").out());
            assertThat(gpus).allSatisfy(gpu -> assertThat(gpu.get("name").asText()).isEqualTo("NVIDIA A2"));
            assertThat(gpus).extracting(gpu -> gpu.get("agent").asText()).containsExactlyInAnyOrder("k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4");
            JsonNode inventory = JSON.readTree(TestHomelab.rackctl(rackctlEnvironment, "inventory", "k8s-node2", "-o", "json").out());
            assertThat(inventory.at("/gpus/nvml/state").asText()).isEqualTo("available");
            assertThat(inventory.at("/gpus/nvml/library").asText()).contains(library.toString());
        }
    }
}
