package io.rackpilot.coordinator.agents;

import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Role;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * One live stream of one agent. A newer stream with the same agent id replaces it.
 */
public final class AgentSession
{
    private final String agentId;
    private final Role role;
    private final AgentConnection connection;
    private final Instant connectedAt;
    private volatile Instant lastSeen;

    AgentSession(String agentId, Role role, AgentConnection connection, Instant connectedAt)
    {
        this.agentId = requireNonNull(agentId, "agentId is null");
        this.role = requireNonNull(role, "role is null");
        this.connection = requireNonNull(connection, "connection is null");
        this.connectedAt = requireNonNull(connectedAt, "connectedAt is null");
        this.lastSeen = connectedAt;
    }

    public String agentId()
    {
        return agentId;
    }

    public Role role()
    {
        return role;
    }

    public Instant connectedAt()
    {
        return connectedAt;
    }

    public Instant lastSeen()
    {
        return lastSeen;
    }

    void seen(Instant when)
    {
        lastSeen = when;
    }

    public boolean send(CoordinatorMessage message)
    {
        return connection.send(message);
    }

    AgentConnection connection()
    {
        return connection;
    }
}
