package io.rackpilot.sim.homelab;

import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.sim.proxmox.ProxmoxSimulator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The plan's GPUs that the simulated Proxmox node passes through to one VM at this moment, for that
 * VM's {@link io.rackpilot.sim.gpu.SimulatedGpuSource}: the cards whose PCI mapping is in the VM's
 * applied {@code hostpciN} entries while it runs (see {@link ProxmoxSimulator#passedThroughMappings}),
 * in slot order. A mapping the plan does not name is not a card this view knows, and is left out.
 * When a card moves to another VM, it leaves this one's view as soon as the VM stops and joins the
 * other's once that VM starts with it.
 */
public final class PassedThroughGpus
        implements Supplier<List<Gpu>>
{
    private final HomelabPlan plan;
    private final ProxmoxSimulator proxmox;
    private final int vmid;

    public PassedThroughGpus(HomelabPlan plan, ProxmoxSimulator proxmox, int vmid)
    {
        this.plan = requireNonNull(plan, "plan is null");
        this.proxmox = requireNonNull(proxmox, "proxmox is null");
        this.vmid = vmid;
    }

    @Override
    public List<Gpu> get()
    {
        List<Gpu> gpus = new ArrayList<>();
        for (String mapping : proxmox.passedThroughMappings(vmid)) {
            plan.spec().gpus().stream()
                    .filter(gpu -> gpu.mapping().equals(mapping))
                    .findFirst()
                    .ifPresent(gpus::add);
        }
        return List.copyOf(gpus);
    }
}
