package io.rackpilot.coordinator.store;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Random sequences of operations give the same answers from a store as from a plain model. One store
 * serves all tries of a property; each try works under its own key prefix, which also checks that
 * prefixes isolate.
 */
class TestStoreProperty
{
    private static final List<String> KEYS = List.of("a", "a/b", "a/c", "ab", "a~", "a~/x", "b", "b/a");
    private static final List<String> PREFIXES = List.of("", "a", "a/", "a~", "ab", "b", "c");

    private Path directory;
    private Store inMemoryStore;
    private Store sqliteStore;
    private int tryNumber;

    @BeforeProperty
    void openStores()
            throws IOException
    {
        directory = Files.createTempDirectory("store-property");
        inMemoryStore = new InMemoryStore();
        sqliteStore = SqliteStore.open(directory.resolve("state.db"), StoreObserver.NONE);
    }

    @AfterProperty
    void closeStores()
            throws IOException
    {
        inMemoryStore.close();
        sqliteStore.close();
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Property(tries = 300)
    void inMemoryStoreBehavesLikeTheModel(@ForAll("operations") List<Operation> operations)
    {
        check(inMemoryStore, operations);
    }

    @Property(tries = 200)
    void sqliteStoreBehavesLikeTheModel(@ForAll("operations") List<Operation> operations)
    {
        check(sqliteStore, operations);
    }

    private void check(Store store, List<Operation> operations)
    {
        tryNumber++;
        Model model = new Model("try-" + tryNumber + "/", store.revision());
        for (Operation operation : operations) {
            operation.check(store, model);
            assertThat(store.revision()).as("revision after %s", operation).isEqualTo(model.revision);
        }
        assertThat(store.list(model.base).records()).isEqualTo(model.list(""));
    }

    @Provide
    Arbitrary<List<Operation>> operations()
    {
        Arbitrary<String> keys = Arbitraries.of(KEYS);
        Arbitrary<byte[]> values = Arbitraries.bytes().array(byte[].class).ofMaxSize(6);
        Arbitrary<Expectation> expectations = Arbitraries.of(Expectation.class);
        Arbitrary<Operation> operation = Arbitraries.oneOf(
                Combinators.combine(keys, values).as(Put::new),
                Combinators.combine(keys, values, expectations).as(PutIfModRevision::new),
                keys.map(Delete::new),
                Combinators.combine(keys, expectations).as(DeleteIfModRevision::new),
                keys.map(Get::new),
                Arbitraries.of(PREFIXES).map(ListPrefix::new));
        return operation.list().ofMaxSize(40);
    }

    /** The expected modRevision of a conditional write, resolved against the model when it runs. */
    enum Expectation
    {
        ABSENT,
        CURRENT,
        PREVIOUS,
        FUTURE;

        long resolve(Model model, String key)
        {
            Optional<StoredRecord> current = model.get(key);
            switch (this) {
                case ABSENT:
                    return 0;
                case CURRENT:
                    return current.map(StoredRecord::modRevision).orElse(1L);
                case PREVIOUS:
                    return current.map(record -> record.modRevision() - 1).orElse(model.revision);
                case FUTURE:
                    return model.revision + 3;
            }
            throw new AssertionError(this);
        }
    }

    /** The simplest thing that has the store's semantics: a sorted map and a counter. */
    static final class Model
    {
        final String base;
        final Map<String, StoredRecord> records = new TreeMap<>();
        long revision;

        Model(String base, long revision)
        {
            this.base = base;
            this.revision = revision;
        }

        Optional<StoredRecord> get(String key)
        {
            return Optional.ofNullable(records.get(base + key));
        }

        StoredRecord put(String key, byte[] value)
        {
            revision++;
            StoredRecord previous = records.get(base + key);
            StoredRecord written = previous == null
                    ? new StoredRecord(base + key, value, revision, revision, 1)
                    : new StoredRecord(base + key, value, previous.createRevision(), revision, previous.version() + 1);
            records.put(base + key, written);
            return written;
        }

        boolean delete(String key)
        {
            if (records.remove(base + key) == null) {
                return false;
            }
            revision++;
            return true;
        }

        List<StoredRecord> list(String prefix)
        {
            return records.values().stream()
                    .filter(record -> record.key().startsWith(base + prefix))
                    .toList();
        }
    }

    interface Operation
    {
        void check(Store store, Model model);
    }

    record Put(String key, byte[] value)
            implements Operation
    {
        @Override
        public void check(Store store, Model model)
        {
            assertThat(store.put(model.base + key, value)).isEqualTo(model.put(key, value));
        }

        @Override
        public String toString()
        {
            return "put(" + key + ", " + Arrays.toString(value) + ")";
        }
    }

    record PutIfModRevision(String key, byte[] value, Expectation expectation)
            implements Operation
    {
        @Override
        public void check(Store store, Model model)
        {
            long expected = expectation.resolve(model, key);
            Optional<StoredRecord> current = model.get(key);
            boolean matches = expected == 0 ? current.isEmpty() : current.map(record -> record.modRevision() == expected).orElse(false);
            Optional<StoredRecord> modelResult = matches ? Optional.of(model.put(key, value)) : Optional.empty();
            assertThat(store.putIfModRevision(model.base + key, value, expected)).isEqualTo(modelResult);
        }

        @Override
        public String toString()
        {
            return "putIfModRevision(" + key + ", " + Arrays.toString(value) + ", " + expectation + ")";
        }
    }

    record Delete(String key)
            implements Operation
    {
        @Override
        public void check(Store store, Model model)
        {
            assertThat(store.delete(model.base + key)).isEqualTo(model.delete(key));
        }
    }

    record DeleteIfModRevision(String key, Expectation expectation)
            implements Operation
    {
        @Override
        public void check(Store store, Model model)
        {
            long expected = expectation.resolve(model, key);
            if (expected < 1) {
                assertThatThrownBy(() -> store.deleteIfModRevision(model.base + key, expected))
                        .isInstanceOf(IllegalArgumentException.class);
                return;
            }
            boolean matches = model.get(key).map(record -> record.modRevision() == expected).orElse(false);
            boolean modelResult = matches && model.delete(key);
            assertThat(store.deleteIfModRevision(model.base + key, expected)).isEqualTo(modelResult);
        }
    }

    record Get(String key)
            implements Operation
    {
        @Override
        public void check(Store store, Model model)
        {
            assertThat(store.get(model.base + key)).isEqualTo(model.get(key));
        }
    }

    record ListPrefix(String prefix)
            implements Operation
    {
        @Override
        public void check(Store store, Model model)
        {
            Listing listing = store.list(model.base + prefix);
            assertThat(listing.records()).isEqualTo(model.list(prefix));
            assertThat(listing.revision()).isEqualTo(model.revision);
        }
    }
}
