package io.rackpilot.nodeagent;

import io.rackpilot.agent.AgentContext;
import io.rackpilot.agent.AgentParts;

/**
 * What the node-agent adds to the common agent on each VM. The built-in actions (agent.ping,
 * inventory.refresh) and GPU state come from agent-core.
 */
public final class NodeAgent
{
    private NodeAgent() {}

    public static AgentParts parts(AgentContext context)
    {
        return AgentParts.NONE;
    }
}
