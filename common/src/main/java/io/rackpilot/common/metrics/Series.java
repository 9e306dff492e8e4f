package io.rackpilot.common.metrics;

import com.codahale.metrics.Metric;

import static java.util.Objects.requireNonNull;

/**
 * One labelled series: its Dropwizard metric, registered under {@code key} ({@code name{labels}}), and the
 * {@code id} the label mapper hands the bridge as a unique, plain metric name.
 */
record Series(String id, String key, MetricFamily family, Labels labels, Metric metric)
{
    Series
    {
        requireNonNull(id, "id is null");
        requireNonNull(key, "key is null");
        requireNonNull(family, "family is null");
        requireNonNull(labels, "labels is null");
        requireNonNull(metric, "metric is null");
    }

    static String key(String name, Labels labels)
    {
        return name + labels;
    }
}
