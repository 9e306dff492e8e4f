package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.command.ActionException;

/**
 * A host-side check before a device is attached to a VM (the device is bound to vfio-pci, its IOMMU
 * group holds nothing else in use, ...).
 */
public interface PassthroughPreflight
{
    PassthroughPreflight NONE = address -> { };

    /**
     * @throws ActionException rejected when the device at {@code address} cannot be passed through
     */
    void check(String address)
            throws ActionException;
}
