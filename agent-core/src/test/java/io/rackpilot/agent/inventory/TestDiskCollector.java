package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Disk;
import io.rackpilot.proto.v1.Inventory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestDiskCollector
{
    @Test
    void listsHardwareDisksSortedByNameAndSkipsVirtualBlockDevices()
    {
        FakeHardware hardware = new FakeHardware().withDisks(
                new FakeDisk("/dev/sdb", "PERC H730 Mini", "unknown", 4_000_787_030_016L),
                new FakeDisk("/dev/loop0", "unknown", "unknown", 67_108_864L),
                new FakeDisk("/dev/dm-3", "Logical Volume Group", "LVM-abc", 34_359_738_368L),
                new FakeDisk("/dev/zd16", "unknown", "unknown", 34_359_738_368L),
                new FakeDisk("/dev/zram0", "unknown", "unknown", 0),
                new FakeDisk("/dev/nvme0n1", "Samsung SSD 970 EVO Plus 1TB", "S4EWNX0R123456", 1_000_204_886_016L),
                new FakeDisk("/dev/md0", "unknown", "unknown", 2_000_000_000_000L));

        Inventory.Builder inventory = Inventory.newBuilder();
        new DiskCollector(hardware).collect(inventory);

        assertThat(inventory.build().getAllFields()).hasSize(1);
        assertThat(inventory.getDisks().getItemsList()).containsExactly(
                Disk.newBuilder().setName("/dev/md0").setSizeBytes(2_000_000_000_000L).build(),
                Disk.newBuilder().setName("/dev/nvme0n1").setModel("Samsung SSD 970 EVO Plus 1TB").setSerial("S4EWNX0R123456").setSizeBytes(1_000_204_886_016L).build(),
                Disk.newBuilder().setName("/dev/sdb").setModel("PERC H730 Mini").setSizeBytes(4_000_787_030_016L).build());
    }

    @Test
    void noDisksIsAnEmptySectionNotAMissingOne()
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        new DiskCollector(new FakeHardware().withDisks()).collect(inventory);

        assertThat(inventory.hasDisks()).isTrue();
        assertThat(inventory.getDisks().getItemsList()).isEmpty();
    }

    @Test
    void theRuleLooksAtTheKernelName()
    {
        assertThat(DiskCollector.isHardwareDisk("sda")).isTrue();
        assertThat(DiskCollector.isHardwareDisk("/dev/vda")).isTrue();
        assertThat(DiskCollector.isHardwareDisk("/dev/sr0")).isTrue();
        assertThat(DiskCollector.isHardwareDisk("nbd0")).isFalse();
        assertThat(DiskCollector.isHardwareDisk("/dev/rbd0")).isFalse();
        assertThat(DiskCollector.isHardwareDisk("/dev/ram0")).isFalse();
        assertThat(DiskCollector.isHardwareDisk("")).isFalse();
    }
}
