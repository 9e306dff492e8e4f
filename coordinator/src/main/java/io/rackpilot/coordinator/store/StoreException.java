package io.rackpilot.coordinator.store;

/** The storage behind a {@link Store} failed or cannot be used; the message names the file or cause. */
public final class StoreException
        extends RuntimeException
{
    public StoreException(String message)
    {
        super(message);
    }

    public StoreException(String message, Throwable cause)
    {
        super(message, cause);
    }
}
