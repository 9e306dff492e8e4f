package io.rackpilot.common.metrics;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class TestMetricsConcurrency
{
    @Test
    void scrapesWhileSeriesComeAndGo()
            throws Exception
    {
        Metrics metrics = new Metrics();
        metrics.counter("rackpilot_events_total", "Events.", Labels.empty());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService workers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> churn = new ArrayList<>();
            for (int worker = 0; worker < 3; worker++) {
                String id = "agent-" + worker;
                churn.add(workers.submit(() -> {
                    while (!stop.get()) {
                        metrics.gauge("rackpilot_agent_up", "Whether the agent is connected.", Labels.of("id", id), () -> 1);
                        metrics.counter("rackpilot_agent_reports_total", "Reports.", Labels.of("id", id)).inc();
                        metrics.counter("rackpilot_events_total", "Events.", Labels.empty()).inc();
                        metrics.removeAllWithLabel("id", id);
                    }
                }));
            }
            for (int scrape = 0; scrape < 500; scrape++) {
                MetricSnapshots snapshots = metrics.snapshot();
                assertThat(snapshots.stream().map(snapshot -> snapshot.getMetadata().getName())).contains("rackpilot_events");
                PrometheusExposition.toBytes(metrics);
            }
            stop.set(true);
            for (Future<?> future : churn) {
                future.get(10, TimeUnit.SECONDS);
            }
        }
        finally {
            stop.set(true);
            workers.shutdownNow();
        }

        assertThat(metrics.registry().getNames()).containsExactly("rackpilot_events_total");
        assertThat(PrometheusExposition.toText(metrics)).startsWith("# HELP rackpilot_events_total Events.\n");
    }
}
