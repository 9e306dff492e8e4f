package io.rackpilot.coordinator.store;

final class InMemoryStoreTest
        extends StoreContractTest
{
    @Override
    protected Store createStore(StoreObserver observer)
    {
        return new InMemoryStore(observer);
    }
}
