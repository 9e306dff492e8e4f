package io.rackpilot.common.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.proto.v1.CpuInfo;
import io.rackpilot.proto.v1.FileSystem;
import io.rackpilot.proto.v1.FileSystems;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.MemoryInfo;
import io.rackpilot.proto.v1.SystemInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestInventoryDiff
{
    private static final Inventory BEFORE = Inventory.newBuilder()
            .setSystem(SystemInfo.newBuilder().setHostname("k8s-node1"))
            .setCpu(CpuInfo.newBuilder().setLogicalCores(8))
            .setMemory(MemoryInfo.newBuilder().setTotalBytes(16L << 30).setAvailableBytes(9L << 30))
            .setFileSystems(FileSystems.newBuilder().addItems(FileSystem.newBuilder().setMount("/").setFreeBytes(100)))
            .build();

    @Test
    void namesTheChangedSectionsInProtoOrderAndCarriesOnlyThose()
    {
        Inventory after = BEFORE.toBuilder()
                .setFileSystems(FileSystems.newBuilder().addItems(FileSystem.newBuilder().setMount("/").setFreeBytes(90)))
                .setMemory(MemoryInfo.newBuilder().setTotalBytes(16L << 30).setAvailableBytes(8L << 30))
                .build();

        InventoryChange change = InventoryDiff.between(BEFORE, after);

        assertThat(change.sections()).containsExactly("memory", "file_systems");
        assertThat(change.inventory()).isEqualTo(Inventory.newBuilder().setMemory(after.getMemory()).setFileSystems(after.getFileSystems()).build());
        assertThat(InventoryDiff.merge(BEFORE, change.inventory())).isEqualTo(after);
    }

    @Test
    void anEmptySectionIsDifferentFromAnUnsetOne()
    {
        Inventory withoutFileSystems = BEFORE.toBuilder().setFileSystems(FileSystems.getDefaultInstance()).build();

        assertThat(InventoryDiff.between(BEFORE, withoutFileSystems).sections()).containsExactly("file_systems");
    }

    @Test
    void aSectionThatDisappearsIsNotAChangeBecauseTheWireCannotSaySo()
    {
        InventoryChange change = InventoryDiff.between(BEFORE, BEFORE.toBuilder().clearCpu().build());

        assertThat(change.isEmpty()).isTrue();
    }

    @Test
    void everySectionIsASingularMessageThatCanBeSetAndCompared()
    {
        List<FieldDescriptor> sections = Inventory.getDescriptor().getFields();
        assertThat(sections).allSatisfy(section -> {
            assertThat(section.isRepeated()).isFalse();
            assertThat(section.getJavaType()).isEqualTo(FieldDescriptor.JavaType.MESSAGE);
        });
        assertThat(sections.stream().map(FieldDescriptor::getName))
                .containsExactly("system", "cpu", "memory", "disks", "file_systems", "network_interfaces", "operating_system", "gpus", "proxmox", "pci_devices", "nfs_exports", "kubernetes");
    }
}
