package io.rackpilot.coordinator.store;

final class TestInMemoryStore
        extends StoreContract
{
    @Override
    protected Store createStore(StoreObserver observer)
    {
        return new InMemoryStore(observer);
    }
}
