package io.rackpilot.common.metrics;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One metric name with its type, help text and label names; every series of the name shares them.
 */
record MetricFamily(MetricKind kind, String name, String help, List<String> labelNames)
{
    MetricFamily
    {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(help, "help is null");
        labelNames = List.copyOf(labelNames);
    }

    String snapshotName()
    {
        return kind.snapshotName(name);
    }

    /**
     * Refuses a second use of this name that differs in type, help text or label names.
     */
    void checkSameAs(MetricKind otherKind, String otherHelp, List<String> otherLabelNames)
    {
        if (kind != otherKind) {
            throw new IllegalArgumentException("metric '" + name + "' is already registered as a " + kind.description() + ", not as a " + otherKind.description());
        }
        if (!help.equals(otherHelp)) {
            throw new IllegalArgumentException("metric '" + name + "' is already registered with help '" + help + "', not '" + otherHelp + "'");
        }
        if (!labelNames.equals(otherLabelNames)) {
            throw new IllegalArgumentException("metric '" + name + "' is already registered with label names " + labelNames + ", not " + otherLabelNames);
        }
    }
}
