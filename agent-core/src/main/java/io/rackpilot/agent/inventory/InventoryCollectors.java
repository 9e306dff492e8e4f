package io.rackpilot.agent.inventory;

import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.software.os.OperatingSystem;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The standard collectors, one per inventory section, in the order of the proto.
 */
public final class InventoryCollectors
{
    private InventoryCollectors() {}

    /**
     * @param systemInfo create one per process: OSHI caches what it learned inside it
     */
    public static List<InventoryCollector> standard(SystemInfo systemInfo, SystemUuidSource uuidSource)
    {
        requireNonNull(systemInfo, "systemInfo is null");
        requireNonNull(uuidSource, "uuidSource is null");
        HardwareAbstractionLayer hardware = systemInfo.getHardware();
        OperatingSystem operatingSystem = systemInfo.getOperatingSystem();
        return List.of(
                new SystemCollector(hardware, operatingSystem, uuidSource),
                new CpuCollector(hardware),
                new MemoryCollector(hardware),
                new DiskCollector(hardware),
                new FileSystemCollector(operatingSystem),
                new NetworkInterfaceCollector(hardware),
                OperatingSystemCollector.forThisJvm(operatingSystem));
    }
}
