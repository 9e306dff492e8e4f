package io.rackpilot.coordinator.store;

import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * A {@link Store} held in memory: the same semantics as {@link SqliteStore}, nothing survives
 * {@link #close()}. For tests and development.
 */
public final class InMemoryStore
        implements Store
{
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final StoreObserver observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final NavigableMap<String, StoredRecord> records = new TreeMap<>(); // guarded by lock
    private final WatchHub watchHub;
    private long revision; // guarded by lock
    private boolean closed; // guarded by lock

    public InMemoryStore()
    {
        this(StoreObserver.NONE);
    }

    public InMemoryStore(StoreObserver observer)
    {
        this.observer = requireNonNull(observer, "observer is null");
        this.watchHub = new WatchHub("memory-" + INSTANCES.incrementAndGet());
    }

    @Override
    public Optional<StoredRecord> get(String key)
    {
        StoreLimits.checkKey(key);
        return locked(StoreObserver.GET, () -> Optional.ofNullable(records.get(key)));
    }

    @Override
    public Listing list(String prefix)
    {
        StoreLimits.checkPrefix(prefix);
        return locked(StoreObserver.LIST, () -> {
            List<StoredRecord> matching = records.tailMap(prefix, true).values().stream()
                    .takeWhile(record -> record.key().startsWith(prefix))
                    .toList();
            return new Listing(matching, revision);
        });
    }

    @Override
    public long revision()
    {
        return locked(StoreObserver.REVISION, () -> revision);
    }

    @Override
    public StoredRecord put(String key, byte[] value)
    {
        StoreLimits.checkKey(key);
        StoreLimits.checkValue(key, value);
        return locked(StoreObserver.PUT, () -> write(key, value));
    }

    @Override
    public Optional<StoredRecord> putIfModRevision(String key, byte[] value, long expectedModRevision)
    {
        StoreLimits.checkKey(key);
        StoreLimits.checkValue(key, value);
        Transitions.checkExpectedForPut(expectedModRevision);
        return locked(StoreObserver.PUT_IF_MOD_REVISION, () -> {
            if (!Transitions.modRevisionMatches(Optional.ofNullable(records.get(key)), expectedModRevision)) {
                return Optional.empty();
            }
            return Optional.of(write(key, value));
        });
    }

    @Override
    public boolean delete(String key)
    {
        StoreLimits.checkKey(key);
        return locked(StoreObserver.DELETE, () -> remove(key));
    }

    @Override
    public boolean deleteIfModRevision(String key, long expectedModRevision)
    {
        StoreLimits.checkKey(key);
        Transitions.checkExpectedForDelete(expectedModRevision);
        return locked(StoreObserver.DELETE_IF_MOD_REVISION, () -> {
            if (!Transitions.modRevisionMatches(Optional.ofNullable(records.get(key)), expectedModRevision)) {
                return false;
            }
            return remove(key);
        });
    }

    @Override
    public Watch watch(String prefix, Consumer<WatchEvent> listener)
    {
        StoreLimits.checkPrefix(prefix);
        requireNonNull(listener, "listener is null");
        lock.lock();
        try {
            checkOpen();
            return watchHub.register(prefix, revision, listener);
        }
        finally {
            lock.unlock();
        }
    }

    @Override
    public void close()
    {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            records.clear();
            watchHub.close();
        }
        finally {
            lock.unlock();
        }
    }

    private StoredRecord write(String key, byte[] value)
    {
        StoredRecord written = Transitions.written(Optional.ofNullable(records.get(key)), key, value, revision + 1);
        records.put(key, written);
        revision++;
        watchHub.publish(WatchEvent.put(written));
        return written;
    }

    private boolean remove(String key)
    {
        StoredRecord removed = records.remove(key);
        if (removed == null) {
            return false;
        }
        revision++;
        watchHub.publish(WatchEvent.delete(removed, revision));
        return true;
    }

    private <T> T locked(String operation, Supplier<T> action)
    {
        lock.lock();
        try {
            checkOpen();
            return Observed.observe(observer, operation, action);
        }
        finally {
            lock.unlock();
        }
    }

    private void checkOpen()
    {
        if (closed) {
            throw new StoreClosedException("store is closed");
        }
    }
}
