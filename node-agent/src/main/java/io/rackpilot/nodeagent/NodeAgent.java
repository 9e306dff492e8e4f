package io.rackpilot.nodeagent;

import io.rackpilot.agent.command.ActionHandler;

import java.util.List;

/**
 * What the node-agent adds to the common agent: the actions it carries out on its VM.
 * The built-in actions (agent.ping, inventory.refresh) come from agent-core.
 */
public final class NodeAgent
{
    private NodeAgent() {}

    public static List<ActionHandler> actionHandlers(String agentId)
    {
        return List.of();
    }
}
