package io.rackpilot.hostagent.pci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A /sys tree with real file contents and symlinks, as the kernel lays it out, and a writer that
 * plays the kernel's part for driver binding (unbind removes the driver link, drivers_probe binds
 * to driver_override, else to the device's original driver).
 */
final class SysfsFixture
        implements SysfsWriter
{
    private final Path root;
    final List<String> writes = new ArrayList<>();

    SysfsFixture(Path root)
            throws IOException
    {
        this.root = root;
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.createDirectories(root.resolve("bus/pci/drivers"));
        Files.createDirectories(root.resolve("kernel/iommu_groups"));
        Files.writeString(root.resolve("bus/pci/drivers_probe"), "");
    }

    Path root()
    {
        return root;
    }

    SysfsFixture device(String address, String vendor, String device, String classCode, String driver, Integer group)
            throws IOException
    {
        Path real = root.resolve("devices/pci0000:00/" + address);
        Files.createDirectories(real);
        Files.writeString(real.resolve("vendor"), vendor + "\n");
        Files.writeString(real.resolve("device"), device + "\n");
        Files.writeString(real.resolve("class"), classCode + "\n");
        Files.writeString(real.resolve("driver_override"), "(null)\n");
        Files.writeString(real.resolve("numa_node"), "0\n");
        Files.writeString(real.resolve("reset_method"), "flr bus\n");
        Files.writeString(real.resolve("original_driver"), driver == null ? "" : driver);
        Files.createSymbolicLink(root.resolve("bus/pci/devices/" + address), Path.of("../../../devices/pci0000:00/" + address));
        if (driver != null) {
            bind(address, driver);
        }
        if (group != null) {
            Path groupDevices = root.resolve("kernel/iommu_groups/" + group + "/devices");
            Files.createDirectories(groupDevices);
            Files.createSymbolicLink(groupDevices.resolve(address), Path.of("../../../../devices/pci0000:00/" + address));
            Files.createSymbolicLink(real.resolve("iommu_group"), Path.of("../../../kernel/iommu_groups/" + group));
        }
        return this;
    }

    /**
     * Writes (or, with a null content, removes) one attribute file of the device.
     */
    SysfsFixture attribute(String address, String name, String content)
            throws IOException
    {
        Path file = root.resolve("devices/pci0000:00/" + address + "/" + name);
        if (content == null) {
            Files.deleteIfExists(file);
        }
        else {
            Files.writeString(file, content);
        }
        return this;
    }

    String driverOf(String address)
            throws IOException
    {
        Path link = root.resolve("devices/pci0000:00/" + address + "/driver");
        return Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : "";
    }

    private void bind(String address, String driver)
            throws IOException
    {
        Path driverDirectory = root.resolve("bus/pci/drivers/" + driver);
        Files.createDirectories(driverDirectory);
        if (!Files.exists(driverDirectory.resolve("unbind"))) {
            Files.writeString(driverDirectory.resolve("unbind"), "");
        }
        Files.createSymbolicLink(root.resolve("devices/pci0000:00/" + address + "/driver"), Path.of("../../../bus/pci/drivers/" + driver));
    }

    @Override
    public void write(Path attribute, String value)
            throws IOException
    {
        writes.add(root.relativize(attribute) + " <- " + value.strip());
        String address = value.strip();
        if (attribute.getFileName().toString().equals("unbind")) {
            // the driver's unbind file, reached through the device's driver link
            Files.delete(root.resolve("devices/pci0000:00/" + address + "/driver"));
        }
        else if (attribute.getFileName().toString().equals("drivers_probe")) {
            Path real = root.resolve("devices/pci0000:00/" + address);
            String override = Files.readString(real.resolve("driver_override"), StandardCharsets.US_ASCII).strip();
            String driver = override.isEmpty() || override.equals("(null)") ? Files.readString(real.resolve("original_driver")) : override;
            if (!driver.isEmpty() && !Files.isSymbolicLink(real.resolve("driver"))) {
                bind(address, driver);
            }
        }
        else {
            Files.writeString(attribute, value, StandardCharsets.US_ASCII);
        }
    }
}
