package io.rackpilot.coordinator.store;

import java.util.Arrays;
import java.util.Objects;

import static java.lang.String.format;
import static java.util.Objects.requireNonNull;

/**
 * One key and its value, with the revisions that etcd's {@code KeyValue} carries.
 *
 * @param key the key
 * @param value the value; copied on the way in and on the way out
 * @param createRevision the store revision of the write that created this key (reset when the key is
 * deleted and created again)
 * @param modRevision the store revision of the last write to this key; the value that compare-and-swap
 * compares
 * @param version how many times the key was written since it was created (1 after the creating write)
 */
public record StoredRecord(String key, byte[] value, long createRevision, long modRevision, long version)
{
    public StoredRecord
    {
        StoreLimits.checkKey(key);
        value = requireNonNull(value, "value is null").clone();
        if (createRevision < 1) {
            throw new IllegalArgumentException(format("createRevision of %s must be at least 1: %s", key, createRevision));
        }
        if (modRevision < createRevision) {
            throw new IllegalArgumentException(format(
                    "modRevision of %s (%s) is below its createRevision (%s)", key, modRevision, createRevision));
        }
        if (version < 1) {
            throw new IllegalArgumentException(format("version of %s must be at least 1: %s", key, version));
        }
    }

    /** A record for a key written for the first time (or again after a delete) at {@code revision}. */
    static StoredRecord created(String key, byte[] value, long revision)
    {
        return new StoredRecord(key, value, revision, revision, 1);
    }

    /** This record after a write of {@code newValue} at {@code revision}. */
    StoredRecord updated(byte[] newValue, long revision)
    {
        return new StoredRecord(key, newValue, createRevision, revision, version + 1);
    }

    /** A copy of the value. */
    @Override
    public byte[] value()
    {
        return value.clone();
    }

    /** The value's length in bytes, without copying it. */
    public int valueLength()
    {
        return value.length;
    }

    @Override
    public boolean equals(Object other)
    {
        if (this == other) {
            return true;
        }
        if (!(other instanceof StoredRecord)) {
            return false;
        }
        StoredRecord that = (StoredRecord) other;
        return createRevision == that.createRevision &&
                modRevision == that.modRevision &&
                version == that.version &&
                key.equals(that.key) &&
                Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(key, Arrays.hashCode(value), createRevision, modRevision, version);
    }

    @Override
    public String toString()
    {
        return format("StoredRecord[key=%s, value=%s bytes, createRevision=%s, modRevision=%s, version=%s]",
                key, value.length, createRevision, modRevision, version);
    }
}
