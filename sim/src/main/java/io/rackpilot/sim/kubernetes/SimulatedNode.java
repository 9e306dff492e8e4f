package io.rackpilot.sim.kubernetes;

import io.rackpilot.plan.Taint;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A Node to seed the simulator with; the simulator adds what the kubelet reports besides
 * (nodeInfo, conditions Ready, {@code kubernetes.io/hostname} and {@code kubernetes.io/os} labels,
 * the Hostname address).
 *
 * @param name the Node's name
 * @param systemUuid {@code status.nodeInfo.systemUUID}, as the kubelet reads it from the SMBIOS
 * @param internalIp the {@code InternalIP} address, when the node has one
 * @param labels labels besides the ones the kubelet sets
 * @param taints {@code spec.taints}
 * @param capacity {@code status.capacity} ({@code cpu}, {@code memory}, {@code pods},
 *         {@code nvidia.com/gpu}); allocatable is the same less 100Mi of memory
 */
public record SimulatedNode(String name, String systemUuid, Optional<String> internalIp, Map<String, String> labels, List<Taint> taints, Map<String, String> capacity)
{
    public SimulatedNode
    {
        requireNonNull(name, "name is null");
        requireNonNull(systemUuid, "systemUuid is null");
        requireNonNull(internalIp, "internalIp is null");
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        taints = List.copyOf(requireNonNull(taints, "taints is null"));
        capacity = Map.copyOf(requireNonNull(capacity, "capacity is null"));
    }

    /**
     * A worker with 4 CPUs, 8GiB and no labels or taints of its own.
     */
    public static SimulatedNode worker(String name, String systemUuid, String internalIp)
    {
        return new SimulatedNode(name, systemUuid, Optional.of(internalIp), Map.of(), List.of(), Map.of("cpu", "4", "memory", "8388608Ki", "pods", "110"));
    }
}
