package io.rackpilot.common.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prints how long rendering a registry of about 200 series takes; a figure to read, not a limit.
 */
class TestMetricsRenderBenchmark
{
    private static final int WARMUP_RENDERS = 300;
    private static final int MEASURED_RENDERS = 1000;

    @Test
    void rendersAbout200Series()
    {
        Metrics metrics = RealisticMetrics.agentAndCoordinator();
        int bytes = PrometheusExposition.toBytes(metrics).length;
        for (int render = 0; render < WARMUP_RENDERS; render++) {
            PrometheusExposition.toBytes(metrics);
        }
        long[] nanos = new long[MEASURED_RENDERS];
        for (int render = 0; render < MEASURED_RENDERS; render++) {
            long start = System.nanoTime();
            PrometheusExposition.toBytes(metrics);
            nanos[render] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);

        String text = PrometheusExposition.toText(metrics);
        long sampleLines = text.lines().filter(line -> !line.startsWith("#")).count();
        System.out.printf("rendering %d series (%d sample lines, %d bytes): median %.1f us, p90 %.1f us, p99 %.1f us over %d renders%n",
                RealisticMetrics.SERIES, sampleLines, bytes,
                nanos[MEASURED_RENDERS / 2] / 1e3, nanos[MEASURED_RENDERS * 9 / 10] / 1e3, nanos[MEASURED_RENDERS * 99 / 100] / 1e3, MEASURED_RENDERS);

        assertThat(metrics.registry().getMetrics()).hasSize(RealisticMetrics.SERIES);
        assertThat(sampleLines).isEqualTo(RealisticMetrics.SERIES + 7L * 10);
    }
}
