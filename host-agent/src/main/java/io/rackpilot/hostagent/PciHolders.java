package io.rackpilot.hostagent;

import io.rackpilot.hostagent.pci.PciAddress;
import io.rackpilot.proto.v1.HostPci;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDevices;
import io.rackpilot.proto.v1.PciMapping;
import io.rackpilot.proto.v1.PciMappingEntry;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;

/**
 * Joins what sysfs says about PCI devices with what Proxmox says about VMs: which VM's
 * {@code hostpciN} holds each device (directly or through a mapping, a slot address holding every
 * function of the card), and which mappings name it. When several VMs name a device, the running one
 * that holds it shows (with {@code removal_pending} when only its running config still has it). Pure.
 */
final class PciHolders
{
    private PciHolders() {}

    static PciDevices join(PciDevices devices, ProxmoxInfo proxmox)
    {
        PciDevices.Builder result = PciDevices.newBuilder();
        for (PciDevice device : devices.getItemsList()) {
            PciDevice.Builder joined = device.toBuilder().clearVmid().clearHostpciSlot().clearMappings().clearRemovalPending();
            PciAddress address = PciAddress.parse(device.getAddress());
            int rank = Integer.MAX_VALUE;
            for (ProxmoxVm vm : proxmox.getVmsList()) {
                for (HostPci hostpci : vm.getHostpciList()) {
                    boolean held = hostpci.getAddressesList().stream().anyMatch(candidate -> holds(candidate, address));
                    if (held && rank(vm, hostpci) <= rank) {
                        rank = rank(vm, hostpci);
                        joined.setVmid(vm.getVmid()).setHostpciSlot(hostpci.getSlot()).setRemovalPending(hostpci.getRemovalPending());
                    }
                }
            }
            for (PciMapping mapping : proxmox.getPciMappingsList()) {
                for (PciMappingEntry entry : mapping.getEntriesList()) {
                    if (entry.getNode().equals(proxmox.getNode()) && holds(entry.getPath(), address)) {
                        joined.addMappings(mapping.getId());
                    }
                }
            }
            result.addItems(joined);
        }
        return result.build();
    }

    /**
     * Which holder a device shows when several VMs name it: a running VM (it has the card now, its
     * removal perhaps pending), before a config that would take it at its next start.
     */
    private static int rank(ProxmoxVm vm, HostPci hostpci)
    {
        if (vm.getStatus().equals("running")) {
            return hostpci.getRemovalPending() ? 0 : 1;
        }
        return 2;
    }

    private static boolean holds(String held, PciAddress address)
    {
        String text = held.contains(":") && held.split(":").length == 2 ? "0000:" + held : held;
        if (!text.contains(".")) {
            // a slot address (0000:06:00) passes every function of the card
            return text.equalsIgnoreCase(address.slot());
        }
        try {
            return PciAddress.parse(text).equals(address);
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }
}
