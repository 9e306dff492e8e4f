package io.rackpilot.coordinator.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

final class TestSqliteStoreContract
        extends StoreContract
{
    @TempDir
    Path directory;

    @Override
    protected Store createStore(StoreObserver observer)
    {
        return SqliteStore.open(directory.resolve("state/coordinator.db"), observer);
    }
}
