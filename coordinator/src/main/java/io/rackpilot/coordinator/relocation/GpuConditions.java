package io.rackpilot.coordinator.relocation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoredRecord;
import io.rackpilot.proto.v1.GpuCondition;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Standing conditions of GPUs ({@code gpu-conditions/ID}): today {@code needs-host-reboot}, set when
 * a VM could not start with the card because it could not be reset or powered up, and cleared once
 * the host-agent reports another boot of the host. While it stands, nothing moves the card on its own.
 */
public final class GpuConditions
{
    public static final String NEEDS_HOST_REBOOT = "needs-host-reboot";
    static final String PREFIX = "gpu-conditions/";

    private final Store store;

    public GpuConditions(Store store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    public void set(GpuCondition condition)
    {
        store.put(PREFIX + condition.getGpuId(), condition.toByteArray());
    }

    public Optional<GpuCondition> get(String gpuId)
    {
        return store.get(PREFIX + gpuId).map(GpuConditions::parse);
    }

    /**
     * The conditions that still stand, given each host-agent's current boot id (a condition
     * whose host has booted since is removed here).
     */
    public Map<String, GpuCondition> standing(Map<String, String> bootIdOfHostAgent)
    {
        Map<String, GpuCondition> conditions = new HashMap<>();
        for (StoredRecord record : store.list(PREFIX).records()) {
            GpuCondition condition = parse(record);
            String currentBoot = bootIdOfHostAgent.getOrDefault(condition.getHostAgentId(), "");
            if (!currentBoot.isEmpty() && !condition.getHostBootId().isEmpty() && !currentBoot.equals(condition.getHostBootId())) {
                store.deleteIfModRevision(record.key(), record.modRevision());
                continue;
            }
            conditions.put(condition.getGpuId(), condition);
        }
        return Map.copyOf(conditions);
    }

    private static GpuCondition parse(StoredRecord record)
    {
        try {
            return GpuCondition.parseFrom(record.value());
        }
        catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable GPU condition " + record.key(), e);
        }
    }
}
