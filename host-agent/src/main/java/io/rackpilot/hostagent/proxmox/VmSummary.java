package io.rackpilot.hostagent.proxmox;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code GET /nodes/{node}/qemu}.
 */
public record VmSummary(int vmid, String name, String status, int cpus, long maxMemoryBytes)
{
    public VmSummary
    {
        requireNonNull(name, "name is null");
        requireNonNull(status, "status is null");
    }

    public boolean running()
    {
        return status.equals("running");
    }
}
