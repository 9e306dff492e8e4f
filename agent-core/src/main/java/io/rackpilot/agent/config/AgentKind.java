package io.rackpilot.agent.config;

import io.rackpilot.proto.v1.Role;

/**
 * The two agents: one on the Proxmox host, one on every VM.
 */
public enum AgentKind
{
    HOST("host-agent", Role.ROLE_HOST, 9451),
    NODE("node-agent", Role.ROLE_NODE, 9452);

    private final String daemonName;
    private final Role role;
    private final int defaultMetricsPort;

    AgentKind(String daemonName, Role role, int defaultMetricsPort)
    {
        this.daemonName = daemonName;
        this.role = role;
        this.defaultMetricsPort = defaultMetricsPort;
    }

    public String daemonName()
    {
        return daemonName;
    }

    public Role role()
    {
        return role;
    }

    public int defaultMetricsPort()
    {
        return defaultMetricsPort;
    }

    public String defaultConfigFile()
    {
        return "/etc/rackpilot/" + daemonName + ".yaml";
    }
}
