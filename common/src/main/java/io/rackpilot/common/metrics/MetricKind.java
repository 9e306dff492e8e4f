package io.rackpilot.common.metrics;

import java.util.List;

/**
 * What a metric family is, and the names its exposition uses.
 */
enum MetricKind
{
    COUNTER("counter"),
    GAUGE("gauge"),
    TIMER("timer"),
    INFO("info metric");

    private final String description;

    MetricKind(String description)
    {
        this.description = description;
    }

    String description()
    {
        return description;
    }

    /**
     * The name client_java's snapshot carries: counters and info metrics drop their {@code _total} and
     * {@code _info} suffix there, and the text writer appends it again.
     */
    String snapshotName(String name)
    {
        return switch (this) {
            case COUNTER -> name.substring(0, name.length() - "_total".length());
            case INFO -> name.substring(0, name.length() - "_info".length());
            case GAUGE, TIMER -> name;
        };
    }

    /**
     * Every name this family occupies in the exposition or in client_java's snapshots; two families may not share one.
     */
    List<String> occupiedNames(String name)
    {
        return switch (this) {
            case COUNTER -> List.of(name, snapshotName(name), snapshotName(name) + "_created");
            case INFO -> List.of(name, snapshotName(name));
            case TIMER -> List.of(name, name + "_count", name + "_sum");
            case GAUGE -> List.of(name);
        };
    }
}
