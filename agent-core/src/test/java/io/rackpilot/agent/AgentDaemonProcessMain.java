package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentKind;

/**
 * A node-agent daemon with no parts of its own, for tests that run the daemon as a process of its own.
 */
public final class AgentDaemonProcessMain
{
    private AgentDaemonProcessMain() {}

    public static void main(String[] arguments)
    {
        System.exit(AgentDaemon.run(AgentKind.NODE, arguments, context -> AgentParts.NONE));
    }
}
