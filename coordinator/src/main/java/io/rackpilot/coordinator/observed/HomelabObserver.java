package io.rackpilot.coordinator.observed;

import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.agents.InventoryBook;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.GpuCondition;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.Role;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
    private final Function<Map<String, String>, Map<String, GpuCondition>> conditions;

    public HomelabObserver(AgentRegistry registry, InventoryBook inventory, Supplier<List<GpuMove>> moves, Supplier<Map<String, Integer>> placements)
    {
        this(registry, inventory, moves, placements, bootIds -> Map.of());
    }

    /**
     * @param conditions the GPU conditions that stand, given each host-agent's boot id
     */
    public HomelabObserver(AgentRegistry registry, InventoryBook inventory, Supplier<List<GpuMove>> moves, Supplier<Map<String, Integer>> placements,
            Function<Map<String, String>, Map<String, GpuCondition>> conditions)
    {
        this.conditions = requireNonNull(conditions, "conditions is null");
        this.placements = requireNonNull(placements, "placements is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.moves = requireNonNull(moves, "moves is null");
    }

    public ObservedHomelab observe()
    {
        List<ObservedAgent> agents = new ArrayList<>();
        Map<String, String> bootIds = new HashMap<>();
        for (AgentInfo agent : registry.agents()) {
            agents.add(new ObservedAgent(agent, inventory.get(agent.getId())));
            if (agent.getRole() == Role.ROLE_HOST && !agent.getBootId().isEmpty()) {
                bootIds.put(agent.getId(), agent.getBootId());
            }
        }
        return new ObservedHomelab(agents, moves.get(), placements.get(), conditions.apply(bootIds));
    }
}
