package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;

/**
 * Fills one section of the {@link Inventory}, and only that one. The name is the section's field
 * name in the proto ({@code cpu}, {@code file_systems}), which is also the {@code collector} label of
 * the collector metrics.
 */
public interface InventoryCollector
{
    String name();

    /**
     * Sets this collector's section on {@code inventory}, always, even when the section has nothing
     * in it (a machine without disks gets an empty {@code disks} section): an unset section means
     * "not known".
     */
    void collect(Inventory.Builder inventory)
            throws Exception;
}
