package io.rackpilot.coordinator.store;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

final class SqliteStoreContractTest
        extends StoreContractTest
{
    @TempDir
    Path directory;

    @Override
    protected Store createStore(StoreObserver observer)
    {
        return SqliteStore.open(directory.resolve("state/coordinator.db"), observer);
    }
}
