package io.rackpilot.common.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class TestMetrics
{
    private static final String HELP = "Commands carried out, by action and outcome.";

    private final Metrics metrics = new Metrics();

    @Test
    void aCounterReadFromASupplierIsExposedAsACounter()
    {
        Metrics metrics = new Metrics();
        java.util.concurrent.atomic.AtomicLong joules = new java.util.concurrent.atomic.AtomicLong(1200);
        metrics.counter("rackpilot_gpu_energy_joules_total", "Energy the GPU used since the driver loaded.", Labels.of("uuid", "GPU-1"), joules::get);
        joules.set(1500);
        String text = PrometheusExposition.toText(metrics);
        assertThat(text)
                .contains("# HELP rackpilot_gpu_energy_joules_total Energy the GPU used since the driver loaded.")
                .contains("# TYPE rackpilot_gpu_energy_joules_total counter")
                .contains("rackpilot_gpu_energy_joules_total{uuid=\"GPU-1\"} 1500.0");
        assertThatThrownBy(() -> metrics.counter("rackpilot_gpu_energy_joules_total", "Energy the GPU used since the driver loaded.", Labels.of("uuid", "GPU-1")))
                .hasMessageContaining("cannot be incremented");

        metrics.counter("rackpilot_gpu_energy_joules_total", "Energy the GPU used since the driver loaded.", Labels.of("uuid", "GPU-1"), () -> 7);
        assertThat(PrometheusExposition.toText(metrics)).contains("rackpilot_gpu_energy_joules_total{uuid=\"GPU-1\"} 7.0");

        metrics.counter("rackpilot_jobs_total", "Jobs.", Labels.empty()).inc();
        assertThatThrownBy(() -> metrics.counter("rackpilot_jobs_total", "Jobs.", Labels.empty(), () -> 3))
                .hasMessageContaining("already a counter that is incremented");
    }

    @Test
    void returnsTheSameCounterForTheSameSeries()
    {
        Counter first = metrics.counter("rackpilot_commands_total", HELP, Labels.of("action", "agent.ping", "outcome", "succeeded"));
        Counter again = metrics.counter("rackpilot_commands_total", HELP, Labels.of("outcome", "succeeded", "action", "agent.ping"));
        Counter other = metrics.counter("rackpilot_commands_total", HELP, Labels.of("action", "agent.ping", "outcome", "failed"));

        assertThat(again).isSameAs(first);
        assertThat(other).isNotSameAs(first);
        assertThat(metrics.registry().getCounters())
                .containsOnlyKeys(
                        "rackpilot_commands_total{action=\"agent.ping\",outcome=\"succeeded\"}",
                        "rackpilot_commands_total{action=\"agent.ping\",outcome=\"failed\"}");
    }

    @Test
    void exposesCountersWithTheirLabelsAndHelp()
    {
        metrics.counter("rackpilot_commands_total", HELP, Labels.of("action", "agent.ping", "outcome", "succeeded")).inc(3);
        metrics.counter("rackpilot_commands_total", HELP, Labels.of("action", "gpu.move", "outcome", "failed")).inc();

        CounterSnapshot snapshot = (CounterSnapshot) only(metrics.snapshot());

        assertThat(snapshot.getMetadata().getName()).isEqualTo("rackpilot_commands");
        assertThat(snapshot.getMetadata().getPrometheusName()).isEqualTo("rackpilot_commands");
        assertThat(snapshot.getMetadata().getHelp()).isEqualTo(HELP);
        assertThat(snapshot.getDataPoints())
                .extracting(point -> point.getLabels().get("action") + "/" + point.getLabels().get("outcome") + "=" + point.getValue())
                .containsExactlyInAnyOrder("agent.ping/succeeded=3.0", "gpu.move/failed=1.0");
    }

    @Test
    void timersKeepQuantilesCountAndSumInSeconds()
            throws Exception
    {
        Timer timer = metrics.timer("rackpilot_command_duration_seconds", "How long commands took.", Labels.of("action", "agent.ping"));
        timer.update(Duration.ofMillis(100));
        timer.update(300, java.util.concurrent.TimeUnit.MILLISECONDS);
        Timer.Context context = timer.time();
        Thread.sleep(5);
        context.stop();
        timer.time(() -> "done");

        SummarySnapshot snapshot = (SummarySnapshot) only(metrics.snapshot());
        SummarySnapshot.SummaryDataPointSnapshot point = snapshot.getDataPoints().get(0);

        assertThat(snapshot.getMetadata().getName()).isEqualTo("rackpilot_command_duration_seconds");
        assertThat(point.getLabels().get("action")).isEqualTo("agent.ping");
        assertThat(point.getCount()).isEqualTo(4);
        assertThat(point.getSum()).isBetween(0.405, 1.0);
        assertThat(point.getQuantiles().size()).isEqualTo(6);
        assertThat(point.getQuantiles().get(point.getQuantiles().size() - 1).getValue()).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void gaugeRegisteredAgainReplacesItsSupplier()
    {
        metrics.gauge("rackpilot_agents_connected", "Agents connected now.", Labels.of("role", "node"), () -> 1);
        metrics.gauge("rackpilot_agents_connected", "Agents connected now.", Labels.of("role", "node"), () -> 5L);

        GaugeSnapshot snapshot = (GaugeSnapshot) only(metrics.snapshot());

        assertThat(snapshot.getDataPoints()).singleElement()
                .satisfies(point -> assertThat(point.getValue()).isEqualTo(5.0));
        assertThat(metrics.registry().getGauges()).hasSize(1);
    }

    @Test
    void infoIsAGaugeOfOne()
    {
        metrics.info("rackpilot_agent_info", "The agent's identity and version.", Labels.of("id", "k8s-node1", "version", "0.1.0"));
        metrics.info("rackpilot_agent_info", "The agent's identity and version.", Labels.of("id", "k8s-node1", "version", "0.1.0"));

        InfoSnapshot snapshot = (InfoSnapshot) only(metrics.snapshot());

        assertThat(snapshot.getMetadata().getName()).isEqualTo("rackpilot_agent");
        assertThat(snapshot.getDataPoints()).singleElement()
                .satisfies(point -> assertThat(point.getLabels().get("version")).isEqualTo("0.1.0"));
        assertThat(metrics.registry().getGauges().values()).singleElement()
                .satisfies(gauge -> assertThat(gauge.getValue()).isEqualTo(1));
    }

    @Test
    void removesOneSeries()
    {
        metrics.gauge("rackpilot_agent_up", "Whether the agent is connected.", Labels.of("id", "a"), () -> 1);
        metrics.gauge("rackpilot_agent_up", "Whether the agent is connected.", Labels.of("id", "b"), () -> 1);

        assertThat(metrics.remove("rackpilot_agent_up", Labels.of("id", "a"))).isTrue();
        assertThat(metrics.remove("rackpilot_agent_up", Labels.of("id", "a"))).isFalse();

        GaugeSnapshot snapshot = (GaugeSnapshot) only(metrics.snapshot());
        assertThat(snapshot.getDataPoints()).extracting(point -> point.getLabels().get("id")).containsExactly("b");
        assertThat(metrics.registry().getNames()).containsExactly("rackpilot_agent_up{id=\"b\"}");
    }

    @Test
    void removesEverySeriesOfAnAgent()
    {
        metrics.gauge("rackpilot_agent_up", "Whether the agent is connected.", Labels.of("id", "a"), () -> 1);
        metrics.gauge("rackpilot_agent_up", "Whether the agent is connected.", Labels.of("id", "b"), () -> 1);
        metrics.info("rackpilot_agent_info", "The agent's identity.", Labels.of("id", "a", "version", "0.1.0"));
        metrics.counter("rackpilot_agent_reports_total", "Reports received.", Labels.of("id", "a")).inc();

        assertThat(metrics.removeAllWithLabel("id", "a")).isEqualTo(3);

        assertThat(metrics.registry().getNames()).containsExactly("rackpilot_agent_up{id=\"b\"}");
        assertThat(metrics.snapshot().size()).isEqualTo(1);
        assertThat(metrics.removeAllWithLabel("id", "a")).isZero();
    }

    @Test
    void seriesComesBackFreshAfterRemoval()
    {
        metrics.counter("rackpilot_agent_reports_total", "Reports received.", Labels.of("id", "a")).inc(7);
        metrics.remove("rackpilot_agent_reports_total", Labels.of("id", "a"));

        assertThat(metrics.counter("rackpilot_agent_reports_total", "Reports received.", Labels.of("id", "a")).getCount()).isZero();
    }

    @Test
    void aFailingGaugeIsLeftOutAndTheRestIsExposed()
    {
        Logger logger = Logger.getLogger(Metrics.class.getName());
        Level level = logger.getLevel();
        logger.setLevel(Level.OFF);
        try {
            metrics.gauge("rackpilot_broken", "Throws.", Labels.empty(), () -> {
                throw new IllegalStateException("sensor gone");
            });
            metrics.gauge("rackpilot_nothing", "Returns null.", Labels.empty(), () -> null);
            metrics.gauge("rackpilot_fine", "Works.", Labels.empty(), () -> 2.5);
            metrics.counter("rackpilot_events_total", "Events.", Labels.empty()).inc();

            MetricSnapshots snapshots = metrics.snapshot();

            assertThat(snapshots.stream().map(snapshot -> snapshot.getMetadata().getName()))
                    .containsExactly("rackpilot_events", "rackpilot_fine");
        }
        finally {
            logger.setLevel(level);
        }
    }

    @Test
    void leavesOutMetricsRegisteredBehindItsBack()
    {
        MetricRegistry registry = new MetricRegistry();
        Metrics shared = new Metrics(registry);
        registry.counter("jvm.threads");
        shared.counter("rackpilot_events_total", "Events.", Labels.empty());

        assertThat(shared.snapshot().stream().map(snapshot -> snapshot.getMetadata().getName())).containsExactly("rackpilot_events");
        assertThat(shared.registry()).isSameAs(registry);
    }

    @Test
    void gaugeSupplierIsReadAtEveryScrape()
    {
        AtomicInteger value = new AtomicInteger(1);
        metrics.gauge("rackpilot_queue_length", "Commands waiting.", Labels.empty(), value::get);

        double first = ((GaugeSnapshot) only(metrics.snapshot())).getDataPoints().get(0).getValue();
        value.set(9);
        double second = ((GaugeSnapshot) only(metrics.snapshot())).getDataPoints().get(0).getValue();

        assertThat(first).isEqualTo(1.0);
        assertThat(second).isEqualTo(9.0);
    }

    @Test
    void refusesInvalidNames()
    {
        assertThatThrownBy(() -> metrics.counter("rackpilot.commands_total", HELP, Labels.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid metric name 'rackpilot.commands_total': must match [a-zA-Z_:][a-zA-Z0-9_:]*");
        assertThatThrownBy(() -> metrics.gauge("9lives", HELP, Labels.empty(), () -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid metric name '9lives'");
        assertThatThrownBy(() -> metrics.gauge("", HELP, Labels.empty(), () -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid metric name ''");
    }

    @Test
    void refusesNamesWithTheWrongSuffix()
    {
        assertThatThrownBy(() -> metrics.counter("rackpilot_commands", HELP, Labels.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid counter name 'rackpilot_commands': must end in _total");
        assertThatThrownBy(() -> metrics.counter("_total", HELP, Labels.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid counter name '_total': must end in _total");
        assertThatThrownBy(() -> metrics.timer("rackpilot_command_duration", HELP, Labels.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid timer name 'rackpilot_command_duration': must end in _seconds");
        assertThatThrownBy(() -> metrics.info("rackpilot_agent", HELP, Labels.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid info metric name 'rackpilot_agent': must end in _info");
        assertThatThrownBy(() -> metrics.gauge("rackpilot_commands_total", HELP, Labels.empty(), () -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid gauge name 'rackpilot_commands_total': the suffix _total is reserved for other metric types");
        assertThatThrownBy(() -> metrics.gauge("rackpilot_gpu_info", HELP, Labels.empty(), () -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the suffix _info is reserved");
    }

    @Test
    void refusesAMissingHelpText()
    {
        assertThatThrownBy(() -> metrics.counter("rackpilot_events_total", " ", Labels.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric 'rackpilot_events_total' needs a help text");
        assertThatThrownBy(() -> metrics.counter("rackpilot_events_total", null, Labels.empty()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("help is null");
    }

    @Test
    void sameNameMustKeepTypeHelpAndLabelNames()
    {
        metrics.counter("rackpilot_commands_total", HELP, Labels.of("action", "agent.ping"));

        assertThatThrownBy(() -> metrics.counter("rackpilot_commands_total", "Other help.", Labels.of("action", "agent.ping")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric 'rackpilot_commands_total' is already registered with help '" + HELP + "', not 'Other help.'");
        assertThatThrownBy(() -> metrics.counter("rackpilot_commands_total", HELP, Labels.of("action", "agent.ping", "outcome", "failed")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric 'rackpilot_commands_total' is already registered with label names [action], not [action, outcome]");
        assertThatThrownBy(() -> metrics.counter("rackpilot_commands_total", HELP, Labels.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric 'rackpilot_commands_total' is already registered with label names [action], not []");
        metrics.gauge("rackpilot_temperature_celsius", "GPU temperature.", Labels.of("uuid", "GPU-1"), () -> 40);
        assertThatThrownBy(() -> metrics.timer("rackpilot_temperature_celsius", "GPU temperature.", Labels.of("uuid", "GPU-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric 'rackpilot_temperature_celsius' is already registered as a gauge, not as a timer");
    }

    @Test
    void refusesNamesThatClashInTheExposition()
    {
        metrics.counter("rackpilot_reports_total", "Reports.", Labels.empty());
        metrics.timer("rackpilot_scrape_seconds", "Scrape time.", Labels.empty());
        metrics.info("rackpilot_build_info", "Build.", Labels.of("version", "0.1.0"));

        assertThatThrownBy(() -> metrics.gauge("rackpilot_reports", "Reports.", Labels.empty(), () -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric 'rackpilot_reports' clashes with the counter 'rackpilot_reports_total' (both use the name 'rackpilot_reports')");
        assertThatThrownBy(() -> metrics.gauge("rackpilot_scrape_seconds_count", "Count.", Labels.empty(), () -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clashes with the timer 'rackpilot_scrape_seconds'");
        assertThatThrownBy(() -> metrics.gauge("rackpilot_build", "Build.", Labels.empty(), () -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clashes with the info metric 'rackpilot_build_info'");
    }

    @Test
    void labelValuesWithDotsAndQuotesSurviveTheBridge()
    {
        Labels labels = Labels.of("name", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "path", "C:\\x \"y\"\nz", "version", "0.1.0");
        metrics.info("rackpilot_host_info", "Host.", labels);

        InfoSnapshot snapshot = (InfoSnapshot) only(metrics.snapshot());

        assertThat(snapshot.getDataPoints().get(0).getLabels().get("name")).isEqualTo("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz");
        assertThat(snapshot.getDataPoints().get(0).getLabels().get("path")).isEqualTo("C:\\x \"y\"\nz");
        assertThat(snapshot.getDataPoints().get(0).getLabels().get("version")).isEqualTo("0.1.0");
    }

    private static MetricSnapshot only(MetricSnapshots snapshots)
    {
        assertThat(snapshots.size()).isEqualTo(1);
        return snapshots.get(0);
    }
}
