package io.rackpilot.coordinator.plan;

import static java.util.Objects.requireNonNull;

/**
 * A plan that was not stored, and why: it does not validate, or the stored revision is not the
 * one the caller expected.
 */
public final class PlanRejectedException
        extends RuntimeException
{
    public enum Reason
    {
        INVALID,
        CONFLICT,
        NOT_FOUND,
    }

    private final Reason reason;

    public PlanRejectedException(Reason reason, String message)
    {
        super(message);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public Reason reason()
    {
        return reason;
    }
}
