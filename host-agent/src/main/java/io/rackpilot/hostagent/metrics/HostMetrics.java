package io.rackpilot.hostagent.metrics;

import io.rackpilot.common.metrics.Labels;
import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExports;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDevices;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;

import java.util.HashSet;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The host-agent's own metrics, refreshed from what its collectors found: VMs up, PCI devices with
 * their driver, IOMMU group and holding VM, NFS exports in force, and whether the Proxmox API
 * answered. Series of things that went away are removed.
 */
public final class HostMetrics
{
    private final Metrics metrics;
    private Set<Labels> vmSeries = Set.of();
    private Set<Labels> pciSeries = Set.of();
    private Set<Labels> exportSeries = Set.of();
    private volatile boolean proxmoxReachable;

    public HostMetrics(Metrics metrics)
    {
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.gauge("rackpilot_proxmox_api_up", "1 when the last call to the Proxmox VE API succeeded, else 0.", Labels.empty(), () -> proxmoxReachable ? 1 : 0);
    }

    public synchronized void proxmox(ProxmoxInfo proxmox)
    {
        proxmoxReachable = proxmox.getError().isEmpty();
        if (!proxmoxReachable) {
            return;
        }
        Set<Labels> current = new HashSet<>();
        for (ProxmoxVm vm : proxmox.getVmsList()) {
            Labels labels = Labels.of("vmid", Integer.toString(vm.getVmid()), "name", vm.getName());
            current.add(labels);
            int up = vm.getStatus().equals("running") ? 1 : 0;
            metrics.gauge("rackpilot_vm_up", "1 when the VM is running, else 0.", labels, () -> up);
        }
        vmSeries = replace("rackpilot_vm_up", vmSeries, current);
    }

    public synchronized void pciDevices(PciDevices devices)
    {
        Set<Labels> current = new HashSet<>();
        for (PciDevice device : devices.getItemsList()) {
            Labels labels = Labels.of(
                    "address", device.getAddress(),
                    "vendor_id", device.getVendorId(),
                    "device_id", device.getDeviceId(),
                    "class", device.getClassCode(),
                    "driver", device.getDriver(),
                    "iommu_group", device.hasIommuGroup() ? Integer.toString(device.getIommuGroup()) : "",
                    "vmid", device.hasVmid() ? Integer.toString(device.getVmid()) : "");
            current.add(labels);
            metrics.info("rackpilot_pci_device_info", "A PCI device of the host with its driver, IOMMU group and the VM whose hostpci holds it.", labels);
        }
        pciSeries = replace("rackpilot_pci_device_info", pciSeries, current);
    }

    public synchronized void exports(NfsExports exports)
    {
        Set<Labels> current = new HashSet<>();
        for (NfsExport export : exports.getItemsList()) {
            for (NfsClient client : export.getClientsList()) {
                Labels labels = Labels.of("path", export.getPath(), "client", client.getSpec(), "options", String.join(",", client.getOptionsList()));
                current.add(labels);
                metrics.info("rackpilot_nfs_export_info", "An NFS export in force (exportfs -v), one series per client.", labels);
            }
        }
        exportSeries = replace("rackpilot_nfs_export_info", exportSeries, current);
    }

    private Set<Labels> replace(String name, Set<Labels> previous, Set<Labels> current)
    {
        for (Labels gone : previous) {
            if (!current.contains(gone)) {
                metrics.remove(name, gone);
            }
        }
        return Set.copyOf(current);
    }
}
