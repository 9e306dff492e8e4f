package io.rackpilot.coordinator.store;

import java.lang.System.Logger;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import static java.lang.System.Logger.Level.WARNING;
import static java.util.Objects.requireNonNull;

/**
 * The watches of one store and the single thread that delivers their events. The store calls
 * {@link #register} and {@link #publish} while it holds its write lock, so events are queued in revision
 * order and a watch registered at revision R sees exactly the events above R; listeners run later on
 * the delivery thread, never under the store's lock.
 */
final class WatchHub
{
    private static final Logger LOG = System.getLogger(WatchHub.class.getName());

    private final List<RegisteredWatch> watches = new CopyOnWriteArrayList<>();
    private final ExecutorService deliveryThread;

    WatchHub(String storeName)
    {
        requireNonNull(storeName, "storeName is null");
        this.deliveryThread = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rackpilot-store-watch-" + storeName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Call with the store's write lock held, {@code startRevision} being the store's current revision. */
    Watch register(String prefix, long startRevision, Consumer<WatchEvent> listener)
    {
        RegisteredWatch watch = new RegisteredWatch(
                StoreLimits.checkPrefix(prefix),
                startRevision,
                requireNonNull(listener, "listener is null"));
        watches.add(watch);
        return watch;
    }

    /** Call with the store's write lock held, after the commit of {@code event}'s change. */
    void publish(WatchEvent event)
    {
        requireNonNull(event, "event is null");
        List<RegisteredWatch> recipients = watches.stream()
                .filter(watch -> watch.matches(event))
                .toList();
        if (!recipients.isEmpty()) {
            deliveryThread.execute(() -> recipients.forEach(watch -> watch.deliver(event)));
        }
    }

    /** Closes every watch; events still queued are dropped. */
    void close()
    {
        for (RegisteredWatch watch : watches) {
            watch.close();
        }
        deliveryThread.shutdown();
    }

    private final class RegisteredWatch
            implements Watch
    {
        private final String prefix;
        private final long startRevision;
        private final Consumer<WatchEvent> listener;
        // held while the listener runs, so that close() can wait for a delivery in progress
        private final Object deliveryLock = new Object();
        private volatile boolean closed;

        private RegisteredWatch(String prefix, long startRevision, Consumer<WatchEvent> listener)
        {
            this.prefix = prefix;
            this.startRevision = startRevision;
            this.listener = listener;
        }

        @Override
        public String prefix()
        {
            return prefix;
        }

        @Override
        public long startRevision()
        {
            return startRevision;
        }

        boolean matches(WatchEvent event)
        {
            return event.revision() > startRevision && event.key().startsWith(prefix);
        }

        void deliver(WatchEvent event)
        {
            synchronized (deliveryLock) {
                if (closed) {
                    return;
                }
                try {
                    listener.accept(event);
                }
                catch (RuntimeException e) {
                    LOG.log(WARNING, "store watch listener for prefix \"" + prefix + "\" failed on the event at revision " + event.revision(), e);
                }
            }
        }

        @Override
        public void close()
        {
            // set before taking the lock: a delivery that starts from now on sees it and skips
            closed = true;
            watches.remove(this);
            synchronized (deliveryLock) {
                // nothing: taking the lock waits for the delivery in progress (re-entrant from the listener)
            }
        }
    }
}
