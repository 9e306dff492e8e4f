package io.rackpilot.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.cli.output.Table;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.Disk;
import io.rackpilot.proto.v1.FileSystem;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NvmlStatus;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.KubernetesPod;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.NetworkInterface;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.TreeMap;
import java.util.stream.Collectors;

@Command(name = "inventory", description = "Show the last inventory an agent reported: system, CPU, memory, disks, file systems, network, OS.")
public final class InventoryCommand
        extends ControlCommand
{
    @Parameters(index = "0", paramLabel = "AGENT", description = "Agent id, e.g. pve or k8s-node1.")
    private String agentId;

    @Override
    int run(ControlClient client)
    {
        AgentInventory found = client.inventory(agentId);
        Inventory inventory = found.getInventory();
        if (json()) {
            ObjectNode object = ProtoJson.object(inventory);
            object.put("agentId", found.getAgentId());
            object.set("collectedAt", ProtoJson.value(found.getCollectedAt()));
            out().println(ProtoJson.print(object));
            return ExitCodes.OK;
        }
        PrintStream out = out();
        out.println("Agent:      " + found.getAgentId() + " (collected " + Cells.time(found.getCollectedAt()) + ")");
        String system = join(inventory.getSystem().getManufacturer(), inventory.getSystem().getModel());
        out.println("System:     " + (system.isEmpty() ? "unknown model" : system) + ", hostname " + inventory.getSystem().getHostname());
        out.println("UUID:       " + (inventory.getSystem().getUuid().isEmpty() ? "unknown" : inventory.getSystem().getUuid()) + " (" + inventory.getSystem().getUuidSource() + ")");
        out.println("Booted:     " + Cells.time(inventory.getSystem().getBootTime()));
        out.println("OS:         " + join(inventory.getOperatingSystem().getFamily(), inventory.getOperatingSystem().getVersion())
                + ", kernel " + inventory.getOperatingSystem().getKernel() + ", " + inventory.getOperatingSystem().getArchitecture());
        out.println("CPU:        " + inventory.getCpu().getModel() + " (" + inventory.getCpu().getSockets() + " socket(s), "
                + inventory.getCpu().getPhysicalCores() + " cores, " + inventory.getCpu().getLogicalCores() + " threads)");
        out.println("Memory:     " + Cells.bytes(inventory.getMemory().getTotalBytes()) + " total, " + Cells.bytes(inventory.getMemory().getAvailableBytes()) + " available");
        out.println();
        Table disks = new Table("DISK", "MODEL", "SIZE");
        for (Disk disk : inventory.getDisks().getItemsList()) {
            disks.row(disk.getName(), disk.getModel(), Cells.bytes(disk.getSizeBytes()));
        }
        disks.print(out);
        out.println();
        Table fileSystems = new Table("MOUNT", "TYPE", "DEVICE", "SIZE", "FREE");
        for (FileSystem fileSystem : inventory.getFileSystems().getItemsList()) {
            fileSystems.row(fileSystem.getMount(), fileSystem.getType(), fileSystem.getDevice(), Cells.bytes(fileSystem.getTotalBytes()), Cells.bytes(fileSystem.getFreeBytes()));
        }
        fileSystems.print(out);
        out.println();
        Table interfaces = new Table("INTERFACE", "MAC", "ADDRESSES", "SPEED", "UP");
        for (NetworkInterface networkInterface : inventory.getNetworkInterfaces().getItemsList()) {
            String addresses = String.join(" ", networkInterface.getIpv4AddressesList());
            interfaces.row(networkInterface.getName(), networkInterface.getMac(), addresses,
                    networkInterface.getSpeedBitsPerSecond() == 0 ? "" : networkInterface.getSpeedBitsPerSecond() / 1_000_000 + " Mb/s",
                    networkInterface.getUp() ? "yes" : "no");
        }
        interfaces.print(out);
        if (inventory.hasProxmox()) {
            out.println();
            ProxmoxInfo proxmox = inventory.getProxmox();
            out.println("Proxmox:    node " + proxmox.getNode() + (proxmox.getError().isEmpty() ? ""
                    : " (API error" + (proxmox.hasErrorSince() ? " since " + ProtoJson.value(proxmox.getErrorSince()).asText() : "") + ": " + proxmox.getError() + "; VMs unknown)"));
            Table vms = new Table("VMID", "NAME", "STATUS", "CORES", "MEMORY", "NETWORKS", "HOSTPCI", "PENDING");
            for (ProxmoxVm vm : proxmox.getVmsList()) {
                String networks = vm.getNetworkDevicesList().stream()
                        .map(device -> device.getBridge() + (device.hasVlan() ? ":vlan" + device.getVlan() : ""))
                        .collect(Collectors.joining(" "));
                String hostpci = vm.getHostpciList().stream().map(entry -> "hostpci" + entry.getSlot() + "=" + entry.getValue() + (entry.getRemovalPending() ? " (held until stop, removal pending)" : "")).collect(Collectors.joining(" "));
                vms.row(vm.getVmid(), vm.getName(), vm.getStatus(), vm.getCores(), Cells.bytes(vm.getMemoryBytes()), networks, hostpci, String.join(" ", vm.getPendingList()));
            }
            vms.print(out);
        }
        if (inventory.hasPciDevices() && inventory.getPciDevices().getItemsCount() > 0) {
            out.println();
            Table devices = new Table("PCI", "ID", "CLASS", "DRIVER", "IOMMU GROUP", "VM", "MAPPINGS");
            for (PciDevice device : inventory.getPciDevices().getItemsList()) {
                devices.row(device.getAddress(), device.getVendorId() + ":" + device.getDeviceId(), device.getClassCode(), device.getDriver(),
                        device.hasIommuGroup() ? device.getIommuGroup() + (device.getIommuGroupPeersCount() == 0 ? "" : " with " + String.join(" ", device.getIommuGroupPeersList())) : "",
                        device.hasVmid() ? device.getVmid() + " (hostpci" + device.getHostpciSlot() + (device.getRemovalPending() ? ", running, removal pending" : "") + ")" : "", String.join(" ", device.getMappingsList()));
            }
            devices.print(out);
        }
        if (inventory.hasNfsExports()) {
            out.println();
            Table exports = new Table("EXPORT", "CLIENT", "OPTIONS");
            for (NfsExport export : inventory.getNfsExports().getItemsList()) {
                for (NfsClient exportClient : export.getClientsList()) {
                    exports.row(export.getPath(), exportClient.getSpec(), String.join(",", exportClient.getOptionsList()));
                }
            }
            exports.print(out);
            if (!inventory.getNfsExports().getError().isEmpty()) {
                out.println("exportfs: " + inventory.getNfsExports().getError());
            }
        }
        if (inventory.hasKubernetes()) {
            out.println();
            printKubernetes(out, inventory.getKubernetes());
        }
        out.println();
        NvmlStatus nvml = inventory.getGpus().getNvml();
        out.println("NVML:       " + Cells.word(nvml.getState()) + (nvml.getMessage().isEmpty() ? "" : " (" + nvml.getMessage() + ")")
                + (nvml.getDriverVersion().isEmpty() ? "" : ", driver " + nvml.getDriverVersion()));
        if (inventory.getGpus().getItemsCount() > 0) {
            Table gpus = new Table("GPU", "NAME", "UUID", "BUS ID", "MEMORY", "HEALTH");
            for (Gpu gpu : inventory.getGpus().getItemsList()) {
                gpus.row(gpu.getIndex(), gpu.getName(), gpu.getUuid(), gpu.getPciBusId(),
                        gpu.hasMemoryTotalBytes() ? Cells.bytes(gpu.getMemoryTotalBytes()) : "", Cells.word(gpu.getHealth()));
            }
            gpus.print(out);
        }
        return ExitCodes.OK;
    }

    private static void printKubernetes(PrintStream out, KubernetesNodeInfo kubernetes)
    {
        if (kubernetes.getState() != KubernetesNodeInfo.State.STATE_FOUND) {
            out.println("Kubernetes: " + Cells.word(kubernetes.getState()) + (kubernetes.getNodeName().isEmpty() ? "" : " (last known Node " + kubernetes.getNodeName() + ")")
                    + ": " + kubernetes.getProblem());
            return;
        }
        out.println("Kubernetes: Node " + kubernetes.getNodeName() + " (found by " + Cells.word(kubernetes.getFoundBy()) + ")"
                + (kubernetes.getKubeletVersion().isEmpty() ? "" : ", kubelet " + kubernetes.getKubeletVersion())
                + (kubernetes.getUnschedulable() ? ", cordoned" : ""));
        out.println("Taints:     " + (kubernetes.getTaintsCount() == 0 ? "none" : kubernetes.getTaintsList().stream()
                .map(taint -> taint.getKey() + (taint.getValue().isEmpty() ? "" : "=" + taint.getValue()) + ":" + taint.getEffect())
                .collect(Collectors.joining(" "))));
        out.println("Labels:     " + new TreeMap<>(kubernetes.getLabelsMap()).entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining(" ")));
        out.println("GPUs:       " + kubernetes.getGpuResource() + " capacity " + kubernetes.getGpuCapacity() + ", allocatable " + kubernetes.getGpuAllocatable());
        if (kubernetes.getGpuPodsCount() > 0) {
            Table pods = new Table("GPU POD", "PHASE", "GPUS");
            for (KubernetesPod pod : kubernetes.getGpuPodsList()) {
                pods.row(pod.getNamespace() + "/" + pod.getName(), pod.getPhase(), pod.getGpus());
            }
            pods.print(out);
        }
    }

    private static String join(String first, String second)
    {
        return (first + " " + second).strip();
    }
}
