package io.rackpilot.coordinator.relocation;

import static java.util.Objects.requireNonNull;

/**
 * A GPU move that was not started, and why.
 */
public final class MoveRefusedException
        extends RuntimeException
{
    public enum Reason
    {
        /** The GPU or the VM is not known. */
        NOT_FOUND,
        /** A preflight check failed: the move would not work, or not safely. */
        PRECONDITION,
        /** Another move of the GPU is in progress. */
        CONFLICT,
    }

    private final Reason reason;

    public MoveRefusedException(Reason reason, String message)
    {
        super(message);
        this.reason = requireNonNull(reason, "reason is null");
    }

    public Reason reason()
    {
        return reason;
    }
}
