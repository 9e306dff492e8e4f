package io.rackpilot.coordinator.commands;

import static java.util.Objects.requireNonNull;

/**
 * A command the coordinator will not queue, with the reason in words an operator can act on.
 */
public final class CommandRejectedException
        extends RuntimeException
{
    public enum Reason
    {
        UNKNOWN_AGENT, UNKNOWN_COMMAND, INVALID,
        /** The action is not one the agent's certificate role receives (a host action for a node-agent). */
        WRONG_ROLE
    }

    private final Reason reason;

    public CommandRejectedException(Reason reason, String message)
    {
        super(requireNonNull(message, "message is null"));
        this.reason = requireNonNull(reason, "reason is null");
    }

    public Reason reason()
    {
        return reason;
    }
}
