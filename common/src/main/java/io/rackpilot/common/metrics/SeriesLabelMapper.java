package io.rackpilot.common.metrics;

import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.snapshots.Labels;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The bridge's label hook, answering from the series table instead of from Graphite-style globs.
 * <p>
 * {@link CustomLabelMapper}'s own matching ({@link MapperConfig}) cannot serve us: a {@code *} in its globs
 * matches {@code [^.]*}, so a label value with a dot ({@code agent.ping}, {@code 0.1.0}) cannot be captured,
 * label names need two characters or more, and every pattern must be known up front. Its two public methods
 * are what the bridge calls, so this subclass overrides both; the one glob its constructor insists on is
 * never consulted.
 */
final class SeriesLabelMapper
        extends CustomLabelMapper
{
    private static final List<MapperConfig> UNUSED_CONFIG = List.of(new MapperConfig("rackpilot.unused.*", "rackpilot_unused", Map.of()));

    private final Function<String, Series> seriesByKey;

    SeriesLabelMapper(Function<String, Series> seriesByKey)
    {
        super(UNUSED_CONFIG);
        this.seriesByKey = requireNonNull(seriesByKey, "seriesByKey is null");
    }

    /**
     * The series' id: a unique plain name, so the bridge's snapshots never share a name.
     */
    @Override
    public String getName(String dropwizardName)
    {
        return series(dropwizardName).id();
    }

    @Override
    public Labels getLabels(String dropwizardName, List<String> additionalLabelNames, List<String> additionalLabelValues)
    {
        io.rackpilot.common.metrics.Labels labels = series(dropwizardName).labels();
        Labels mapped = Labels.of(labels.names(), labels.values());
        if (additionalLabelNames.isEmpty()) {
            return mapped;
        }
        return mapped.merge(Labels.of(additionalLabelNames, additionalLabelValues));
    }

    private Series series(String dropwizardName)
    {
        Series series = seriesByKey.apply(dropwizardName);
        if (series == null) {
            throw new SeriesRemovedException(dropwizardName);
        }
        return series;
    }

    /**
     * The series was removed between the bridge listing the registry and asking for its name.
     */
    static final class SeriesRemovedException
            extends RuntimeException
    {
        SeriesRemovedException(String key)
        {
            super("series " + key + " was removed during the scrape");
        }
    }
}
