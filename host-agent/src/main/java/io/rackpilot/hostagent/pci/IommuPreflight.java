package io.rackpilot.hostagent.pci;

import io.rackpilot.proto.v1.PciDevice;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Whether a device can be passed through on its own: every device in an IOMMU group goes to the VM
 * together, so the group may hold only the device, other functions of the same card (the HD audio
 * function at .1 of many GPUs) and PCI bridges.
 */
public final class IommuPreflight
{
    private static final String BRIDGE_CLASS_PREFIX = "0x0604";

    private final PciSysfs sysfs;

    public IommuPreflight(PciSysfs sysfs)
    {
        this.sysfs = requireNonNull(sysfs, "sysfs is null");
    }

    public record Result(PciDevice device, List<String> companions, List<String> unrelated)
    {
        public Result
        {
            requireNonNull(device, "device is null");
            companions = List.copyOf(companions);
            unrelated = List.copyOf(unrelated);
        }

        public boolean allowed()
        {
            return unrelated.isEmpty();
        }
    }

    /**
     * @throws IllegalArgumentException when there is no such device
     */
    public Result check(PciAddress address)
            throws IOException
    {
        Optional<PciDevice> device = sysfs.device(address);
        if (device.isEmpty()) {
            throw new IllegalArgumentException("no PCI device " + address + " on this host");
        }
        List<String> companions = new ArrayList<>();
        List<String> unrelated = new ArrayList<>();
        for (String peer : device.get().getIommuGroupPeersList()) {
            PciAddress peerAddress = PciAddress.parse(peer);
            if (peerAddress.sameSlot(address)) {
                companions.add(peer);
                continue;
            }
            Optional<PciDevice> peerDevice = sysfs.device(peerAddress);
            if (peerDevice.isPresent() && peerDevice.get().getClassCode().startsWith(BRIDGE_CLASS_PREFIX)) {
                continue;
            }
            unrelated.add(peer);
        }
        return new Result(device.get(), companions, unrelated);
    }
}
