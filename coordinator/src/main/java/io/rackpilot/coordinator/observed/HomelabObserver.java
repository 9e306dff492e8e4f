package io.rackpilot.coordinator.observed;

import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.agents.InventoryBook;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.GpuMove;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Takes a snapshot of what the agents report: the edge that reads the registry, the stored
 * inventories and the GPU moves, so that everything downstream works on a value.
 */
public final class HomelabObserver
{
    private final AgentRegistry registry;
    private final InventoryBook inventory;
    private final Supplier<List<GpuMove>> moves;
    private final Supplier<Map<String, Integer>> placements;

    public HomelabObserver(AgentRegistry registry, InventoryBook inventory, Supplier<List<GpuMove>> moves, Supplier<Map<String, Integer>> placements)
    {
        this.placements = requireNonNull(placements, "placements is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.moves = requireNonNull(moves, "moves is null");
    }

    public ObservedHomelab observe()
    {
        List<ObservedAgent> agents = new ArrayList<>();
        for (AgentInfo agent : registry.agents()) {
            agents.add(new ObservedAgent(agent, inventory.get(agent.getId())));
        }
        return new ObservedHomelab(agents, moves.get(), placements.get());
    }
}
