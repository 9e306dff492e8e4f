package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.FileSystem;
import io.rackpilot.proto.v1.FileSystems;
import io.rackpilot.proto.v1.Inventory;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

import java.util.Comparator;

import static io.rackpilot.agent.inventory.OshiValues.nonNegative;
import static io.rackpilot.agent.inventory.OshiValues.text;
import static java.util.Objects.requireNonNull;

/**
 * {@code file_systems}: local mounts (the rule is {@link LocalFileSystems}), sorted by mount point.
 * {@code device} is the mounted device ({@code /dev/sda1}, {@code /dev/mapper/pve-root}, a ZFS
 * dataset), {@code free_bytes} the space an unprivileged user may still use (what {@code df} calls
 * "Avail", without the blocks reserved for root). OSHI is asked for local file stores only, so it
 * never calls {@code statvfs} on a hung NFS mount.
 */
public final class FileSystemCollector
        implements InventoryCollector
{
    private final OperatingSystem operatingSystem;

    public FileSystemCollector(OperatingSystem operatingSystem)
    {
        this.operatingSystem = requireNonNull(operatingSystem, "operatingSystem is null");
    }

    @Override
    public String name()
    {
        return "file_systems";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        FileSystems.Builder fileSystems = FileSystems.newBuilder();
        operatingSystem.getFileSystem().getFileStores(true).stream()
                .map(FileSystemCollector::toFileSystem)
                .filter(fileSystem -> LocalFileSystems.isLocal(fileSystem.getMount(), fileSystem.getType()))
                .sorted(Comparator.comparing(FileSystem::getMount))
                .forEach(fileSystems::addItems);
        inventory.setFileSystems(fileSystems);
    }

    private static FileSystem toFileSystem(OSFileStore store)
    {
        return FileSystem.newBuilder()
                .setMount(text(store.getMount()))
                .setDevice(text(store.getVolume()))
                .setType(text(store.getType()))
                .setTotalBytes(nonNegative(store.getTotalSpace()))
                .setFreeBytes(nonNegative(store.getUsableSpace()))
                .build();
    }
}
