package io.rackpilot.common.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.proto.v1.Inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * What changed between two inventories, and applying a change, section by section (a section is
 * one top-level field of {@link Inventory}, replaced as a whole, never merged field by field).
 * Pure: no I/O, nothing kept.
 * <p>
 * An unset section in a change means "unchanged", so a change cannot remove a section: a section
 * set in {@code previous} but unset in {@code current} is not reported. {@link InventoryCollection}
 * never unsets a section once known, so for its snapshots
 * {@code merge(previous, between(previous, current).inventory())} equals {@code current}.
 */
public final class InventoryDiff
{
    private InventoryDiff() {}

    /**
     * @param previous {@link Inventory#getDefaultInstance()} when nothing was known: then every
     * section set in {@code current} changed
     */
    public static InventoryChange between(Inventory previous, Inventory current)
    {
        requireNonNull(previous, "previous is null");
        requireNonNull(current, "current is null");
        Inventory.Builder changed = Inventory.newBuilder();
        List<String> sections = new ArrayList<>();
        for (FieldDescriptor section : Inventory.getDescriptor().getFields()) {
            if (!current.hasField(section)) {
                continue;
            }
            Object value = current.getField(section);
            if (!previous.hasField(section) || !previous.getField(section).equals(value)) {
                changed.setField(section, value);
                sections.add(section.getName());
            }
        }
        return new InventoryChange(changed.build(), sections);
    }

    /**
     * {@code base} with every section set in {@code change} replaced by the change's.
     */
    public static Inventory merge(Inventory base, Inventory change)
    {
        requireNonNull(base, "base is null");
        requireNonNull(change, "change is null");
        Inventory.Builder merged = base.toBuilder();
        for (Map.Entry<FieldDescriptor, Object> section : change.getAllFields().entrySet()) {
            merged.setField(section.getKey(), section.getValue());
        }
        return merged.build();
    }
}
