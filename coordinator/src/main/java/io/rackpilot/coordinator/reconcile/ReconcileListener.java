package io.rackpilot.coordinator.reconcile;

import java.time.Duration;

/**
 * Told about every reconciliation and every action's end; the coordinator's metrics listen.
 */
public interface ReconcileListener
{
    void reconciled(Reconciliation result, Duration took);

    /**
     * @param outcome succeeded, failed, rejected, timed_out, expired for commands; started or
     *        refused for GPU moves
     */
    void actionFinished(DriftKind kind, String outcome);

    ReconcileListener NONE = new ReconcileListener()
    {
        @Override
        public void reconciled(Reconciliation result, Duration took) {}

        @Override
        public void actionFinished(DriftKind kind, String outcome) {}
    };
}
