package io.rackpilot.coordinator.store;

import java.lang.System.Logger;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.WARNING;

/** Times one store operation and tells the {@link StoreObserver}. */
final class Observed
{
    private static final Logger LOG = System.getLogger(Observed.class.getName());

    private Observed() {}

    static <T> T observe(StoreObserver observer, String operation, Supplier<T> action)
    {
        long start = System.nanoTime();
        boolean success = false;
        try {
            T result = action.get();
            success = true;
            return result;
        }
        finally {
            long durationNanos = System.nanoTime() - start;
            try {
                observer.operation(operation, durationNanos, success);
            }
            catch (RuntimeException e) {
                LOG.log(WARNING, "store observer failed on operation " + operation, e);
            }
        }
    }
}
