package io.rackpilot.coordinator.store;

import static java.lang.String.format;
import static java.util.Objects.requireNonNull;

/**
 * One committed change seen by a {@link Watch}.
 *
 * @param type PUT or DELETE
 * @param record for PUT the record as written (its modRevision equals {@code revision}); for DELETE the
 * record as it was just before it was deleted (like etcd's prevKv)
 * @param revision the store revision of the change
 */
public record WatchEvent(Type type, StoredRecord record, long revision)
{
    public enum Type
    {
        PUT,
        DELETE,
    }

    public WatchEvent
    {
        requireNonNull(type, "type is null");
        requireNonNull(record, "record is null");
        if (type == Type.PUT && record.modRevision() != revision) {
            throw new IllegalArgumentException(format(
                    "PUT event at revision %s carries a record with modRevision %s", revision, record.modRevision()));
        }
        if (type == Type.DELETE && record.modRevision() >= revision) {
            throw new IllegalArgumentException(format(
                    "DELETE event at revision %s carries a record with modRevision %s", revision, record.modRevision()));
        }
    }

    static WatchEvent put(StoredRecord record)
    {
        return new WatchEvent(Type.PUT, record, record.modRevision());
    }

    static WatchEvent delete(StoredRecord previous, long revision)
    {
        return new WatchEvent(Type.DELETE, previous, revision);
    }

    public String key()
    {
        return record.key();
    }
}
