package io.rackpilot.common.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Timestamp;
import io.rackpilot.proto.v1.CpuInfo;
import io.rackpilot.proto.v1.Disk;
import io.rackpilot.proto.v1.Disks;
import io.rackpilot.proto.v1.FileSystem;
import io.rackpilot.proto.v1.FileSystems;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.MemoryInfo;
import io.rackpilot.proto.v1.NetworkInterface;
import io.rackpilot.proto.v1.NetworkInterfaces;
import io.rackpilot.proto.v1.OperatingSystemInfo;
import io.rackpilot.proto.v1.SystemInfo;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.List;
import java.util.Optional;

/**
 * Inventories drawn from small value sets, so that sections are often equal by chance too.
 */
final class InventoryArbitraries
{
    private InventoryArbitraries() {}

    /**
     * Two snapshots as {@link InventoryCollection} produces them: every section set in the first is
     * set in the second, either unchanged or replaced.
     */
    record Snapshots(Inventory previous, Inventory current) {}

    static Arbitrary<Snapshots> successiveSnapshots()
    {
        int sectionCount = Inventory.getDescriptor().getFields().size();
        return Combinators.combine(inventories(), completeInventories(), Arbitraries.of(false, true).list().ofSize(sectionCount))
                .as((previous, replacements, replaced) -> {
                    Inventory.Builder current = Inventory.newBuilder();
                    List<FieldDescriptor> sections = Inventory.getDescriptor().getFields();
                    for (int i = 0; i < sectionCount; i++) {
                        Inventory source = replaced.get(i) ? replacements : previous;
                        if (source.hasField(sections.get(i))) {
                            current.setField(sections.get(i), source.getField(sections.get(i)));
                        }
                    }
                    return new Snapshots(previous, current.build());
                });
    }

    /**
     * Any subset of the sections set.
     */
    static Arbitrary<Inventory> inventories()
    {
        return Combinators.combine(
                        systems().optional(), cpus().optional(), memories().optional(), disks().optional(),
                        fileSystems().optional(), networkInterfaces().optional(), operatingSystems().optional())
                .as((system, cpu, memory, disks, fileSystems, networkInterfaces, operatingSystem) -> {
                    Inventory.Builder inventory = Inventory.newBuilder();
                    system.ifPresent(inventory::setSystem);
                    cpu.ifPresent(inventory::setCpu);
                    memory.ifPresent(inventory::setMemory);
                    disks.ifPresent(inventory::setDisks);
                    fileSystems.ifPresent(inventory::setFileSystems);
                    networkInterfaces.ifPresent(inventory::setNetworkInterfaces);
                    operatingSystem.ifPresent(inventory::setOperatingSystem);
                    return inventory.build();
                });
    }

    static Arbitrary<Inventory> completeInventories()
    {
        return Combinators.combine(systems(), cpus(), memories(), disks(), fileSystems(), networkInterfaces(), operatingSystems())
                .as((system, cpu, memory, disks, fileSystems, networkInterfaces, operatingSystem) -> Inventory.newBuilder()
                        .setSystem(system)
                        .setCpu(cpu)
                        .setMemory(memory)
                        .setDisks(disks)
                        .setFileSystems(fileSystems)
                        .setNetworkInterfaces(networkInterfaces)
                        .setOperatingSystem(operatingSystem)
                        .build());
    }

    private static Arbitrary<SystemInfo> systems()
    {
        return Combinators.combine(
                        Arbitraries.of("", "Dell Inc.", "QEMU"),
                        Arbitraries.of("", "3f2a9c1e-5b7d-4e21-9a0c-6d8e4f1b2a77"),
                        Arbitraries.of("pve", "k8s-node1"),
                        Arbitraries.longs().between(0, 2).optional())
                .as((manufacturer, uuid, hostname, bootTime) -> {
                    SystemInfo.Builder system = SystemInfo.newBuilder()
                            .setManufacturer(manufacturer)
                            .setUuid(uuid)
                            .setUuidSource(uuid.isEmpty() ? "unknown: no DMI on this machine" : "dmi")
                            .setHostname(hostname);
                    bootTime.ifPresent(seconds -> system.setBootTime(Timestamp.newBuilder().setSeconds(1_700_000_000L + seconds)));
                    return system.build();
                });
    }

    private static Arbitrary<CpuInfo> cpus()
    {
        return Combinators.combine(Arbitraries.of("AMD EPYC", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"), Arbitraries.integers().between(1, 3))
                .as((model, cores) -> CpuInfo.newBuilder().setModel(model).setSockets(1).setPhysicalCores(cores).setLogicalCores(cores * 2).build());
    }

    private static Arbitrary<MemoryInfo> memories()
    {
        return Combinators.combine(Arbitraries.of(8L << 30, 16L << 30), Arbitraries.longs().between(0, 2))
                .as((total, available) -> MemoryInfo.newBuilder().setTotalBytes(total).setAvailableBytes(available << 30).build());
    }

    private static Arbitrary<Disks> disks()
    {
        Arbitrary<Disk> disk = Combinators.combine(Arbitraries.of("/dev/sda", "/dev/sdb", "/dev/nvme0n1"), Arbitraries.of(0L, 1L << 40))
                .as((name, size) -> Disk.newBuilder().setName(name).setSizeBytes(size).build());
        return disk.list().ofMaxSize(3).map(items -> Disks.newBuilder().addAllItems(items).build());
    }

    private static Arbitrary<FileSystems> fileSystems()
    {
        Arbitrary<FileSystem> fileSystem = Combinators.combine(Arbitraries.of("/", "/boot/efi", "/var/lib/vz"), Arbitraries.longs().between(0, 2))
                .as((mount, free) -> FileSystem.newBuilder().setMount(mount).setType("ext4").setTotalBytes(100).setFreeBytes(free).build());
        return fileSystem.list().ofMaxSize(3).map(items -> FileSystems.newBuilder().addAllItems(items).build());
    }

    private static Arbitrary<NetworkInterfaces> networkInterfaces()
    {
        Arbitrary<NetworkInterface> networkInterface = Combinators.combine(
                        Arbitraries.of("eth0", "vmbr0"),
                        Arbitraries.of("10.0.20.10", "10.0.20.11").list().ofMaxSize(2),
                        Arbitraries.of(false, true))
                .as((name, addresses, up) -> NetworkInterface.newBuilder().setName(name).addAllIpv4Addresses(addresses).setMtu(1500).setUp(up).build());
        return networkInterface.list().ofMaxSize(2).map(items -> NetworkInterfaces.newBuilder().addAllItems(items).build());
    }

    private static Arbitrary<OperatingSystemInfo> operatingSystems()
    {
        return Arbitraries.of("6.8.12-4-pve", "6.1.0-26-amd64")
                .map(kernel -> OperatingSystemInfo.newBuilder().setFamily("Debian GNU/Linux").setVersion("12").setKernel(kernel).setArchitecture("x86_64").build());
    }

    static Optional<Object> section(Inventory inventory, FieldDescriptor section)
    {
        return inventory.hasField(section) ? Optional.of(inventory.getField(section)) : Optional.empty();
    }
}
