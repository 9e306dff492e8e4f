package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.agent.Agent;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.io.AtomicFiles;
import io.rackpilot.common.testing.HttpGet;
import io.rackpilot.common.testing.Promtool;
import io.rackpilot.hostagent.HostAgent;
import io.rackpilot.nodeagent.NodeAgent;
import io.rackpilot.proto.v1.AgentState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GPUs end to end: a node-agent reads a GPU through the real JNA binding from the fake
 * libnvidia-ml (C, real ABI), the coordinator keeps it, rackctl and /metrics show it; a hung NVML
 * call and a lost GPU do not stop the agent.
 */
class TestGpus
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FAKE_NVML = Path.of("../agent-core/target/fake-nvml/libnvidia-ml.so.1");
    private static final String UUID = "GPU-5f0a2c1e-8b7d-4e2f-9a31-6c0d4b1e7a20";

    private TestHomelab homelab;
    private Path library;

    @BeforeEach
    void setUp(TestInfo test)
            throws Exception
    {
        if (!Files.exists(FAKE_NVML)) {
            if ("1".equals(System.getenv("RACKPILOT_REQUIRE_SYSTEM_TESTS"))) {
                fail("the fake libnvidia-ml was not built at " + FAKE_NVML.toAbsolutePath() + " (agent-core's build compiles it with gcc)");
            }
            assumeTrue(false, "the fake libnvidia-ml was not built (needs gcc)");
        }
        homelab = new TestHomelab();
        homelab.startCoordinator();
        // each agent gets its own copy of the library, with its script beside it
        library = homelab.root().resolve("nvml/libnvidia-ml.so.1");
        Files.createDirectories(library.getParent());
        Files.copy(FAKE_NVML, library);
        script("""
                count = 1
                driver_version = 550.54.15
                gpu.0.name = Tesla T4
                gpu.0.uuid = %s
                gpu.0.pci.bus_id = 00000000:01:00.0
                gpu.0.error.nvmlDeviceGetFanSpeed = 3
                """.formatted(UUID));
        homelab.startAgent(AgentKind.NODE, "k8s-node1", NodeAgent::parts, new AgentConfig.Gpu(library, Duration.ofMillis(200), Duration.ofMillis(600)));
        homelab.startAgent(AgentKind.HOST, "pve", HostAgent::parts, new AgentConfig.Gpu(homelab.root().resolve("no-such-libnvidia-ml.so"), null, null));
        homelab.awaitConnected("k8s-node1", "pve");
        awaitGpu("the T4 reported", gpu -> gpu.get("health").asText().equals("healthy"));
    }

    @AfterEach
    void tearDown()
    {
        if (homelab != null) {
            homelab.close();
        }
    }

    @Test
    void rackctlAndMetricsShowTheGpu()
            throws Exception
    {
        JsonNode gpus = JSON.readTree(homelab.rackctl("gpus", "-o", "json").out());
        assertThat(gpus).hasSize(1);
        JsonNode t4 = gpus.get(0);
        assertThat(t4.get("uuid").asText()).isEqualTo(UUID);
        assertThat(t4.get("name").asText()).isEqualTo("Tesla T4");
        assertThat(t4.get("pciBusId").asText()).isEqualTo("00000000:01:00.0");
        assertThat(t4.get("agent").asText()).isEqualTo("k8s-node1");
        assertThat(t4.get("health").asText()).isEqualTo("healthy");
        assertThat(t4.get("driverVersion").asText()).isEqualTo("550.54.15");
        for (String field : List.of("memoryTotalBytes", "memoryUsedBytes", "utilizationRatio", "temperatureCelsius", "powerWatts")) {
            assertThat(t4.has(field)).as(field).isTrue();
        }
        assertThat(t4.has("fanRatio")).as("NOT_SUPPORTED leaves the fan out").isFalse();

        TestHomelab.RackctlResult table = homelab.rackctl("gpus");
        assertThat(table.out()).contains("k8s-node1").contains("Tesla T4").contains(UUID).contains("healthy");

        JsonNode inventory = JSON.readTree(homelab.rackctl("inventory", "k8s-node1", "-o", "json").out());
        assertThat(inventory.at("/gpus/nvml/state").asText()).isEqualTo("available");
        assertThat(inventory.at("/gpus/items/0/uuid").asText()).isEqualTo(UUID);
        JsonNode host = JSON.readTree(homelab.rackctl("inventory", "pve", "-o", "json").out());
        assertThat(host.at("/gpus/nvml/state").asText()).isEqualTo("absent");
        assertThat(homelab.rackctl("inventory", "pve").out()).contains("NVML:       absent");

        String metrics = HttpGet.get("http://127.0.0.1:" + homelab.agent("k8s-node1").metricsPort() + "/metrics").body();
        assertThat(metrics)
                .contains("rackpilot_gpus 1.0")
                .contains("rackpilot_nvml_available 1.0")
                .contains("rackpilot_gpu_info{driver_version=\"550.54.15\",index=\"0\",name=\"Tesla T4\",pci_bus_id=\"00000000:01:00.0\",uuid=\"" + UUID + "\"} 1")
                .contains("rackpilot_gpu_memory_total_bytes{uuid=\"" + UUID + "\"}")
                .contains("rackpilot_gpu_clock_hertz{clock=\"sm\",uuid=\"" + UUID + "\"}")
                .contains("rackpilot_gpu_energy_joules_total{uuid=\"" + UUID + "\"}")
                .contains("rackpilot_gpu_collector_success 1.0")
                .doesNotContain("rackpilot_gpu_fan_ratio{");
        Promtool.checkMetrics(metrics);
        String hostMetrics = HttpGet.get("http://127.0.0.1:" + homelab.agent("pve").metricsPort() + "/metrics").body();
        assertThat(hostMetrics).contains("rackpilot_nvml_available 0.0").contains("rackpilot_gpus 0.0");
        Promtool.checkMetrics(hostMetrics);
    }

    @Test
    void aHungNvmlCallStallsNeitherHeartbeatsNorCommands()
            throws Exception
    {
        Agent agent = homelab.agent("k8s-node1");
        script("""
                count = 1
                gpu.0.uuid = %s
                sleep.nvmlDeviceGetTemperature = 4000
                """.formatted(UUID));
        awaitGpu("the hang reported", gpu -> gpu.get("health").asText().equals("error") && gpu.get("healthDetail").asText().contains("has not returned"));
        // while the GPU thread is stuck in the native call: heartbeats keep the agent connected, commands run
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(homelab.coordinator().registry().agent("k8s-node1").orElseThrow().getState()).isEqualTo(AgentState.AGENT_STATE_CONNECTED);
            Thread.sleep(100);
        }
        assertThat(agent.link().isConnected()).isTrue();
        assertThat(homelab.rackctl("exec", "k8s-node1", "agent.ping", "--set", "message=during-hang", "--wait").exitCode()).isZero();
        String metrics = HttpGet.get("http://127.0.0.1:" + agent.metricsPort() + "/metrics").body();
        assertThat(metrics).contains("rackpilot_gpu_collector_success 0.0");

        script("""
                count = 1
                gpu.0.uuid = %s
                """.formatted(UUID));
        awaitGpu("recovery after the call returned", gpu -> gpu.get("health").asText().equals("healthy"));
    }

    @Test
    void aLostGpuIsReportedAndComesBackWhenHealthy()
            throws Exception
    {
        script("""
                count = 1
                gpu.0.uuid = %s
                gpu.0.error.nvmlDeviceGetTemperature = 15
                """.formatted(UUID));
        awaitGpu("the GPU lost", gpu -> gpu.get("health").asText().equals("lost"));
        JsonNode lost = JSON.readTree(homelab.rackctl("gpus", "-o", "json").out()).get(0);
        assertThat(lost.get("healthDetail").asText()).contains("GPU is lost");
        assertThat(homelab.agent("k8s-node1").link().isConnected()).isTrue();

        script("""
                count = 1
                gpu.0.uuid = %s
                """.formatted(UUID));
        awaitGpu("the GPU back", gpu -> gpu.get("health").asText().equals("healthy"));
    }

    private void script(String text)
            throws Exception
    {
        AtomicFiles.write(library.resolveSibling("fake-nvml.script"), text.getBytes(StandardCharsets.UTF_8));
    }

    private void awaitGpu(String what, java.util.function.Predicate<JsonNode> condition)
    {
        TestHomelab.awaitCondition(what, () -> {
            try {
                JsonNode gpus = JSON.readTree(homelab.rackctl("gpus", "-o", "json").out());
                return gpus.size() == 1 && condition.test(gpus.get(0));
            }
            catch (Exception e) {
                return false;
            }
        });
    }
}
