package io.rackpilot.agent.command;

import io.rackpilot.proto.v1.Action;

import java.time.Duration;
import java.time.Instant;

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

    /**
     * As {@link #prepare(Action)}, knowing when the run will be cut off (the handler's timeout or
     * the command's deadline, whichever comes first): a handler that waits on something, such as a
     * drain, ends on its own before then and reports how far it got.
     */
    default PreparedAction prepare(Action action, Instant runDeadline)
            throws ActionException
    {
        return prepare(action);
    }
}
