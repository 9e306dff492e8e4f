package io.rackpilot.common.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.rackpilot.common.testing.Promtool;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class TestPrometheusExposition
{
    private static final Pattern SAMPLE_NAME = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");

    @Test
    void writesTheGoldenExposition()
    {
        Metrics metrics = new Metrics();
        metrics.info("rackpilot_agent_info", "The agent's identity and version.", Labels.of("id", "k8s-node1", "role", "node", "version", "0.1.0"));
        metrics.counter("rackpilot_agent_commands_total", "Commands the agent carried out, by action and outcome.", Labels.of("action", "agent.ping", "outcome", "succeeded")).inc(3);
        metrics.counter("rackpilot_agent_commands_total", "Commands the agent carried out, by action and outcome.", Labels.of("action", "gpu.move", "outcome", "failed")).inc();
        metrics.timer("rackpilot_agent_command_duration_seconds", "How long commands took, by action.", Labels.of("action", "agent.ping")).update(Duration.ofMillis(250));
        metrics.gauge("rackpilot_machine_memory_total_bytes", "Physical memory of the machine.", Labels.empty(), () -> 8192L);
        metrics.gauge("rackpilot_gpu_temperature_celsius", "GPU temperature.", Labels.of("uuid", "GPU-5f0b2a1c"), () -> 41.5);

        assertThat(PrometheusExposition.toText(metrics)).isEqualTo("""
                # HELP rackpilot_agent_info The agent's identity and version.
                # TYPE rackpilot_agent_info gauge
                rackpilot_agent_info{id="k8s-node1",role="node",version="0.1.0"} 1
                # HELP rackpilot_agent_command_duration_seconds How long commands took, by action.
                # TYPE rackpilot_agent_command_duration_seconds summary
                rackpilot_agent_command_duration_seconds{action="agent.ping",quantile="0.5"} 0.25
                rackpilot_agent_command_duration_seconds{action="agent.ping",quantile="0.75"} 0.25
                rackpilot_agent_command_duration_seconds{action="agent.ping",quantile="0.95"} 0.25
                rackpilot_agent_command_duration_seconds{action="agent.ping",quantile="0.98"} 0.25
                rackpilot_agent_command_duration_seconds{action="agent.ping",quantile="0.99"} 0.25
                rackpilot_agent_command_duration_seconds{action="agent.ping",quantile="0.999"} 0.25
                rackpilot_agent_command_duration_seconds_count{action="agent.ping"} 1
                rackpilot_agent_command_duration_seconds_sum{action="agent.ping"} 0.25
                # HELP rackpilot_agent_commands_total Commands the agent carried out, by action and outcome.
                # TYPE rackpilot_agent_commands_total counter
                rackpilot_agent_commands_total{action="agent.ping",outcome="succeeded"} 3.0
                rackpilot_agent_commands_total{action="gpu.move",outcome="failed"} 1.0
                # HELP rackpilot_gpu_temperature_celsius GPU temperature.
                # TYPE rackpilot_gpu_temperature_celsius gauge
                rackpilot_gpu_temperature_celsius{uuid="GPU-5f0b2a1c"} 41.5
                # HELP rackpilot_machine_memory_total_bytes Physical memory of the machine.
                # TYPE rackpilot_machine_memory_total_bytes gauge
                rackpilot_machine_memory_total_bytes 8192.0
                """);
    }

    @Test
    void escapesLabelValuesAndHelp()
    {
        Metrics metrics = new Metrics();
        metrics.info("rackpilot_cpu_info", "CPU model, as in C:\\ or\nthe \"BIOS\".", Labels.of("model", "Intel(R) Xeon(R) \"E5\" C:\\x\ny"));

        assertThat(PrometheusExposition.toText(metrics)).isEqualTo("""
                # HELP rackpilot_cpu_info CPU model, as in C:\\\\ or\\nthe "BIOS".
                # TYPE rackpilot_cpu_info gauge
                rackpilot_cpu_info{model="Intel(R) Xeon(R) \\"E5\\" C:\\\\x\\ny"} 1
                """);
    }

    @Test
    void everyMetricHasItsHelpAndType()
    {
        String text = PrometheusExposition.toText(RealisticMetrics.agentAndCoordinator());

        Set<String> helped = new HashSet<>();
        Set<String> typed = new HashSet<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] parts = line.split(" ", 4);
                assertThat(parts[3]).doesNotContain("Generated from Dropwizard");
                helped.add(parts[2]);
            }
            else if (line.startsWith("# TYPE ")) {
                typed.add(line.split(" ")[2]);
            }
            else {
                Matcher matcher = SAMPLE_NAME.matcher(line);
                assertThat(matcher.find()).as("sample line %s", line).isTrue();
                String family = matcher.group(1).replaceFirst("_(count|sum)$", "");
                assertThat(helped).as("HELP before %s", line).contains(family);
                assertThat(typed).as("TYPE before %s", line).contains(family);
            }
        }
        assertThat(helped).hasSize(RealisticMetrics.FAMILIES);
        assertThat(helped).isEqualTo(typed);
    }

    @Test
    void passesPromtool()
    {
        Promtool.checkMetrics(PrometheusExposition.toText(RealisticMetrics.agentAndCoordinator()));
    }

    @Test
    void writesToAStreamWithTheFormatsContentType()
            throws IOException
    {
        Metrics metrics = new Metrics();
        metrics.counter("rackpilot_events_total", "Events.", Labels.empty()).inc(2);
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        PrometheusExposition.write(metrics, output);

        assertThat(output.toString(StandardCharsets.UTF_8)).isEqualTo("""
                # HELP rackpilot_events_total Events.
                # TYPE rackpilot_events_total counter
                rackpilot_events_total 2.0
                """);
        assertThat(PrometheusExposition.CONTENT_TYPE)
                .isEqualTo("text/plain; version=0.0.4; charset=utf-8")
                .isEqualTo(PrometheusTextFormatWriter.create().getContentType());
    }

    @Test
    void writesNothingForNoMetrics()
    {
        assertThat(PrometheusExposition.toText(new Metrics())).isEmpty();
    }
}
