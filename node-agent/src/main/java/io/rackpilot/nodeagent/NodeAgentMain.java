package io.rackpilot.nodeagent;

import io.rackpilot.agent.AgentDaemon;
import io.rackpilot.agent.config.AgentKind;

/**
 * {@code rackpilot-node-agent}: the agent on every VM.
 */
public final class NodeAgentMain
{
    private NodeAgentMain() {}

    public static void main(String[] arguments)
    {
        int exitCode = AgentDaemon.run(AgentKind.NODE, arguments, NodeAgent::parts);
        System.exit(exitCode);
    }
}
