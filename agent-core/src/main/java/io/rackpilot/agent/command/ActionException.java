package io.rackpilot.agent.command;

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

    public ActionException(Kind kind, String message)
    {
        super(requireNonNull(message, "message is null"));
        this.kind = requireNonNull(kind, "kind is null");
    }

    public ActionException(Kind kind, String message, Throwable cause)
    {
        super(requireNonNull(message, "message is null"), cause);
        this.kind = requireNonNull(kind, "kind is null");
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
}
