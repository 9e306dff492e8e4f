package io.rackpilot.hostagent;

import io.rackpilot.agent.AgentContext;
import io.rackpilot.agent.AgentParts;

/**
 * What the host-agent adds to the common agent on the Proxmox host: its actions and inventory
 * sections. The built-in actions (agent.ping, inventory.refresh) come from agent-core.
 */
public final class HostAgent
{
    private HostAgent() {}

    public static AgentParts parts(AgentContext context)
    {
        return AgentParts.NONE;
    }
}
