package io.rackpilot.coordinator.store;

/** A call reached a {@link Store} after it was closed (the coordinator is stopping). */
public final class StoreClosedException
        extends IllegalStateException
{
    public StoreClosedException(String message)
    {
        super(message);
    }
}
