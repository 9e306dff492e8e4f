package io.rackpilot.sim.sysfs;

import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A /sys tree for the Proxmox host of a plan, laid out as the kernel does (device directories
 * under devices/, symlinks from bus/pci/devices, driver and iommu_group links): each planned GPU
 * bound to vfio-pci, alone in its IOMMU group (numbered from 40, as the Proxmox simulator numbers
 * them). The host-agent of {@code rackctl dev} reads it through its configured sysfs root.
 */
public final class SimulatedSysfs
{
    private static final int FIRST_IOMMU_GROUP = 40;

    private SimulatedSysfs() {}

    public static Path write(HomelabPlan plan, Path root)
            throws IOException
    {
        Files.createDirectories(root.resolve("bus/pci/devices"));
        Files.createDirectories(root.resolve("bus/pci/drivers/vfio-pci"));
        Files.createDirectories(root.resolve("kernel/iommu_groups"));
        writeFile(root.resolve("bus/pci/drivers_probe"), "");
        writeFile(root.resolve("bus/pci/drivers/vfio-pci/unbind"), "");
        List<Gpu> gpus = plan.spec().gpus();
        for (int index = 0; index < gpus.size(); index++) {
            Gpu gpu = gpus.get(index);
            String address = gpu.pciAddress();
            String[] ids = gpu.vendorDevice().split(":");
            Path device = root.resolve("devices/pci0000:00/" + address);
            Files.createDirectories(device);
            writeFile(device.resolve("vendor"), "0x" + ids[0] + "\n");
            writeFile(device.resolve("device"), "0x" + ids[1] + "\n");
            writeFile(device.resolve("class"), "0x030200\n");
            writeFile(device.resolve("driver_override"), "vfio-pci\n");
            writeFile(device.resolve("numa_node"), "0\n");
            writeFile(device.resolve("reset_method"), "flr bus\n");
            Files.createSymbolicLink(root.resolve("bus/pci/devices/" + address), Path.of("../../../devices/pci0000:00/" + address));
            Files.createSymbolicLink(device.resolve("driver"), Path.of("../../../bus/pci/drivers/vfio-pci"));
            int group = FIRST_IOMMU_GROUP + index;
            Path groupDevices = root.resolve("kernel/iommu_groups/" + group + "/devices");
            Files.createDirectories(groupDevices);
            Files.createSymbolicLink(groupDevices.resolve(address), Path.of("../../../../devices/pci0000:00/" + address));
            Files.createSymbolicLink(device.resolve("iommu_group"), Path.of("../../../kernel/iommu_groups/" + group));
        }
        return root;
    }

    private static void writeFile(Path file, String content)
            throws IOException
    {
        Files.writeString(file, content, StandardCharsets.US_ASCII);
    }
}
