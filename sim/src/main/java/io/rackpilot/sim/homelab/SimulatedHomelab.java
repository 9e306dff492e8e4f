package io.rackpilot.sim.homelab;

import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.VirtualMachine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The machines of a plan that {@code rackctl dev} runs agents for: the Proxmox host, and each VM
 * that is a Kubernetes node, in VM id order. Each VM's agent reports the SMBIOS UUID the plan gives
 * it, the way the coordinator will later join VMs to Kubernetes nodes, and sees the GPUs the plan
 * assigns to it.
 */
public final class SimulatedHomelab
{
    private SimulatedHomelab() {}

    public static List<SimulatedMachine> machines(HomelabPlan plan)
    {
        List<SimulatedMachine> machines = new ArrayList<>();
        // Under passthrough the host does not see the card through NVML: it is bound to vfio-pci.
        machines.add(new SimulatedMachine(plan.spec().host().name(), true, Optional.empty(), Optional.empty(), List.of()));
        for (VirtualMachine vm : plan.kubernetesVms()) {
            machines.add(new SimulatedMachine(vm.name(), false, Optional.of(vm.vmid()), vm.smbiosUuid(), plan.gpusOf(vm.vmid())));
        }
        return List.copyOf(machines);
    }
}
