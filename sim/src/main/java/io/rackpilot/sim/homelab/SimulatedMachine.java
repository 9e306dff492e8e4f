package io.rackpilot.sim.homelab;

import io.rackpilot.plan.Gpu;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One machine of a simulated homelab that runs an agent: the Proxmox host or a Kubernetes VM.
 *
 * @param agentId the agent's id (the host's node name, or the VM's name)
 * @param host true for the Proxmox host, false for a VM
 * @param vmid the VM id, empty for the host
 * @param systemUuid the SMBIOS UUID the plan gives the VM, which its agent reports as its own
 * @param gpus the GPUs the plan passes through to the VM, which its agent sees as NVML would
 */
public record SimulatedMachine(String agentId, boolean host, Optional<Integer> vmid, Optional<String> systemUuid, List<Gpu> gpus)
{
    public SimulatedMachine
    {
        requireNonNull(agentId, "agentId is null");
        requireNonNull(vmid, "vmid is null");
        requireNonNull(systemUuid, "systemUuid is null");
        gpus = List.copyOf(requireNonNull(gpus, "gpus is null"));
    }
}
