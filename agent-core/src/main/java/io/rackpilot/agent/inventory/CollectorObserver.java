package io.rackpilot.agent.inventory;

/**
 * Told about every collector run, for the {@code rackpilot_inventory_collector_success} and
 * {@code rackpilot_inventory_collector_duration_seconds} metrics.
 */
@FunctionalInterface
public interface CollectorObserver
{
    CollectorObserver NONE = (collector, success, durationNanos) -> {};

    void collected(String collector, boolean success, long durationNanos);
}
