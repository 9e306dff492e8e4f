package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The homelab as it should be: the Proxmox host, its networks, the VMs and which of them are
 * Kubernetes nodes, the NFS exports, the GPUs and where each belongs, and what a GPU node gets.
 * Read it with {@link PlanLoader}; the format is described in {@code docs/plan.md} and shown in
 * {@code docs/examples/homelab.yaml}.
 *
 * <p>Construction checks the shape (required keys, formats, unique ids); checks across sections
 * (a GPU's VM exists, an IP lies in its network) belong to {@code io.rackpilot.plan.validation.PlanValidator}.
 */
public record HomelabPlan(String apiVersion, String kind, PlanMetadata metadata, PlanSpec spec)
{
    public static final String API_VERSION = "rackpilot.io/v1";
    public static final String KIND = "HomelabPlan";

    public HomelabPlan
    {
        checkHeader(apiVersion, kind);
        metadata = ConfigValues.required(metadata, "metadata");
        spec = ConfigValues.required(spec, "spec");
    }

    public HomelabPlan(PlanMetadata metadata, PlanSpec spec)
    {
        this(API_VERSION, KIND, metadata, spec);
    }

    static void checkHeader(String apiVersion, String kind)
    {
        ConfigValues.required(apiVersion, "apiVersion");
        if (!apiVersion.equals(API_VERSION)) {
            throw new ConfigValueException("apiVersion", "expected " + API_VERSION + ", got \"" + apiVersion + "\"");
        }
        ConfigValues.required(kind, "kind");
        if (!kind.equals(KIND)) {
            throw new ConfigValueException("kind", "expected " + KIND + ", got \"" + kind + "\"");
        }
    }

    public String name()
    {
        return metadata.name();
    }

    /**
     * Every VM, in the plan's order.
     */
    public List<VirtualMachine> vms()
    {
        return spec.vms();
    }

    /**
     * The VMs that are Kubernetes nodes (those with a {@code kubernetes} block), in vmid order.
     */
    public List<VirtualMachine> kubernetesVms()
    {
        return spec.vms().stream()
                .filter(VirtualMachine::isKubernetesNode)
                .sorted(Comparator.comparingInt(VirtualMachine::vmid))
                .toList();
    }

    public Optional<VirtualMachine> vm(int vmid)
    {
        return spec.vms().stream().filter(vm -> vm.vmid() == vmid).findFirst();
    }

    public Optional<VirtualMachine> vmNamed(String name)
    {
        return spec.vms().stream().filter(vm -> vm.name().equals(name)).findFirst();
    }

    /**
     * The VM that is the Kubernetes node with this name.
     */
    public Optional<VirtualMachine> kubernetesNode(String nodeName)
    {
        return spec.vms().stream()
                .filter(vm -> vm.kubernetes().map(node -> node.nodeName().equals(nodeName)).orElse(false))
                .findFirst();
    }

    public Optional<Gpu> gpu(String id)
    {
        return spec.gpus().stream().filter(gpu -> gpu.id().equals(id)).findFirst();
    }

    /**
     * The GPUs the plan gives to this VM.
     */
    public List<Gpu> gpusOf(int vmid)
    {
        return spec.gpus().stream().filter(gpu -> gpu.vm().isPresent() && gpu.vm().getAsInt() == vmid).toList();
    }

    public Optional<Network> network(String name)
    {
        return spec.networks().stream().filter(network -> network.name().equals(name)).findFirst();
    }
}
