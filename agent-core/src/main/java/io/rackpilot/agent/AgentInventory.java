package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.CollectorObserver;
import io.rackpilot.agent.inventory.InventoryCollection;
import io.rackpilot.agent.inventory.InventoryCollectors;
import io.rackpilot.agent.inventory.SystemUuidSource;
import oshi.SystemInfo;

import java.util.Optional;

/**
 * The standard inventory collectors of an agent, from its configuration.
 */
final class AgentInventory
{
    private AgentInventory() {}

    static InventoryCollection collection(AgentConfig config, CollectorObserver observer)
    {
        AgentConfig.Inventory inventory = config.inventory();
        SystemUuidSource uuidSource = new SystemUuidSource(inventory.sysRoot(), Optional.of(inventory.systemUuidFile()));
        return new InventoryCollection(InventoryCollectors.standard(new SystemInfo(), uuidSource), observer);
    }
}
