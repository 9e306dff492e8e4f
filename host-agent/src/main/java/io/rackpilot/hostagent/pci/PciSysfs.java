package io.rackpilot.hostagent.pci;

import io.rackpilot.proto.v1.PciDevice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * PCI devices as sysfs shows them, under an injected root (default {@code /sys}; tests use fixture
 * trees): {@code bus/pci/devices/DDDD:BB:DD.F/{vendor,device,class,driver→,iommu_group→,
 * driver_override,numa_node,reset_method,reset,d3cold_allowed,power_state}} and
 * {@code kernel/iommu_groups/N/devices/}. With a procfs root it also lists the host processes that
 * hold a card's driver open ({@link DriverNodeHolders}), for cards bound to nvidia: those are the
 * processes that keep the card from being unbound. A card bound to nouveau is held through
 * {@code /dev/dri/card*}, which is not looked up (its holders are left empty).
 */
public final class PciSysfs
{
    private final Path sysRoot;
    private final Optional<DriverNodeHolders> holders;

    /**
     * Without a procfs root: holders are never looked up.
     */
    public PciSysfs(Path sysRoot)
    {
        this(sysRoot, Optional.empty());
    }

    public PciSysfs(Path sysRoot, Path procRoot)
    {
        this(sysRoot, Optional.of(new DriverNodeHolders(requireNonNull(procRoot, "procRoot is null"))));
    }

    private PciSysfs(Path sysRoot, Optional<DriverNodeHolders> holders)
    {
        this.sysRoot = requireNonNull(sysRoot, "sysRoot is null");
        this.holders = requireNonNull(holders, "holders is null");
    }

    public Path devicesDirectory()
    {
        return sysRoot.resolve("bus/pci/devices");
    }

    public Path deviceDirectory(PciAddress address)
    {
        return devicesDirectory().resolve(address.toString());
    }

    public Path driversProbe()
    {
        return sysRoot.resolve("bus/pci/drivers_probe");
    }

    public List<PciDevice> devices()
            throws IOException
    {
        Path directory = devicesDirectory();
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<PciDevice> devices = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : entries.sorted().toList()) {
                PciAddress address;
                try {
                    address = PciAddress.parse(entry.getFileName().toString());
                }
                catch (IllegalArgumentException e) {
                    continue;
                }
                device(address).ifPresent(devices::add);
            }
        }
        return List.copyOf(devices);
    }

    public Optional<PciDevice> device(PciAddress address)
            throws IOException
    {
        Path directory = deviceDirectory(address);
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        String driver = linkName(directory.resolve("driver"));
        String resetMethod = read(directory.resolve("reset_method"));
        PciDevice.Builder device = PciDevice.newBuilder()
                .setAddress(address.toString())
                .setVendorId(hexId(read(directory.resolve("vendor"))))
                .setDeviceId(hexId(read(directory.resolve("device"))))
                .setClassCode(read(directory.resolve("class")))
                .setDriver(driver)
                .setDriverOverride(read(directory.resolve("driver_override")).replace("(null)", ""))
                .setResetMethod(resetMethod)
                // reset is write-only (mode 0200): its presence is what counts
                .setResettable(Files.exists(directory.resolve("reset")) && !resetMethod.isEmpty())
                .setPowerState(readTolerantly(directory.resolve("power_state")));
        switch (readTolerantly(directory.resolve("d3cold_allowed"))) {
            case "1" -> device.setD3ColdAllowed(true);
            case "0" -> device.setD3ColdAllowed(false);
            default -> { }
        }
        if (driver.equals("nvidia") && holders.isPresent()) {
            device.addAllHolders(holders.get().holders(DriverNodeHolders.NVIDIA_NODES));
        }
        String numa = read(directory.resolve("numa_node"));
        if (!numa.isEmpty()) {
            try {
                device.setNumaNode(Integer.parseInt(numa));
            }
            catch (NumberFormatException e) {
                device.setNumaNode(-1);
            }
        }
        else {
            device.setNumaNode(-1);
        }
        String group = linkName(directory.resolve("iommu_group"));
        if (!group.isEmpty()) {
            try {
                int number = Integer.parseInt(group);
                device.setIommuGroup(number);
                for (String peer : groupMembers(number)) {
                    if (!peer.equals(address.toString())) {
                        device.addIommuGroupPeers(peer);
                    }
                }
            }
            catch (NumberFormatException e) {
                // not a group number: leave the group unset
            }
        }
        return Optional.of(device.build());
    }

    public List<String> groupMembers(int group)
            throws IOException
    {
        Path members = sysRoot.resolve("kernel/iommu_groups").resolve(Integer.toString(group)).resolve("devices");
        if (!Files.isDirectory(members)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(members)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static String hexId(String value)
    {
        return value.startsWith("0x") ? value.substring(2) : value;
    }

    private static String read(Path file)
            throws IOException
    {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        catch (NoSuchFileException e) {
            return "";
        }
    }

    /**
     * The file's content, or empty when it is absent or cannot be read (a field the collector can do without).
     */
    private static String readTolerantly(Path file)
    {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String linkName(Path link)
            throws IOException
    {
        if (!Files.isSymbolicLink(link)) {
            return "";
        }
        return Files.readSymbolicLink(link).getFileName().toString();
    }
}
