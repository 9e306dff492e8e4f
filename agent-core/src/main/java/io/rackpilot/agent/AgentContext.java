package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.common.metrics.Metrics;

import static java.util.Objects.requireNonNull;

/**
 * What a kind of agent gets to build its own parts from: its id (from its certificate), its
 * configuration and its metrics.
 */
public record AgentContext(String agentId, AgentConfig config, Metrics metrics)
{
    public AgentContext
    {
        requireNonNull(agentId, "agentId is null");
        requireNonNull(config, "config is null");
        requireNonNull(metrics, "metrics is null");
    }
}
