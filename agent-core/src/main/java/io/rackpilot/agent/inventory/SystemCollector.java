package io.rackpilot.agent.inventory;

import com.google.protobuf.Timestamp;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.SystemInfo;
import oshi.hardware.ComputerSystem;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.software.os.OperatingSystem;

import static io.rackpilot.agent.inventory.OshiValues.nonNegative;
import static io.rackpilot.agent.inventory.OshiValues.text;
import static java.util.Objects.requireNonNull;

/**
 * {@code system}: manufacturer and model (SMBIOS), the system UUID from {@link SystemUuidSource}
 * (not from OSHI, which would try {@code dmidecode} and cannot say why it failed), hostname and
 * boot time.
 */
public final class SystemCollector
        implements InventoryCollector
{
    private final HardwareAbstractionLayer hardware;
    private final OperatingSystem operatingSystem;
    private final SystemUuidSource uuidSource;

    public SystemCollector(HardwareAbstractionLayer hardware, OperatingSystem operatingSystem, SystemUuidSource uuidSource)
    {
        this.hardware = requireNonNull(hardware, "hardware is null");
        this.operatingSystem = requireNonNull(operatingSystem, "operatingSystem is null");
        this.uuidSource = requireNonNull(uuidSource, "uuidSource is null");
    }

    @Override
    public String name()
    {
        return "system";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        ComputerSystem computerSystem = hardware.getComputerSystem();
        SystemUuid uuid = uuidSource.read();
        SystemInfo.Builder system = SystemInfo.newBuilder()
                .setManufacturer(text(computerSystem.getManufacturer()))
                .setModel(text(computerSystem.getModel()))
                .setUuid(uuid.uuid().orElse(""))
                .setUuidSource(uuid.source())
                .setHostname(text(operatingSystem.getNetworkParams().getHostName()));
        long bootTimeSeconds = nonNegative(operatingSystem.getSystemBootTime());
        if (bootTimeSeconds > 0) {
            system.setBootTime(Timestamp.newBuilder().setSeconds(bootTimeSeconds));
        }
        inventory.setSystem(system);
    }
}
