package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.testing.HttpGet;
import io.rackpilot.common.testing.Promtool;
import io.rackpilot.common.testing.SystemTools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every daemon's /metrics passes promtool's lint, and a real Prometheus server pointed at the
 * coordinator's http_sd endpoint finds and scrapes every agent.
 */
class TestMetricsEndpoints
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestHomelab homelab;

    @BeforeEach
    void setUp()
            throws Exception
    {
        homelab = new TestHomelab();
        homelab.startCoordinator();
        homelab.startAgent(AgentKind.HOST, "pve");
        homelab.startAgent(AgentKind.NODE, "k8s-node1");
        homelab.startAgent(AgentKind.NODE, "k8s-node2");
        homelab.awaitConnected("pve", "k8s-node1", "k8s-node2");
        // one command each way so the labelled command series exist
        assertThat(homelab.rackctl("exec", "k8s-node1", "agent.ping", "--wait").exitCode()).isZero();
        assertThat(homelab.rackctl("exec", "pve", "agent.ping", "--set", "message=x", "--dry-run", "--wait").exitCode()).isZero();
    }

    @AfterEach
    void tearDown()
    {
        homelab.close();
    }

    @Test
    void everyEndpointPassesPromtool()
            throws Exception
    {
        String coordinator = get("http://127.0.0.1:" + homelab.coordinator().metricsPort() + "/metrics");
        assertThat(coordinator)
                .contains("rackpilot_agents{role=\"node\",state=\"connected\"} 2.0")
                .contains("rackpilot_agents{role=\"host\",state=\"connected\"} 1.0")
                .contains("rackpilot_commands_total{action=\"agent.ping\",outcome=\"succeeded\"} 2.0")
                .contains("rackpilot_command_queue_depth 0.0")
                .contains("rackpilot_store_operation_duration_seconds");
        Promtool.checkMetrics(coordinator);

        String host = get("http://127.0.0.1:" + homelab.agent("pve").metricsPort() + "/metrics");
        assertThat(host)
                .contains("rackpilot_agent_info{id=\"pve\",role=\"host\"")
                .contains("rackpilot_agent_connected 1.0")
                .contains("rackpilot_agent_commands_total{action=\"agent.ping\",outcome=\"succeeded\"} 1.0")
                .contains("rackpilot_machine_memory_total_bytes")
                .contains("rackpilot_inventory_collector_success{collector=\"cpu\"} 1.0");
        Promtool.checkMetrics(host);

        String node = get("http://127.0.0.1:" + homelab.agent("k8s-node1").metricsPort() + "/metrics");
        assertThat(node).contains("rackpilot_agent_info{id=\"k8s-node1\",role=\"node\"").contains("rackpilot_agent_command_duration_seconds");
        Promtool.checkMetrics(node);

        assertThat(get("http://127.0.0.1:" + homelab.agent("k8s-node1").metricsPort() + "/healthz")).isEqualTo("ok\n");

        String documentation = Files.readString(Path.of("../docs/metrics.md"));
        for (String exposition : List.of(coordinator, host, node)) {
            exposition.lines()
                    .filter(line -> line.startsWith("# HELP "))
                    .map(line -> line.split(" ")[2])
                    .forEach(name -> assertThat(documentation).as("docs/metrics.md documents %s", name).contains("`" + name + "`"));
        }
    }

    @Test
    void theDocumentedAlertsAreValidRules()
            throws Exception
    {
        String documentation = Files.readString(Path.of("../docs/metrics.md"));
        int section = documentation.indexOf("## Alerts worth having");
        int start = documentation.indexOf("```yaml\n", section) + "```yaml\n".length();
        int end = documentation.indexOf("```", start);
        String alerts = documentation.substring(start, end);
        assertThat(alerts).contains("RackpilotGpuMoveFailed").contains("RackpilotHomelabDrifts");
        String rules = "groups:\n  - name: rackpilot\n    rules:\n" + alerts.lines().map(line -> "      " + line).collect(java.util.stream.Collectors.joining("\n")) + "\n";
        Promtool.checkRules(rules);
    }

    @Test
    void aRealPrometheusDiscoversAndScrapesEveryAgentThroughTheCoordinator()
            throws Exception
    {
        Path prometheusBinary = SystemTools.require("prometheus");
        String discovery = get("http://127.0.0.1:" + homelab.coordinator().metricsPort() + "/sd/prometheus");
        JsonNode groups = JSON.readTree(discovery);
        assertThat(groups).hasSize(3);
        assertThat(groups.get(0).get("labels").get("rackpilot_agent").asText()).isEqualTo("pve");

        Path directory = homelab.root().resolve("prometheus");
        Files.createDirectories(directory);
        int port = freePort();
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: rackpilot
                    http_sd_configs:
                      - url: http://127.0.0.1:%d/sd/prometheus
                        refresh_interval: 1s
                """.formatted(homelab.coordinator().metricsPort()));
        Process prometheus = new ProcessBuilder(
                prometheusBinary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("prometheus.log").toFile())
                .start();
        try {
            String query = "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode("up{job=\"rackpilot\"} == 1", StandardCharsets.UTF_8);
            Set<String> up = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && up.size() < 3) {
                Thread.sleep(500);
                HttpGet.Response response;
                try {
                    response = HttpGet.get(query);
                }
                catch (java.io.UncheckedIOException e) {
                    continue;
                }
                if (response.status() != 200) {
                    continue;
                }
                up.clear();
                for (JsonNode sample : JSON.readTree(response.body()).at("/data/result")) {
                    up.add(sample.at("/metric/rackpilot_agent").asText());
                }
            }
            assertThat(up).as("agents Prometheus scraped with up == 1; log: %s", Files.readString(directory.resolve("prometheus.log")))
                    .containsExactlyInAnyOrder("pve", "k8s-node1", "k8s-node2");
        }
        finally {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    private static String get(String url)
            throws Exception
    {
        HttpGet.Response response = HttpGet.get(url);
        assertThat(response.status()).as(url).isEqualTo(200);
        return response.body();
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
