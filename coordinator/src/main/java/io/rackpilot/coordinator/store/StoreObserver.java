package io.rackpilot.coordinator.store;

/**
 * Told about every store operation that reached the storage (the metric "store latency"). Calls that
 * fail validation (a bad key) or run on a closed store are not reported. {@code success} is false only
 * when the storage failed; a compare-and-swap that found another revision is a success.
 */
@FunctionalInterface
public interface StoreObserver
{
    StoreObserver NONE = (operation, durationNanos, success) -> {};

    String GET = "get";
    String LIST = "list";
    String REVISION = "revision";
    String PUT = "put";
    String PUT_IF_MOD_REVISION = "put_if_mod_revision";
    String DELETE = "delete";
    String DELETE_IF_MOD_REVISION = "delete_if_mod_revision";

    /**
     * @param operation one of the constants of this interface
     * @param durationNanos how long the operation took once it held the store's lock (the wait for the
     * lock is not included)
     * @param success false when the operation threw
     */
    void operation(String operation, long durationNanos, boolean success);
}
