package io.rackpilot.coordinator.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static java.lang.String.format;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures put (fsynced), get and list latency and prints them; asserts only that the work was done.
 * The figures land in target/surefire-reports/*TestStoreLatency-output.txt.
 */
final class TestStoreLatency
{
    private static final int RECORDS = 2000;
    private static final int VALUE_BYTES = 2048;
    private static final int GETS = 2000;
    private static final int LISTS = 200;

    @TempDir
    Path directory;

    @Test
    void sqliteStore()
    {
        try (Store store = SqliteStore.open(directory.resolve("state.db"), StoreObserver.NONE)) {
            measure("SqliteStore", store);
        }
    }

    @Test
    void inMemoryStore()
    {
        try (Store store = new InMemoryStore()) {
            measure("InMemoryStore", store);
        }
    }

    private static void measure(String name, Store store)
    {
        Random random = new Random(7450);
        byte[] value = new byte[VALUE_BYTES];

        long[] puts = new long[RECORDS];
        for (int index = 0; index < RECORDS; index++) {
            random.nextBytes(value);
            String key = format("records/%04d", index);
            long start = System.nanoTime();
            store.put(key, value);
            puts[index] = System.nanoTime() - start;
        }

        long[] gets = new long[GETS];
        for (int index = 0; index < GETS; index++) {
            String key = format("records/%04d", random.nextInt(RECORDS));
            long start = System.nanoTime();
            StoredRecord record = store.get(key).orElseThrow();
            gets[index] = System.nanoTime() - start;
            assertThat(record.valueLength()).isEqualTo(VALUE_BYTES);
        }

        long[] lists = new long[LISTS];
        for (int index = 0; index < LISTS; index++) {
            long start = System.nanoTime();
            Listing listing = store.list("records/1");
            lists[index] = System.nanoTime() - start;
            assertThat(listing.records()).hasSize(1000);
        }
        assertThat(store.revision()).isEqualTo(RECORDS);

        System.out.println(format("%s: put of %s bytes (%s, fsynced for SQLite): %s", name, VALUE_BYTES, RECORDS, summary(puts)));
        System.out.println(format("%s: get (%s): %s", name, GETS, summary(gets)));
        System.out.println(format("%s: list of 1000 keys (%s): %s", name, LISTS, summary(lists)));
    }

    private static String summary(long[] nanos)
    {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return format("p50 %.1f us, p99 %.1f us, max %.1f us",
                percentile(sorted, 0.50) / 1000.0,
                percentile(sorted, 0.99) / 1000.0,
                sorted[sorted.length - 1] / 1000.0);
    }

    private static long percentile(long[] sorted, double fraction)
    {
        int index = (int) Math.ceil(fraction * sorted.length) - 1;
        return sorted[Math.max(0, index)];
    }
}
