package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Disk;
import io.rackpilot.proto.v1.Disks;
import io.rackpilot.proto.v1.Inventory;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;

import java.util.Comparator;
import java.util.List;

import static io.rackpilot.agent.inventory.OshiValues.nonNegative;
import static io.rackpilot.agent.inventory.OshiValues.text;
import static java.util.Objects.requireNonNull;

/**
 * {@code disks}: whole block devices (name as OSHI gives it, e.g. {@code /dev/sda}, model, serial,
 * size), sorted by name.
 * <p>
 * Rule: a disk is a block device backed by hardware (or, in a VM, by a virtual disk). Block
 * devices that are views of other storage, of memory or of the network are skipped, by kernel name:
 * {@code loop*}, {@code ram*}, {@code zram*} (files and memory), {@code dm-*} (device mapper: LVM
 * volumes, one per VM disk on an LVM-thin Proxmox host), {@code zd*} (ZFS volumes, one per VM disk
 * on a ZFS host), {@code nbd*} and {@code rbd*} (network block devices). Software RAID ({@code md*})
 * is kept. Their file systems still show up under {@code file_systems}.
 */
public final class DiskCollector
        implements InventoryCollector
{
    private static final List<String> VIRTUAL_DEVICE_PREFIXES = List.of("loop", "ram", "zram", "dm-", "zd", "nbd", "rbd");

    private final HardwareAbstractionLayer hardware;

    public DiskCollector(HardwareAbstractionLayer hardware)
    {
        this.hardware = requireNonNull(hardware, "hardware is null");
    }

    @Override
    public String name()
    {
        return "disks";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        Disks.Builder disks = Disks.newBuilder();
        hardware.getDiskStores().stream()
                .filter(disk -> isHardwareDisk(text(disk.getName())))
                .map(DiskCollector::toDisk)
                .sorted(Comparator.comparing(Disk::getName))
                .forEach(disks::addItems);
        inventory.setDisks(disks);
    }

    /**
     * @param name {@code /dev/sda} or {@code sda}
     */
    static boolean isHardwareDisk(String name)
    {
        if (name.isEmpty()) {
            return false;
        }
        String kernelName = name.substring(name.lastIndexOf('/') + 1);
        return VIRTUAL_DEVICE_PREFIXES.stream().noneMatch(kernelName::startsWith);
    }

    private static Disk toDisk(HWDiskStore disk)
    {
        return Disk.newBuilder()
                .setName(text(disk.getName()))
                .setModel(text(disk.getModel()))
                .setSerial(text(disk.getSerial()))
                .setSizeBytes(nonNegative(disk.getSize()))
                .build();
    }
}
