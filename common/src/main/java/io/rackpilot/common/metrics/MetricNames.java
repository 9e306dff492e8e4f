package io.rackpilot.common.metrics;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Prometheus naming rules the {@link Metrics} facade enforces.
 */
final class MetricNames
{
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> RESERVED_LABEL_NAMES = Set.of("quantile", "le");
    private static final List<String> RESERVED_GAUGE_SUFFIXES = List.of("_total", "_info", "_created", "_bucket");

    private MetricNames() {}

    static void checkLabelName(String name)
    {
        if (name == null) {
            throw new IllegalArgumentException("label name is null");
        }
        if (!LABEL_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid label name '" + name + "': must match " + LABEL_NAME.pattern());
        }
        if (name.startsWith("__")) {
            throw new IllegalArgumentException("invalid label name '" + name + "': names starting with __ are reserved by Prometheus");
        }
        if (RESERVED_LABEL_NAMES.contains(name)) {
            throw new IllegalArgumentException("invalid label name '" + name + "': reserved for summaries and histograms");
        }
    }

    static void checkMetricName(MetricKind kind, String name)
    {
        if (name == null) {
            throw new IllegalArgumentException("metric name is null");
        }
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid metric name '" + name + "': must match " + METRIC_NAME.pattern());
        }
        switch (kind) {
            case COUNTER -> requireSuffix(kind, name, "_total");
            case TIMER -> requireSuffix(kind, name, "_seconds");
            case INFO -> requireSuffix(kind, name, "_info");
            case GAUGE -> {
                for (String suffix : RESERVED_GAUGE_SUFFIXES) {
                    if (name.endsWith(suffix)) {
                        throw new IllegalArgumentException("invalid gauge name '" + name + "': the suffix " + suffix + " is reserved for other metric types");
                    }
                }
            }
        }
    }

    static void checkHelp(String name, String help)
    {
        if (help == null || help.isBlank()) {
            throw new IllegalArgumentException("metric '" + name + "' needs a help text");
        }
    }

    private static void requireSuffix(MetricKind kind, String name, String suffix)
    {
        if (!name.endsWith(suffix) || name.length() == suffix.length()) {
            throw new IllegalArgumentException("invalid " + kind.description() + " name '" + name + "': must end in " + suffix);
        }
    }
}
