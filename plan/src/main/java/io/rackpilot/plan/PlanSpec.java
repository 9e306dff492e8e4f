package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * @param host the Proxmox VE node
 * @param networks the bridges and VLANs the VMs attach to
 * @param vms every VM the plan manages, each with a unique vmid and name
 * @param nfs what the host exports over NFS
 * @param gpus the PCI GPUs and the VM each belongs to
 * @param gpuNodePolicy the taints and labels of every Kubernetes node that has a GPU
 */
public record PlanSpec(
        Host host,
        List<Network> networks,
        List<VirtualMachine> vms,
        Nfs nfs,
        List<Gpu> gpus,
        GpuNodePolicy gpuNodePolicy)
{
    public PlanSpec
    {
        host = ConfigValues.required(host, "host");
        networks = ConfigValues.list(networks, "networks");
        vms = ConfigValues.list(vms, "vms");
        nfs = ConfigValues.orDefault(nfs, Nfs.NONE);
        gpus = ConfigValues.list(gpus, "gpus");
        gpuNodePolicy = ConfigValues.orDefault(gpuNodePolicy, GpuNodePolicy.NONE);
        requireUnique(networks, "networks", List.of("name"), network -> Optional.of(network.name()));
        requireUnique(vms, "vms", List.of("vmid"), vm -> Optional.of(vm.vmid()));
        requireUnique(vms, "vms", List.of("name"), vm -> Optional.of(vm.name()));
        requireUnique(vms, "vms", List.of("kubernetes", "nodeName"), vm -> vm.kubernetes().map(KubernetesNode::nodeName));
        requireUnique(gpus, "gpus", List.of("id"), gpu -> Optional.of(gpu.id()));
        requireUnique(gpus, "gpus", List.of("pciAddress"), gpu -> Optional.of(gpu.pciAddress()));
    }

    private static <T> void requireUnique(List<T> entries, String listKey, List<String> keyPath, Function<T, Optional<?>> value)
    {
        Map<Object, Integer> firstIndex = new HashMap<>();
        for (int index = 0; index < entries.size(); index++) {
            Optional<?> entryValue = value.apply(entries.get(index));
            if (entryValue.isEmpty()) {
                continue;
            }
            Integer previous = firstIndex.putIfAbsent(entryValue.get(), index);
            if (previous != null) {
                List<Object> path = new ArrayList<>(List.of(listKey, index));
                path.addAll(keyPath);
                Object duplicate = entryValue.get();
                String shown = duplicate instanceof String ? "\"" + duplicate + "\"" : String.valueOf(duplicate);
                throw ConfigValueException.at(path, shown + " is already used by " + listKey + "[" + previous + "]");
            }
        }
    }
}
