package io.rackpilot.coordinator.store;

import io.rackpilot.coordinator.store.WatchEvent.Type;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link Store} implementation must do; a subclass per implementation runs it. */
abstract class StoreContract
{
    private final List<String> observedOperations = Collections.synchronizedList(new ArrayList<>());
    protected Store store;

    protected abstract Store createStore(StoreObserver observer)
            throws Exception;

    @BeforeEach
    void openStore()
            throws Exception
    {
        store = createStore((operation, durationNanos, success) -> {
            assertThat(durationNanos).isNotNegative();
            observedOperations.add(operation + (success ? "" : " failed"));
        });
    }

    /** Also closes the watches a test left open. */
    @AfterEach
    void closeStore()
    {
        store.close();
    }

    static byte[] bytes(String text)
    {
        return text.getBytes(UTF_8);
    }

    static String text(StoredRecord record)
    {
        return new String(record.value(), UTF_8);
    }

    @Test
    void newStoreIsEmptyAtRevisionZero()
    {
        assertThat(store.revision()).isZero();
        assertThat(store.get("missing")).isEmpty();
        assertThat(store.list("")).isEqualTo(new Listing(List.of(), 0));
    }

    @Test
    void putCreatesRecordAndAdvancesRevision()
    {
        StoredRecord written = store.put("agents/host1", bytes("one"));

        assertThat(written).isEqualTo(new StoredRecord("agents/host1", bytes("one"), 1, 1, 1));
        assertThat(store.get("agents/host1")).contains(written);
        assertThat(store.revision()).isEqualTo(1);
    }

    @Test
    void putOverExistingKeyKeepsCreateRevisionAndCountsVersions()
    {
        store.put("a", bytes("1"));
        store.put("other", bytes("x"));
        store.put("a", bytes("2"));
        StoredRecord third = store.put("a", bytes("2"));

        assertThat(third).isEqualTo(new StoredRecord("a", bytes("2"), 1, 4, 3));
        assertThat(store.get("other")).contains(new StoredRecord("other", bytes("x"), 2, 2, 1));
        assertThat(store.revision()).isEqualTo(4);
    }

    @Test
    void valuesAreCopiedInAndOut()
    {
        byte[] value = bytes("abc");
        StoredRecord written = store.put("k", value);
        value[0] = 'z';
        written.value()[1] = 'z';
        store.get("k").orElseThrow().value()[2] = 'z';

        assertThat(text(store.get("k").orElseThrow())).isEqualTo("abc");
        assertThat(text(written)).isEqualTo("abc");
    }

    @Test
    void emptyValueIsAValue()
    {
        store.put("empty", new byte[0]);

        assertThat(store.get("empty").orElseThrow().valueLength()).isZero();
    }

    @Test
    void putIfModRevisionZeroCreatesOnlyAnAbsentKey()
    {
        Optional<StoredRecord> created = store.putIfModRevision("lock", bytes("first"), 0);
        Optional<StoredRecord> second = store.putIfModRevision("lock", bytes("second"), 0);

        assertThat(created).contains(new StoredRecord("lock", bytes("first"), 1, 1, 1));
        assertThat(second).isEmpty();
        assertThat(store.get("lock")).isEqualTo(created);
        assertThat(store.revision()).isEqualTo(1);
    }

    @Test
    void putIfModRevisionSucceedsOnlyOnTheCurrentModRevision()
    {
        StoredRecord first = store.put("k", bytes("1"));
        StoredRecord second = store.putIfModRevision("k", bytes("2"), first.modRevision()).orElseThrow();

        assertThat(second).isEqualTo(new StoredRecord("k", bytes("2"), 1, 2, 2));
        assertThat(store.putIfModRevision("k", bytes("stale"), first.modRevision())).isEmpty();
        assertThat(store.putIfModRevision("k", bytes("future"), 99)).isEmpty();
        assertThat(store.get("k")).contains(second);
        assertThat(store.revision()).isEqualTo(2);
    }

    @Test
    void putIfModRevisionOnAnAbsentKeyNeedsZero()
    {
        assertThat(store.putIfModRevision("absent", bytes("v"), 1)).isEmpty();
        assertThat(store.get("absent")).isEmpty();
        assertThat(store.revision()).isZero();
    }

    @Test
    void deleteRemovesTheKeyAndAdvancesRevision()
    {
        store.put("k", bytes("v"));

        assertThat(store.delete("k")).isTrue();
        assertThat(store.get("k")).isEmpty();
        assertThat(store.revision()).isEqualTo(2);
        assertThat(store.delete("k")).isFalse();
        assertThat(store.revision()).isEqualTo(2);
    }

    @Test
    void keyCreatedAgainAfterDeleteStartsOver()
    {
        store.put("k", bytes("1"));
        store.put("k", bytes("2"));
        store.delete("k");
        StoredRecord again = store.put("k", bytes("3"));

        assertThat(again).isEqualTo(new StoredRecord("k", bytes("3"), 4, 4, 1));
    }

    @Test
    void deleteIfModRevisionComparesTheModRevision()
    {
        StoredRecord first = store.put("k", bytes("1"));
        StoredRecord second = store.put("k", bytes("2"));

        assertThat(store.deleteIfModRevision("k", first.modRevision())).isFalse();
        assertThat(store.get("k")).contains(second);
        assertThat(store.deleteIfModRevision("absent", 1)).isFalse();
        assertThat(store.revision()).isEqualTo(2);

        assertThat(store.deleteIfModRevision("k", second.modRevision())).isTrue();
        assertThat(store.get("k")).isEmpty();
        assertThat(store.revision()).isEqualTo(3);
    }

    @Test
    void conditionalWritesRejectImpossibleExpectations()
    {
        assertThatThrownBy(() -> store.putIfModRevision("k", bytes("v"), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expectedModRevision");
        assertThatThrownBy(() -> store.deleteIfModRevision("k", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }

    @Test
    void listIsSortedByKeyAndIsolatesPrefixes()
    {
        store.put("agents/node2", bytes("n2"));
        store.put("agents-x/node1", bytes("x"));
        store.put("agents", bytes("bare"));
        store.put("agents/host1", bytes("h1"));
        store.put("agents/node1", bytes("n1"));
        store.put("agentsz", bytes("z"));
        store.put("commands/1", bytes("c"));

        assertThat(store.list("agents/").keys()).containsExactly("agents/host1", "agents/node1", "agents/node2");
        assertThat(store.list("agents-x/").keys()).containsExactly("agents-x/node1");
        assertThat(store.list("agents").keys())
                .containsExactly("agents", "agents-x/node1", "agents/host1", "agents/node1", "agents/node2", "agentsz");
        assertThat(store.list("").keys())
                .containsExactly("agents", "agents-x/node1", "agents/host1", "agents/node1", "agents/node2", "agentsz", "commands/1");
        assertThat(store.list("nothing/").records()).isEmpty();
        assertThat(store.list("agents/").records().get(0)).isEqualTo(store.get("agents/host1").orElseThrow());
    }

    @Test
    void listHandlesPrefixesEndingInTheLastPrintableCharacter()
    {
        store.put("a}", bytes("1"));
        store.put("a~", bytes("2"));
        store.put("a~b", bytes("3"));
        store.put("a~~", bytes("4"));
        store.put("b", bytes("5"));
        store.put(" ", bytes("6"));

        assertThat(store.list("a~").keys()).containsExactly("a~", "a~b", "a~~");
        assertThat(store.list("~").keys()).isEmpty();
        assertThat(store.list(" ").keys()).containsExactly(" ");
    }

    @Test
    void listReturnsTheRevisionItRead()
    {
        store.put("a/1", bytes("1"));
        store.put("b/1", bytes("1"));

        assertThat(store.list("a/").revision()).isEqualTo(2);
        store.delete("b/1");
        assertThat(store.list("a/").revision()).isEqualTo(3);
    }

    @Test
    void keysMustBeShortPrintableAscii()
    {
        assertInvalidKey("", "store key is empty");
        assertInvalidKey("caf\u00e9", "not printable ASCII (U+00E9) at index 3");
        assertInvalidKey("line\nbreak", "not printable ASCII (U+000A) at index 4");
        assertInvalidKey("tab\there", "U+0009");
        assertInvalidKey("delete\u007f", "U+007F");
        assertInvalidKey("k".repeat(513), "513 characters long, the limit is 512");
        assertThatThrownBy(() -> store.get(null)).isInstanceOf(NullPointerException.class).hasMessage("key is null");
        assertThatThrownBy(() -> store.list("p".repeat(513))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store prefix");
        assertThatThrownBy(() -> store.list("\u0000")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+0000");
        assertThatThrownBy(() -> store.watch("\u00ff", event -> {})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+00FF");

        String longest = "k".repeat(512);
        assertThat(store.put(longest, bytes("v")).key()).isEqualTo(longest);
        assertThat(store.put(" !~", bytes("v")).key()).isEqualTo(" !~");
        assertThat(store.revision()).isEqualTo(2);
    }

    private void assertInvalidKey(String key, String message)
    {
        assertThatThrownBy(() -> store.put(key, bytes("v"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> store.get(key)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> store.putIfModRevision(key, bytes("v"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.deleteIfModRevision(key, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesHaveALimit()
    {
        byte[] largest = new byte[StoreLimits.MAX_VALUE_BYTES];
        largest[largest.length - 1] = 7;

        assertThat(store.put("big", largest).value()).isEqualTo(largest);
        assertThatThrownBy(() -> store.put("huge", new byte[StoreLimits.MAX_VALUE_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value for store key \"huge\" is 1048577 bytes, the limit is 1048576 bytes");
        assertThat(store.get("huge")).isEmpty();
    }

    @Test
    void watchDeliversEveryLaterChangeInRevisionOrderOnAStoreThread()
            throws Exception
    {
        store.put("agents/before", bytes("0"));
        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch("agents/", listener)) {
            assertThat(watch.prefix()).isEqualTo("agents/");
            assertThat(watch.startRevision()).isEqualTo(1);

            StoredRecord first = store.put("agents/a", bytes("1"));
            StoredRecord second = store.put("agents/a", bytes("2"));
            store.delete("agents/a");
            store.delete("agents/never");
            StoredRecord third = store.putIfModRevision("agents/b", bytes("3"), 0).orElseThrow();
            store.putIfModRevision("agents/b", bytes("lost"), 1);
            store.deleteIfModRevision("agents/b", third.modRevision());

            assertThat(listener.take(5)).containsExactly(
                    new WatchEvent(Type.PUT, first, 2),
                    new WatchEvent(Type.PUT, second, 3),
                    new WatchEvent(Type.DELETE, second, 4),
                    new WatchEvent(Type.PUT, third, 5),
                    new WatchEvent(Type.DELETE, third, 6));
            assertThat(listener.threadNames())
                    .hasSize(1)
                    .allSatisfy(name -> assertThat(name).startsWith("rackpilot-store-watch-"));
        }
    }

    @Test
    void watchSeesOnlyItsPrefix()
            throws Exception
    {
        RecordingListener agents = new RecordingListener();
        RecordingListener everything = new RecordingListener();
        store.watch("agents/", agents);
        store.watch("", everything);
        store.put("agents-x/node1", bytes("x"));
        store.put("agents", bytes("bare"));
        store.put("agents/node1", bytes("n1"));
        store.put("commands/1", bytes("c"));

        assertThat(everything.take(4)).extracting(WatchEvent::key)
                .containsExactly("agents-x/node1", "agents", "agents/node1", "commands/1");
        assertThat(agents.take(1)).extracting(WatchEvent::key).containsExactly("agents/node1");
        assertThat(agents.pending()).isEmpty();
    }

    @Test
    void closedWatchGetsNothingMore()
            throws Exception
    {
        RecordingListener closed = new RecordingListener();
        RecordingListener open = new RecordingListener();
        Watch closedWatch = store.watch("", closed);
        store.watch("", open);
        store.put("k", bytes("1"));
        assertThat(closed.take(1)).extracting(WatchEvent::revision).containsExactly(1L);

        closedWatch.close();
        closedWatch.close();
        store.put("k", bytes("2"));
        store.delete("k");

        // one thread delivers in order: once the open watch has the delete, the closed one had its chance
        assertThat(open.take(3)).extracting(WatchEvent::revision).containsExactly(1L, 2L, 3L);
        assertThat(closed.pending()).isEmpty();
    }

    @Test
    void watchClosedWhileEventsAreQueuedGetsNoneOfThemAndCloseWaitsForTheDeliveryInProgress()
            throws Exception
    {
        CountDownLatch inDelivery = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> slowRevisions = Collections.synchronizedList(new ArrayList<>());
        RecordingListener witness = new RecordingListener();
        Watch slow = store.watch("", event -> {
            slowRevisions.add(event.revision());
            inDelivery.countDown();
            awaitUninterruptibly(release);
        });
        store.watch("", witness);
        store.put("k", bytes("1"));
        assertThat(inDelivery.await(10, TimeUnit.SECONDS)).isTrue();
        store.put("k", bytes("2"));
        store.put("k", bytes("3"));

        Thread closer = new Thread(slow::close, "closer");
        closer.start();
        closer.join(200);
        assertThat(closer.isAlive()).as("close waits for the delivery in progress").isTrue();
        release.countDown();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();

        assertThat(witness.take(3)).extracting(WatchEvent::revision).containsExactly(1L, 2L, 3L);
        assertThat(slowRevisions).containsExactly(1L);
    }

    private static void awaitUninterruptibly(CountDownLatch latch)
    {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void listenerMayWriteToTheStore()
            throws Exception
    {
        RecordingListener copies = new RecordingListener();
        store.watch("source/", event -> store.put("copy/" + event.key(), event.record().value()));
        store.watch("copy/", copies);
        store.put("source/a", bytes("1"));
        store.put("source/b", bytes("2"));

        assertThat(copies.take(2)).extracting(WatchEvent::key).containsExactly("copy/source/a", "copy/source/b");
        assertThat(text(store.get("copy/source/b").orElseThrow())).isEqualTo("2");
    }

    @Test
    void failingListenerDoesNotStopDelivery()
            throws Exception
    {
        RecordingListener after = new RecordingListener();
        store.watch("", event -> {
            throw new IllegalStateException("listener failure for the test");
        });
        store.watch("", after);
        store.put("a", bytes("1"));
        store.put("b", bytes("2"));

        assertThat(after.take(2)).extracting(WatchEvent::key).containsExactly("a", "b");
    }

    @Test
    void listThenWatchMissesNothing()
            throws Exception
    {
        store.put("agents/a", bytes("1"));
        RecordingListener listener = new RecordingListener();
        try (Watch watch = store.watch("agents/", listener)) {
            store.put("agents/b", bytes("2"));
            Listing listing = store.list("agents/");
            store.put("agents/c", bytes("3"));

            assertThat(listing.revision()).isGreaterThanOrEqualTo(watch.startRevision());
            List<WatchEvent> events = listener.take(2);
            List<String> newer = events.stream()
                    .filter(event -> event.revision() > listing.revision())
                    .map(WatchEvent::key)
                    .toList();
            assertThat(listing.keys()).containsExactly("agents/a", "agents/b");
            assertThat(newer).containsExactly("agents/c");
        }
    }

    @Test
    void closedStoreRefusesCallsAndClosesItsWatches()
            throws Exception
    {
        RecordingListener listener = new RecordingListener();
        store.watch("", listener);
        store.put("k", bytes("v"));
        listener.take(1);

        store.close();
        store.close();

        assertThatThrownBy(() -> store.get("k")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.put("k", bytes("v"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.list("")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(store::revision).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.watch("", event -> {})).isInstanceOf(IllegalStateException.class);
        assertThat(listener.pending()).isEmpty();
    }

    @Test
    void observerIsToldOfEveryStoredOperation()
    {
        observedOperations.clear();
        StoredRecord record = store.put("k", bytes("v"));
        store.putIfModRevision("k", bytes("w"), record.modRevision());
        store.putIfModRevision("k", bytes("x"), record.modRevision());
        store.get("k");
        store.list("");
        store.revision();
        store.deleteIfModRevision("k", 99);
        store.delete("k");
        assertThatThrownBy(() -> store.get("")).isInstanceOf(IllegalArgumentException.class);

        assertThat(observedOperations).containsExactly(
                StoreObserver.PUT,
                StoreObserver.PUT_IF_MOD_REVISION,
                StoreObserver.PUT_IF_MOD_REVISION,
                StoreObserver.GET,
                StoreObserver.LIST,
                StoreObserver.REVISION,
                StoreObserver.DELETE_IF_MOD_REVISION,
                StoreObserver.DELETE);
    }

    @Test
    void concurrentCompareAndSwapLosesNoUpdate()
            throws Exception
    {
        int threads = 8;
        int incrementsPerThread = 25;
        store.put("counter", bytes("0"));
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> retries = new ArrayList<>();
            for (int thread = 0; thread < threads; thread++) {
                retries.add(executor.submit(() -> {
                    start.await();
                    int lostRaces = 0;
                    for (int increment = 0; increment < incrementsPerThread; increment++) {
                        while (true) {
                            StoredRecord current = store.get("counter").orElseThrow();
                            int next = Integer.parseInt(text(current)) + 1;
                            if (store.putIfModRevision("counter", bytes(Integer.toString(next)), current.modRevision()).isPresent()) {
                                break;
                            }
                            lostRaces++;
                        }
                    }
                    return lostRaces;
                }));
            }
            start.countDown();
            for (Future<Integer> future : retries) {
                future.get(120, TimeUnit.SECONDS);
            }
        }
        finally {
            executor.shutdownNow();
        }

        int total = threads * incrementsPerThread;
        StoredRecord counter = store.get("counter").orElseThrow();
        assertThat(text(counter)).isEqualTo(Integer.toString(total));
        assertThat(counter.version()).isEqualTo(total + 1);
        assertThat(store.revision()).isEqualTo(total + 1);
    }
}
