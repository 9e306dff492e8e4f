package io.rackpilot.common.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Turns the bridge's snapshots (one per Dropwizard metric, named by series id, labels already set by
 * {@link SeriesLabelMapper}) into one snapshot per metric family, with the family's name, help text and type.
 */
final class FamilySnapshots
{
    private final Function<String, Series> seriesById;

    FamilySnapshots(Function<String, Series> seriesById)
    {
        this.seriesById = requireNonNull(seriesById, "seriesById is null");
    }

    MetricSnapshots assemble(MetricSnapshots bridged)
    {
        Map<MetricFamily, List<DataPointSnapshot>> pointsByFamily = new LinkedHashMap<>();
        for (MetricSnapshot snapshot : bridged) {
            Series series = seriesById.apply(snapshot.getMetadata().getName());
            if (series == null) {
                // removed while the bridge collected it
                continue;
            }
            List<DataPointSnapshot> points = pointsByFamily.computeIfAbsent(series.family(), family -> new ArrayList<>());
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                points.add(exposed(series, point));
            }
        }
        MetricSnapshots.Builder builder = MetricSnapshots.builder();
        pointsByFamily.forEach((family, points) -> builder.metricSnapshot(snapshot(family, points)));
        return builder.build();
    }

    private static DataPointSnapshot exposed(Series series, DataPointSnapshot point)
    {
        return switch (series.family().kind()) {
            case COUNTER, GAUGE -> point;
            case INFO -> new InfoDataPointSnapshot(point.getLabels());
            case TIMER -> {
                SummaryDataPointSnapshot summary = (SummaryDataPointSnapshot) point;
                yield SummaryDataPointSnapshot.builder()
                        .labels(summary.getLabels())
                        .quantiles(summary.getQuantiles())
                        .count(summary.getCount())
                        .sum(((SummingTimer) series.metric()).sumSeconds())
                        .build();
            }
        };
    }

    private static MetricSnapshot snapshot(MetricFamily family, List<DataPointSnapshot> points)
    {
        MetricMetadata metadata = new MetricMetadata(family.snapshotName(), family.help());
        return switch (family.kind()) {
            case COUNTER -> new CounterSnapshot(metadata, cast(points, CounterDataPointSnapshot.class));
            case GAUGE -> new GaugeSnapshot(metadata, cast(points, GaugeDataPointSnapshot.class));
            case INFO -> new InfoSnapshot(metadata, cast(points, InfoDataPointSnapshot.class));
            case TIMER -> new SummarySnapshot(metadata, cast(points, SummaryDataPointSnapshot.class));
        };
    }

    private static <T extends DataPointSnapshot> List<T> cast(List<DataPointSnapshot> points, Class<T> type)
    {
        List<T> typed = new ArrayList<>(points.size());
        for (DataPointSnapshot point : points) {
            typed.add(type.cast(point));
        }
        return typed;
    }
}
