package io.rackpilot.coordinator.store;

/**
 * A registration made by {@link Store#watch}. Its listener gets every change committed under
 * {@link #prefix()} with a revision above {@link #startRevision()}, in revision order, until it is closed.
 */
public interface Watch
        extends AutoCloseable
{
    String prefix();

    /**
     * The store revision when the watch was registered: it gets every change with a higher revision and
     * none at or below it. To follow a prefix without a gap: watch, then {@link Store#list}, then apply
     * only the events whose revision is above the listing's revision.
     */
    long startRevision();

    /**
     * Stops delivery. Once this returns, the listener is not called again; a delivery to this watch
     * that is in progress on another thread is waited for. Calling it from the listener itself is
     * allowed. Closing twice does nothing.
     */
    @Override
    void close();
}
