package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.FileSystem;
import io.rackpilot.proto.v1.Inventory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestFileSystemCollector
{
    @Test
    void listsLocalFileSystemsSortedByMountWithTheSpaceAUserMayUse()
    {
        FakeOperatingSystem operatingSystem = FakeOperatingSystem.withFileStores(
                new FakeFileStore("/var/lib/vz", "/dev/mapper/pve-data", "ext4", 1_000_000, 400_000, 450_000),
                new FakeFileStore("/", "/dev/mapper/pve-root", "ext4", 100_000, 40_000, 45_000),
                new FakeFileStore("/run", "tmpfs", "tmpfs", 10_000, 9_000, 9_000),
                new FakeFileStore("/etc/pve", "/dev/fuse", "fuse", 30_000, 29_000, 29_000),
                new FakeFileStore("/rpool", "rpool", "zfs", 5_000_000, 4_000_000, 4_000_000),
                new FakeFileStore("/boot/efi", "/dev/sda2", "vfat", 500, 400, 400),
                new FakeFileStore("/mnt/backup", "nas:/export/backup", "nfs4", 9_000_000, 1, 1));

        Inventory.Builder inventory = Inventory.newBuilder();
        new FileSystemCollector(operatingSystem).collect(inventory);

        assertThat(inventory.build().getAllFields()).hasSize(1);
        assertThat(inventory.getFileSystems().getItemsList()).containsExactly(
                fileSystem("/", "/dev/mapper/pve-root", "ext4", 100_000, 40_000),
                fileSystem("/boot/efi", "/dev/sda2", "vfat", 500, 400),
                fileSystem("/rpool", "rpool", "zfs", 5_000_000, 4_000_000),
                fileSystem("/var/lib/vz", "/dev/mapper/pve-data", "ext4", 1_000_000, 400_000));
        assertThat(operatingSystem.fileStoreRequests()).as("local file stores only: no statvfs on network mounts").containsExactly(true);
    }

    @Test
    void noLocalFileSystemIsAnEmptySection()
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        new FileSystemCollector(FakeOperatingSystem.withFileStores(new FakeFileStore("/", "overlay", "overlay", 1, 1, 1))).collect(inventory);

        assertThat(inventory.hasFileSystems()).isTrue();
        assertThat(inventory.getFileSystems().getItemsList()).isEqualTo(List.of());
    }

    private static FileSystem fileSystem(String mount, String device, String type, long total, long free)
    {
        return FileSystem.newBuilder().setMount(mount).setDevice(device).setType(type).setTotalBytes(total).setFreeBytes(free).build();
    }
}
