package io.rackpilot.coordinator.agents;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.common.protocol.InventoryDiff;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoredRecord;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.Report;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.util.Objects.requireNonNull;

/**
 * The last inventory of every agent, kept in the store: a full report replaces it, a change
 * report replaces the sections it carries.
 */
public final class InventoryBook
{
    static final String PREFIX = "inventory/";

    private final Store store;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public InventoryBook(Store store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    /**
     * Called after every stored report, outside the book's lock.
     */
    public void addListener(Runnable listener)
    {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    public AgentInventory report(String agentId, Report report)
    {
        AgentInventory updated = store(agentId, report);
        listeners.forEach(Runnable::run);
        return updated;
    }

    private synchronized AgentInventory store(String agentId, Report report)
    {
        Inventory base = report.getFull() ? Inventory.getDefaultInstance() : get(agentId).map(AgentInventory::getInventory).orElse(Inventory.getDefaultInstance());
        AgentInventory updated = AgentInventory.newBuilder()
                .setAgentId(agentId)
                .setCollectedAt(report.getCollectedAt())
                .setInventory(InventoryDiff.merge(base, report.getInventory()))
                .build();
        store.put(PREFIX + agentId, updated.toByteArray());
        return updated;
    }

    public synchronized Optional<AgentInventory> get(String agentId)
    {
        Optional<StoredRecord> record = store.get(PREFIX + agentId);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(AgentInventory.parseFrom(record.get().value()));
        }
        catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the stored inventory of " + agentId + " is unreadable", e);
        }
    }
}
