package io.rackpilot.coordinator.observed;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.NvmlStatus;
import io.rackpilot.proto.v1.Role;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One agent as the coordinator last saw it: its registry entry and its last inventory.
 */
public record ObservedAgent(AgentInfo info, Optional<AgentInventory> reported)
{
    public ObservedAgent
    {
        requireNonNull(info, "info is null");
        requireNonNull(reported, "reported is null");
    }

    public String id()
    {
        return info.getId();
    }

    public boolean connected()
    {
        return info.getState() == AgentState.AGENT_STATE_CONNECTED;
    }

    public boolean isHost()
    {
        return info.getRole() == Role.ROLE_HOST;
    }

    public boolean isNode()
    {
        return info.getRole() == Role.ROLE_NODE;
    }

    public boolean carriesOut(String actionName)
    {
        return info.getCapabilitiesList().contains(actionName);
    }

    public Inventory inventory()
    {
        return reported.map(AgentInventory::getInventory).orElse(Inventory.getDefaultInstance());
    }

    public Optional<Instant> collectedAt()
    {
        return reported.filter(AgentInventory::hasCollectedAt).map(inventory -> Timestamps.toInstant(inventory.getCollectedAt()));
    }

    /**
     * The machine's SMBIOS UUID in lower case, when it reported one.
     */
    public Optional<String> systemUuid()
    {
        String uuid = inventory().getSystem().getUuid();
        return uuid.isBlank() ? Optional.empty() : Optional.of(uuid.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The GPUs this agent sees through NVML, when that is a positive answer: NVML answered (with
     * any number of GPUs, zero included), or there is no NVIDIA driver at all (zero GPUs). Empty
     * when nothing is known: no report, or NVML in error or hung. Only a positive answer may
     * change a node's GPU taints.
     */
    public Optional<List<Gpu>> gpuReport()
    {
        if (reported.isEmpty() || !inventory().hasGpus()) {
            return Optional.empty();
        }
        NvmlStatus.State state = inventory().getGpus().getNvml().getState();
        return switch (state) {
            case STATE_AVAILABLE, STATE_SIMULATED -> Optional.of(List.copyOf(inventory().getGpus().getItemsList()));
            case STATE_ABSENT -> Optional.of(List.of());
            default -> Optional.empty();
        };
    }

    /**
     * The Kubernetes Node the node-agent found as its own.
     */
    public Optional<KubernetesNodeInfo> kubernetesNode()
    {
        if (!inventory().hasKubernetes() || inventory().getKubernetes().getState() != KubernetesNodeInfo.State.STATE_FOUND) {
            return Optional.empty();
        }
        return Optional.of(inventory().getKubernetes());
    }
}
