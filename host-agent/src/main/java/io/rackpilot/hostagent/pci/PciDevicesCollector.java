package io.rackpilot.hostagent.pci;

import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDevices;

import static java.util.Objects.requireNonNull;

/**
 * The host's PCI devices, PCI bridges left out (they are plumbing, not something a VM gets).
 */
public final class PciDevicesCollector
        implements InventoryCollector
{
    private final PciSysfs sysfs;

    public PciDevicesCollector(PciSysfs sysfs)
    {
        this.sysfs = requireNonNull(sysfs, "sysfs is null");
    }

    @Override
    public String name()
    {
        return "pci_devices";
    }

    @Override
    public void collect(Inventory.Builder inventory)
            throws Exception
    {
        PciDevices.Builder devices = PciDevices.newBuilder();
        for (PciDevice device : sysfs.devices()) {
            if (!device.getClassCode().startsWith("0x0604")) {
                devices.addItems(device);
            }
        }
        inventory.setPciDevices(devices);
    }
}
