package io.rackpilot.hostagent;

import io.rackpilot.agent.AgentDaemon;
import io.rackpilot.agent.config.AgentKind;

/**
 * {@code rackpilot-host-agent}: the agent on the Proxmox host.
 */
public final class HostAgentMain
{
    private HostAgentMain() {}

    public static void main(String[] arguments)
    {
        int exitCode = AgentDaemon.run(AgentKind.HOST, arguments, HostAgent::parts);
        System.exit(exitCode);
    }
}
