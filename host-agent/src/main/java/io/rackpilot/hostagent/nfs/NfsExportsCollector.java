package io.rackpilot.hostagent.nfs;

import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.NfsExports;

import java.io.IOException;

import static java.util.Objects.requireNonNull;

/**
 * {@code nfs_exports}: what {@code exportfs -v} says is in force, from every exports file; when
 * exportfs is missing or fails, no items and the reason in {@code error}.
 */
public final class NfsExportsCollector
        implements InventoryCollector
{
    private final Exportfs exportfs;

    public NfsExportsCollector(Exportfs exportfs)
    {
        this.exportfs = requireNonNull(exportfs, "exportfs is null");
    }

    @Override
    public String name()
    {
        return "nfs_exports";
    }

    @Override
    public void collect(Inventory.Builder inventory)
            throws InterruptedException
    {
        NfsExports.Builder section = NfsExports.newBuilder();
        try {
            section.addAllItems(exportfs.exportsInForce());
        }
        catch (IOException e) {
            section.setError(e.getMessage());
        }
        inventory.setNfsExports(section);
    }
}
