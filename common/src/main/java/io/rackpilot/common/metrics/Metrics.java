package io.rackpilot.common.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * A daemon's metrics: Dropwizard metrics with Prometheus names, labels and help text, exposed through
 * Prometheus client_java's Dropwizard bridge.
 * <p>
 * Each series (a name with one set of label values) is one Dropwizard metric in {@link #registry()},
 * registered under its Prometheus notation, for example
 * {@code rackpilot_agent_commands_total{action="agent.ping",outcome="succeeded"}} ({@code name + labels}).
 * The family's type, help text and label names are kept here, so the same name can only be used again with
 * the same type, help text and label names.
 * <p>
 * Why not plain {@link io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper} configs: its
 * Graphite globs match one dot-free name part per {@code *}, so label values such as {@code agent.ping} or
 * {@code 0.1.0} cannot pass through it, and it always writes the bridge's generic help text. So the export runs in
 * two steps that keep the bridge doing the Dropwizard conversion (counter and gauge values, timer quantiles in
 * seconds, skipping a failing gauge):
 * <ol>
 * <li>{@link DropwizardExports} collects the facade's metrics (a metric filter hides anything else in the
 * registry) with {@link SeriesLabelMapper}, a {@code CustomLabelMapper} whose overridden methods name each
 * snapshot by a unique series id and attach the series' labels from the series table;</li>
 * <li>{@link FamilySnapshots} groups those snapshots by family and rebuilds them with the family's name, help
 * text and type (info metrics become client_java info snapshots; timers get their {@code _sum} from
 * {@link SummingTimer}), ready for client_java's {@code PrometheusTextFormatWriter}.</li>
 * </ol>
 * Series ids are needed because client_java refuses two snapshots with one name, and the bridge makes one
 * snapshot per Dropwizard metric.
 * <p>
 * Registering: {@link #counter} and {@link #timer} return the existing metric when the series exists;
 * {@link #gauge} <em>replaces</em> the supplier of an existing series (the latest registration wins);
 * {@link #info} is idempotent. Remove series with {@link #remove} or {@link #removeAllWithLabel}, not through
 * {@link #registry()}.
 * <p>
 * A gauge whose supplier throws or returns null is left out of that scrape and logged; the rest is exposed.
 */
public final class Metrics
{
    private static final Logger log = Logger.getLogger(Metrics.class.getName());

    private final MetricRegistry registry;
    private final PrometheusRegistry bridgeRegistry = new PrometheusRegistry();
    private final FamilySnapshots familySnapshots;

    private final ConcurrentMap<String, MetricFamily> families = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Series> seriesByKey = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Series> seriesById = new ConcurrentHashMap<>();
    // guarded by this
    private final Map<String, String> familyByOccupiedName = new HashMap<>();
    // guarded by this
    private long nextSeriesId;

    public Metrics()
    {
        this(new MetricRegistry());
    }

    /**
     * Metrics kept in the given registry; metrics put there other than through this facade are not exposed.
     */
    public Metrics(MetricRegistry registry)
    {
        this.registry = requireNonNull(registry, "registry is null");
        this.familySnapshots = new FamilySnapshots(seriesById::get);
        DropwizardExports.builder()
                .dropwizardRegistry(registry)
                .metricFilter((name, metric) -> seriesByKey.containsKey(name))
                .customLabelMapper(new SeriesLabelMapper(seriesByKey::get))
                .invalidMetricHandler(Metrics::skipFailedSeries)
                .register(bridgeRegistry);
    }

    /**
     * A counter; {@code name} must end in {@code _total}.
     */
    public Counter counter(String name, String help, Labels labels)
    {
        Metric metric = series(MetricKind.COUNTER, name, help, labels, Counter::new).metric();
        if (metric instanceof SupplierCounter) {
            throw new IllegalArgumentException(name + labels + " is a counter read from a supplier; it cannot be incremented");
        }
        return (Counter) metric;
    }

    /**
     * A counter whose value is read from {@code value} at every scrape, for counts kept elsewhere (the
     * energy NVML counts since the driver loaded); {@code name} must end in {@code _total}. Registering the
     * same series again replaces the supplier.
     */
    public void counter(String name, String help, Labels labels, LongSupplier value)
    {
        requireNonNull(value, "value is null");
        Series series = series(MetricKind.COUNTER, name, help, labels, () -> new SupplierCounter(value));
        if (!(series.metric() instanceof SupplierCounter counter)) {
            throw new IllegalArgumentException(name + labels + " is already a counter that is incremented, not read from a supplier");
        }
        counter.replace(value);
    }

    /**
     * A timer, exposed as a summary in seconds (quantiles 0.5 to 0.999, {@code _count}, {@code _sum});
     * {@code name} must end in {@code _seconds}.
     */
    public Timer timer(String name, String help, Labels labels)
    {
        return (Timer) series(MetricKind.TIMER, name, help, labels, SummingTimer::new).metric();
    }

    /**
     * A gauge reading {@code value} at every scrape. Registering the same name and labels again replaces the supplier.
     */
    public void gauge(String name, String help, Labels labels, Supplier<? extends Number> value)
    {
        requireNonNull(value, "value is null");
        Series series = series(MetricKind.GAUGE, name, help, labels, () -> new SupplierGauge(value));
        ((SupplierGauge) series.metric()).replace(value);
    }

    /**
     * An info metric: a gauge of constant 1 whose labels carry the information
     * ({@code rackpilot_agent_info{id="k8s-node1",version="0.1.0"} 1}); {@code name} must end in {@code _info}.
     * Registering it again is a no-op; to change a label value, {@link #remove} the old series first.
     */
    public void info(String name, String help, Labels labels)
    {
        series(MetricKind.INFO, name, help, labels, () -> (Gauge<Integer>) () -> 1);
    }

    /**
     * Drops one series of any type; returns whether it existed. The name stays reserved for its type, help and labels.
     */
    public boolean remove(String name, Labels labels)
    {
        requireNonNull(name, "name is null");
        requireNonNull(labels, "labels is null");
        synchronized (this) {
            Series series = seriesByKey.get(Series.key(name, labels));
            if (series == null) {
                return false;
            }
            removeSeries(series);
            return true;
        }
    }

    /**
     * Drops every series, of any metric, that has the label with this value (an agent that went away:
     * {@code removeAllWithLabel("id", "k8s-node1")}); returns how many were dropped.
     */
    public int removeAllWithLabel(String labelName, String labelValue)
    {
        requireNonNull(labelName, "labelName is null");
        requireNonNull(labelValue, "labelValue is null");
        synchronized (this) {
            List<Series> matching = seriesByKey.values().stream()
                    .filter(series -> series.labels().value(labelName).filter(labelValue::equals).isPresent())
                    .toList();
            matching.forEach(this::removeSeries);
            return matching.size();
        }
    }

    public MetricRegistry registry()
    {
        return registry;
    }

    /**
     * The current values, one snapshot per metric name, ready for client_java's exposition writers.
     */
    public MetricSnapshots snapshot()
    {
        return familySnapshots.assemble(bridgeRegistry.scrape());
    }

    private Series series(MetricKind kind, String name, String help, Labels labels, Supplier<Metric> newMetric)
    {
        requireNonNull(name, "name is null");
        requireNonNull(help, "help is null");
        requireNonNull(labels, "labels is null");
        String key = Series.key(name, labels);
        Series existing = seriesByKey.get(key);
        if (existing != null) {
            existing.family().checkSameAs(kind, help, labels.names());
            return existing;
        }
        synchronized (this) {
            MetricFamily family = family(kind, name, help, labels.names());
            existing = seriesByKey.get(key);
            if (existing != null) {
                return existing;
            }
            Metric metric = newMetric.get();
            registry.register(key, metric);
            Series series = new Series("series_" + nextSeriesId++, key, family, labels, metric);
            seriesById.put(series.id(), series);
            // last, so the bridge's filter sees only complete series
            seriesByKey.put(key, series);
            return series;
        }
    }

    // guarded by this
    private MetricFamily family(MetricKind kind, String name, String help, List<String> labelNames)
    {
        MetricFamily existing = families.get(name);
        if (existing != null) {
            existing.checkSameAs(kind, help, labelNames);
            return existing;
        }
        MetricNames.checkMetricName(kind, name);
        MetricNames.checkHelp(name, help);
        List<String> occupiedNames = kind.occupiedNames(name);
        for (String occupied : occupiedNames) {
            String owner = familyByOccupiedName.get(occupied);
            if (owner != null) {
                MetricFamily ownerFamily = families.get(owner);
                throw new IllegalArgumentException("metric '" + name + "' clashes with the " + ownerFamily.kind().description() + " '" + owner + "' (both use the name '" + occupied + "')");
            }
        }
        MetricFamily family = new MetricFamily(kind, name, help, labelNames);
        occupiedNames.forEach(occupied -> familyByOccupiedName.put(occupied, name));
        families.put(name, family);
        return family;
    }

    // guarded by this
    private void removeSeries(Series series)
    {
        seriesByKey.remove(series.key());
        registry.remove(series.key());
        seriesById.remove(series.id());
    }

    private static boolean skipFailedSeries(String key, Exception exception)
    {
        if (exception instanceof SeriesLabelMapper.SeriesRemovedException) {
            log.log(Level.FINE, exception.getMessage());
        }
        else {
            log.log(Level.WARNING, "metric " + key + " is left out of this scrape: " + exception, exception);
        }
        return true;
    }
}
