package io.rackpilot.agent;

import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.inventory.InventoryCollector;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What a kind of agent adds to the common agent: the actions it carries out and the inventory
 * sections it collects. An action handler of a built-in kind (agent.ping, inventory.refresh)
 * replaces the built-in one.
 */
public record AgentParts(List<ActionHandler> actionHandlers, List<InventoryCollector> collectors)
{
    public static final AgentParts NONE = new AgentParts(List.of(), List.of());

    public AgentParts
    {
        actionHandlers = List.copyOf(requireNonNull(actionHandlers, "actionHandlers is null"));
        collectors = List.copyOf(requireNonNull(collectors, "collectors is null"));
    }

    public static AgentParts actionHandlers(List<ActionHandler> handlers)
    {
        return new AgentParts(handlers, List.of());
    }
}
