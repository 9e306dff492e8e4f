package io.rackpilot.agent.command;

import io.rackpilot.proto.v1.Action;

import java.time.Duration;

/**
 * Carries out one kind of action on this machine. Handlers are idempotent: applying the same
 * action twice changes nothing the second time.
 *
 * <p>The framework honours dry-run: it always calls {@link #prepare}, which validates and works out
 * what would change without side effects, and calls {@link PreparedAction#apply} only for a real
 * run of an action that is not already in place.
 */
public interface ActionHandler
{
    Action.KindCase kind();

    /**
     * How long one run may take before the framework gives up on it (the command's deadline can
     * make it shorter).
     */
    default Duration timeout()
    {
        return Duration.ofMinutes(1);
    }

    /**
     * Validates the action and works out what applying it would do. No side effects.
     *
     * @throws ActionException with {@link ActionException.Kind#REJECTED} for bad parameters
     */
    PreparedAction prepare(Action action)
            throws ActionException;
}
