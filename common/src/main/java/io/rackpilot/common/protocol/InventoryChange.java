package io.rackpilot.common.protocol;

import io.rackpilot.proto.v1.Inventory;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The sections that changed: {@code inventory} has exactly those sections set, {@code sections}
 * names them (proto field names, in proto order: {@code system}, {@code cpu}, {@code memory},
 * {@code disks}, {@code file_systems}, {@code network_interfaces}, {@code operating_system}).
 */
public record InventoryChange(Inventory inventory, List<String> sections)
{
    public InventoryChange
    {
        requireNonNull(inventory, "inventory is null");
        sections = List.copyOf(requireNonNull(sections, "sections is null"));
    }

    public boolean isEmpty()
    {
        return sections.isEmpty();
    }
}
