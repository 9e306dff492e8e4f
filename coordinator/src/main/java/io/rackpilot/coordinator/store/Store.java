package io.rackpilot.coordinator.store;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * The coordinator's state: keyed records, shaped the way etcd works so that an etcd implementation is
 * a second class, not a rewrite.
 *
 * <ul>
 * <li>The store has a revision: 0 when empty and new, plus one for every write that changed something
 * (a put, or a delete of a key that existed). It never goes back, also across restarts.</li>
 * <li>Each record carries createRevision, modRevision and version ({@link StoredRecord}).</li>
 * <li>Conditional writes compare a key's modRevision (0 meaning "the key does not exist").</li>
 * <li>Watches see every later committed change under a prefix, in revision order.</li>
 * </ul>
 *
 * <p>Keys are non-empty printable ASCII of at most {@link StoreLimits#MAX_KEY_LENGTH} characters, values at
 * most {@link StoreLimits#MAX_VALUE_BYTES} bytes; anything else is an {@link IllegalArgumentException}.
 * Keys sort as Java strings. A failure of the storage is a {@link StoreException}; any call on a closed
 * store is an {@link IllegalStateException}. Implementations are thread safe.
 */
public interface Store
        extends AutoCloseable
{
    Optional<StoredRecord> get(String key);

    /** The records whose key starts with {@code prefix} ("" for all), sorted by key, and the revision read. */
    Listing list(String prefix);

    /** The revision of the last committed write. */
    long revision();

    /** Writes {@code value} under {@code key} whatever is there, and returns the record written. */
    StoredRecord put(String key, byte[] value);

    /**
     * Writes {@code value} under {@code key} only when the key's modRevision is
     * {@code expectedModRevision}, 0 meaning that the key must not exist.
     *
     * @return the record written, or empty when the comparison failed (nothing was written)
     */
    Optional<StoredRecord> putIfModRevision(String key, byte[] value, long expectedModRevision);

    /** Deletes {@code key}; false when it did not exist (the revision does not move then). */
    boolean delete(String key);

    /**
     * Deletes {@code key} only when its modRevision is {@code expectedModRevision} (at least 1).
     *
     * @return true when the key was deleted; false when it did not exist or had another modRevision
     */
    boolean deleteIfModRevision(String key, long expectedModRevision);

    /**
     * Calls {@code listener} for every change committed under {@code prefix} ("" for all) after this
     * call, in revision order, on a thread owned by the store, after the commit and never while the
     * store's write lock is held: the listener may call the store. One thread serves all watches of a
     * store, so a listener should be quick. An exception from the listener is logged and delivery
     * goes on. Closing the store closes its watches.
     */
    Watch watch(String prefix, Consumer<WatchEvent> listener);

    /** Closes the store and its watches; closing twice does nothing. */
    @Override
    void close();
}
