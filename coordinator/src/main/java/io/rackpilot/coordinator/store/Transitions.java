package io.rackpilot.coordinator.store;

import java.util.Optional;

import static java.lang.String.format;

/** The rules every store applies on a write, kept apart from storage. */
final class Transitions
{
    private Transitions() {}

    /** The record {@code key} holds after {@code value} is written at {@code revision}. */
    static StoredRecord written(Optional<StoredRecord> current, String key, byte[] value, long revision)
    {
        return current
                .map(record -> record.updated(value, revision))
                .orElseGet(() -> StoredRecord.created(key, value, revision));
    }

    /** Whether a compare on modRevision succeeds; 0 expects the key to be absent. */
    static boolean modRevisionMatches(Optional<StoredRecord> current, long expectedModRevision)
    {
        if (expectedModRevision == 0) {
            return current.isEmpty();
        }
        return current.map(record -> record.modRevision() == expectedModRevision).orElse(false);
    }

    static long checkExpectedForPut(long expectedModRevision)
    {
        if (expectedModRevision < 0) {
            throw new IllegalArgumentException(format(
                    "expectedModRevision must be 0 (key absent) or a revision, not %s", expectedModRevision));
        }
        return expectedModRevision;
    }

    static long checkExpectedForDelete(long expectedModRevision)
    {
        if (expectedModRevision < 1) {
            throw new IllegalArgumentException(format(
                    "expectedModRevision of a conditional delete must be a revision (at least 1), not %s", expectedModRevision));
        }
        return expectedModRevision;
    }
}
