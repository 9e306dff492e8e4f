package io.rackpilot.hostagent;

import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.proto.v1.Inventory;

import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * A collector whose section is also handed to an observer after each successful run (the host
 * metrics follow what the collectors found).
 */
final class ObservedCollector
        implements InventoryCollector
{
    private final InventoryCollector collector;
    private final Consumer<Inventory.Builder> observer;

    ObservedCollector(InventoryCollector collector, Consumer<Inventory.Builder> observer)
    {
        this.collector = requireNonNull(collector, "collector is null");
        this.observer = requireNonNull(observer, "observer is null");
    }

    @Override
    public String name()
    {
        return collector.name();
    }

    @Override
    public void collect(Inventory.Builder inventory)
            throws Exception
    {
        collector.collect(inventory);
        observer.accept(inventory);
    }
}
