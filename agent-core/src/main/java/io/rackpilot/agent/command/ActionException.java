package io.rackpilot.agent.command;

import io.rackpilot.proto.v1.ActionResult;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An action that could not be carried out, with a message an operator can act on.
 */
public final class ActionException
        extends Exception
{
    public enum Kind
    {
        /** Refused before anything changed: bad parameters, a guard rail, the wrong machine. */
        REJECTED,
        /** Something went wrong while applying. */
        FAILED,
    }

    private final Kind kind;
    private final boolean changed;
    private final Optional<ActionResult> result;

    public ActionException(Kind kind, String message)
    {
        this(kind, message, null);
    }

    public ActionException(Kind kind, String message, Throwable cause)
    {
        this(kind, message, cause, false, Optional.empty());
    }

    private ActionException(Kind kind, String message, Throwable cause, boolean changed, Optional<ActionResult> result)
    {
        super(requireNonNull(message, "message is null"), cause);
        this.kind = requireNonNull(kind, "kind is null");
        this.changed = changed;
        this.result = requireNonNull(result, "result is null");
    }

    /**
     * A failure after part of the action was carried out: the result says how far it got (a drain
     * that evicted some pods and was refused for others), and {@code changed} whether anything
     * changed on the way.
     */
    public static ActionException failedPartway(String message, boolean changed, ActionResult result)
    {
        return new ActionException(Kind.FAILED, message, null, changed, Optional.of(requireNonNull(result, "result is null")));
    }

    public static ActionException rejected(String message)
    {
        return new ActionException(Kind.REJECTED, message);
    }

    public static ActionException failed(String message, Throwable cause)
    {
        return new ActionException(Kind.FAILED, message, cause);
    }

    public Kind kind()
    {
        return kind;
    }

    public boolean changed()
    {
        return changed;
    }

    public Optional<ActionResult> result()
    {
        return result;
    }
}
