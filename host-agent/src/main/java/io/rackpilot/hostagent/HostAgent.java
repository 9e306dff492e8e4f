package io.rackpilot.hostagent;

import io.rackpilot.agent.command.ActionHandler;

import java.util.List;

/**
 * What the host-agent adds to the common agent: the actions it carries out on the Proxmox host.
 * The built-in actions (agent.ping, inventory.refresh) come from agent-core.
 */
public final class HostAgent
{
    private HostAgent() {}

    public static List<ActionHandler> actionHandlers(String agentId)
    {
        return List.of();
    }
}
