package io.rackpilot.coordinator.store;

import java.util.List;

import static java.lang.String.format;
import static java.util.Objects.requireNonNull;

/**
 * The records under a prefix, sorted by key, as they were at store revision {@code revision}. A caller
 * that lists and then watches ignores events whose revision is at most this one.
 *
 * @param records the records, sorted by key
 * @param revision the store revision at which they were read
 */
public record Listing(List<StoredRecord> records, long revision)
{
    public Listing
    {
        records = List.copyOf(requireNonNull(records, "records is null"));
        if (revision < 0) {
            throw new IllegalArgumentException(format("revision must not be negative: %s", revision));
        }
    }

    /** The keys of {@link #records()}, in order. */
    public List<String> keys()
    {
        return records.stream().map(StoredRecord::key).toList();
    }
}
