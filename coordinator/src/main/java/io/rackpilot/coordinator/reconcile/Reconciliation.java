package io.rackpilot.coordinator.reconcile;

import io.rackpilot.proto.v1.DriftItem;

import java.util.List;

/**
 * The reconciler's answer: every difference found, what could not be compared, and the actions
 * that close the enforced differences.
 */
public record Reconciliation(List<DriftItem> drift, List<String> unknown, List<ReconcileAction> actions)
{
    public Reconciliation
    {
        drift = List.copyOf(drift);
        unknown = List.copyOf(unknown);
        actions = List.copyOf(actions);
    }

    public boolean inSync()
    {
        return drift.isEmpty();
    }
}
