package io.rackpilot.hostagent.proxmox;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code GET /nodes/{node}/hardware/pci}. Ids are as Proxmox writes them ({@code 0x10de}).
 */
public record HardwarePciDevice(String address, String vendor, String device, String deviceClass, int iommuGroup, String vendorName, String deviceName)
{
    public HardwarePciDevice
    {
        requireNonNull(address, "address is null");
        requireNonNull(vendor, "vendor is null");
        requireNonNull(device, "device is null");
        requireNonNull(deviceClass, "deviceClass is null");
        requireNonNull(vendorName, "vendorName is null");
        requireNonNull(deviceName, "deviceName is null");
    }

    /**
     * {@code 10de:1eb8}.
     */
    public String vendorDevice()
    {
        return strip(vendor) + ":" + strip(device);
    }

    private static String strip(String id)
    {
        return id.startsWith("0x") ? id.substring(2) : id;
    }
}
