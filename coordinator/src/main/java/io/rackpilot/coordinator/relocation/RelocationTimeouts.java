package io.rackpilot.coordinator.relocation;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How long each step of a GPU move may take before the move gives up and rolls back.
 *
 * @param drain the drain of the old node's GPU pods (PodDisruptionBudgets can hold it up)
 * @param shutdown the old VM's guest shutdown
 * @param vmTask starting, rebooting a VM and editing its config
 * @param gpuReport from starting the new VM until its node-agent reports the card through NVML
 * @param taints from then until the GPU node policy's taints and labels have followed the card
 */
public record RelocationTimeouts(Duration drain, Duration shutdown, Duration vmTask, Duration gpuReport, Duration taints)
{
    public RelocationTimeouts
    {
        requireNonNull(drain, "drain is null");
        requireNonNull(shutdown, "shutdown is null");
        requireNonNull(vmTask, "vmTask is null");
        requireNonNull(gpuReport, "gpuReport is null");
        requireNonNull(taints, "taints is null");
    }

    public static RelocationTimeouts defaults()
    {
        return new RelocationTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(2));
    }
}
