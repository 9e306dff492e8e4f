package io.rackpilot.agent.command;

import io.rackpilot.proto.v1.ActionResult;

import static java.util.Objects.requireNonNull;

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

    /**
     * What applying does, once prepared.
     */
    @FunctionalInterface
    interface Applier
    {
        Applied apply()
                throws ActionException, InterruptedException;
    }

    /**
     * A prepared action from its parts: the handlers' usual shape.
     */
    static PreparedAction of(String summary, boolean alreadyInPlace, ActionResult preview, Applier applier)
    {
        requireNonNull(summary, "summary is null");
        requireNonNull(preview, "preview is null");
        requireNonNull(applier, "applier is null");
        return new PreparedAction()
        {
            @Override
            public String summary()
            {
                return summary;
            }

            @Override
            public boolean alreadyInPlace()
            {
                return alreadyInPlace;
            }

            @Override
            public ActionResult preview()
            {
                return preview;
            }

            @Override
            public Applied apply()
                    throws ActionException, InterruptedException
            {
                return applier.apply();
            }
        };
    }
}
