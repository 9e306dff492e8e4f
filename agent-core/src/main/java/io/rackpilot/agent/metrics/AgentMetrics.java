package io.rackpilot.agent.metrics;

import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.metrics.Labels;
import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandResult;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import static java.util.Objects.requireNonNull;

/**
 * The metrics every agent serves: who it is, whether it is connected, how often it reconnected,
 * and its commands by action and outcome.
 */
public final class AgentMetrics
{
    private final Metrics metrics;
    private final com.codahale.metrics.Counter reconnects;
    private final Map<String, CollectorState> collectors = new ConcurrentHashMap<>();

    public AgentMetrics(Metrics metrics, String agentId, AgentKind kind, String version)
    {
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.info("rackpilot_agent_info", "The agent's identity and version.",
                Labels.of("id", agentId, "role", kind.role() == io.rackpilot.proto.v1.Role.ROLE_HOST ? "host" : "node", "version", version));
        reconnects = metrics.counter("rackpilot_agent_reconnects_total", "Times the agent's stream to the coordinator ended after it was up.", Labels.empty());
        new MachineMetrics(metrics).register();
    }

    public void linkState(BooleanSupplier connected)
    {
        metrics.gauge("rackpilot_agent_connected", "1 when the agent's stream to the coordinator is up, else 0.", Labels.empty(),
                () -> connected.getAsBoolean() ? 1 : 0);
    }

    public void runningCommands(IntSupplier running)
    {
        metrics.gauge("rackpilot_agent_commands_running", "Commands being carried out now.", Labels.empty(), running::getAsInt);
    }

    /**
     * node_exporter's scrape_collector_success and _duration_seconds, for the inventory collectors.
     */
    public void collectorFinished(String collector, boolean success, long durationNanos)
    {
        CollectorState state = collectors.computeIfAbsent(collector, name -> {
            CollectorState created = new CollectorState();
            metrics.gauge("rackpilot_inventory_collector_success", "1 when the inventory collector's last run succeeded, else 0.",
                    Labels.of("collector", name), () -> created.success ? 1 : 0);
            metrics.gauge("rackpilot_inventory_collector_duration_seconds", "How long the inventory collector's last run took.",
                    Labels.of("collector", name), () -> created.durationNanos / 1e9);
            return created;
        });
        state.success = success;
        state.durationNanos = durationNanos;
    }

    private static final class CollectorState
    {
        private volatile boolean success;
        private volatile long durationNanos;
    }

    public void reconnected()
    {
        reconnects.inc();
    }

    public void commandFinished(Command command, CommandResult result, Duration duration)
    {
        String action = ActionNames.of(command.getAction());
        String outcome = result.getOutcome().name().replaceFirst("^OUTCOME_", "").toLowerCase(Locale.ROOT);
        metrics.counter("rackpilot_agent_commands_total", "Commands the agent carried out, by action and outcome.",
                Labels.of("action", action, "outcome", outcome)).inc();
        metrics.timer("rackpilot_agent_command_duration_seconds", "How long commands took, by action.", Labels.of("action", action))
                .update(duration.toNanos(), TimeUnit.NANOSECONDS);
    }
}
