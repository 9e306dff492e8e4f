package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.CollectorObserver;
import io.rackpilot.agent.inventory.InventoryCollection;
import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.agent.inventory.InventoryCollectors;
import io.rackpilot.agent.inventory.SystemUuidSource;
import oshi.SystemInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The inventory collectors of an agent: the standard ones from its configuration, and its kind's own.
 */
final class AgentInventory
{
    private AgentInventory() {}

    static InventoryCollection collection(AgentConfig config, List<InventoryCollector> extra, CollectorObserver observer)
    {
        AgentConfig.Inventory inventory = config.inventory();
        SystemUuidSource uuidSource = new SystemUuidSource(inventory.sysRoot(), Optional.of(inventory.systemUuidFile()));
        List<InventoryCollector> collectors = new ArrayList<>(InventoryCollectors.standard(new SystemInfo(), uuidSource));
        collectors.addAll(extra);
        return new InventoryCollection(collectors, observer);
    }
}
