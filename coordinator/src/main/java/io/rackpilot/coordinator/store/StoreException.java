package io.rackpilot.coordinator.store;

import static java.util.Objects.requireNonNull;

/** The storage behind a {@link Store} failed or cannot be used; the message names the file or cause. */
public final class StoreException
        extends RuntimeException
{
    /**
     * What kind of failure, for the status an operator's client gets and the daemon's exit code.
     */
    public enum Kind
    {
        /** The disk (or the store's quota) is full: nothing can be written until space is freed. */
        DISK_FULL,
        /** An I/O error, or the file is locked by another process: a later try may succeed. */
        UNAVAILABLE,
        /** The state file cannot be used as it is (empty, corrupt, foreign, too new): a person must act. */
        UNUSABLE,
        /** Anything else. */
        OTHER
    }

    private final Kind kind;

    public StoreException(String message)
    {
        this(Kind.OTHER, message);
    }

    public StoreException(String message, Throwable cause)
    {
        this(Kind.OTHER, message, cause);
    }

    public StoreException(Kind kind, String message)
    {
        super(message);
        this.kind = requireNonNull(kind, "kind is null");
    }

    public StoreException(Kind kind, String message, Throwable cause)
    {
        super(message, cause);
        this.kind = requireNonNull(kind, "kind is null");
    }

    public Kind kind()
    {
        return kind;
    }
}
