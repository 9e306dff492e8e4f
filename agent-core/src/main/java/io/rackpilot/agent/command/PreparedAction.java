package io.rackpilot.agent.command;

import io.rackpilot.proto.v1.ActionResult;

/**
 * An action that has been validated and whose effect is known, but not yet applied.
 */
public interface PreparedAction
{
    /**
     * What applying does, in words: "would add taint nvidia.com/gpu=true:PreferNoSchedule".
     */
    String summary();

    /**
     * True when the machine already is as the action asks: the framework then answers
     * {@code changed=false} without calling {@link #apply}.
     */
    boolean alreadyInPlace();

    /**
     * The result to report for a dry run or when the action is already in place.
     */
    ActionResult preview();

    Applied apply()
            throws ActionException, InterruptedException;

    record Applied(boolean changed, String message, ActionResult result) {}
}
