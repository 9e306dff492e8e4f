package io.rackpilot.common.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.common.protocol.InventoryArbitraries.Snapshots;
import io.rackpilot.proto.v1.Inventory;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestInventoryDiffProperties
{
    @Property
    void applyingTheChangeToThePreviousSnapshotGivesTheCurrentOne(@ForAll("successiveSnapshots") Snapshots snapshots)
    {
        InventoryChange change = InventoryDiff.between(snapshots.previous(), snapshots.current());
        Statistics.label("changed sections").collect(change.sections().size());

        assertThat(InventoryDiff.merge(snapshots.previous(), change.inventory())).isEqualTo(snapshots.current());
    }

    @Property
    void theChangeHoldsExactlyTheSectionsThatDifferWithTheCurrentValues(@ForAll("successiveSnapshots") Snapshots snapshots)
    {
        InventoryChange change = InventoryDiff.between(snapshots.previous(), snapshots.current());

        for (FieldDescriptor section : Inventory.getDescriptor().getFields()) {
            Optional<Object> current = InventoryArbitraries.section(snapshots.current(), section);
            boolean differs = current.isPresent() && !current.equals(InventoryArbitraries.section(snapshots.previous(), section));
            assertThat(change.sections().contains(section.getName())).as(section.getName()).isEqualTo(differs);
            assertThat(InventoryArbitraries.section(change.inventory(), section)).as(section.getName()).isEqualTo(differs ? current : Optional.empty());
        }
        List<String> setInChange = change.inventory().getAllFields().keySet().stream().map(FieldDescriptor::getName).toList();
        assertThat(change.sections()).isEqualTo(setInChange);
    }

    @Property
    void noChangeIsAnEmptyChange(@ForAll("inventories") Inventory inventory)
    {
        InventoryChange change = InventoryDiff.between(inventory, inventory.toBuilder().build());

        assertThat(change.isEmpty()).isTrue();
        assertThat(change.inventory()).isEqualTo(Inventory.getDefaultInstance());
    }

    @Property
    void fromNothingEverySetSectionChanged(@ForAll("inventories") Inventory inventory)
    {
        InventoryChange change = InventoryDiff.between(Inventory.getDefaultInstance(), inventory);

        assertThat(change.inventory()).isEqualTo(inventory);
        assertThat(change.sections()).isEqualTo(inventory.getAllFields().keySet().stream().map(FieldDescriptor::getName).toList());
    }

    @Property
    void mergingAnEmptyChangeChangesNothingAndMergingIntoNothingGivesTheChange(@ForAll("inventories") Inventory inventory)
    {
        assertThat(InventoryDiff.merge(inventory, Inventory.getDefaultInstance())).isEqualTo(inventory);
        assertThat(InventoryDiff.merge(Inventory.getDefaultInstance(), inventory)).isEqualTo(inventory);
    }

    @Provide
    Arbitrary<Snapshots> successiveSnapshots()
    {
        return InventoryArbitraries.successiveSnapshots();
    }

    @Provide
    Arbitrary<Inventory> inventories()
    {
        return InventoryArbitraries.inventories();
    }
}
