package io.rackpilot.coordinator.metrics;

import com.codahale.metrics.Timer;
import io.rackpilot.common.metrics.Labels;
import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.coordinator.store.StoreObserver;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.Role;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The coordinator's own metrics: agents by role and state, commands by action and outcome, the
 * depth of the command queue, and store latency.
 */
public final class CoordinatorMetrics
        implements CommandService.CommandListener, StoreObserver
{
    private final Metrics metrics;
    private final Map<String, Timer> storeTimers = new ConcurrentHashMap<>();

    public CoordinatorMetrics(Metrics metrics, String version)
    {
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.info("rackpilot_coordinator_info", "The coordinator's version.", Labels.of("version", version));
    }

    public void watch(AgentRegistry registry, CommandService commands)
    {
        for (Role role : new Role[] {Role.ROLE_HOST, Role.ROLE_NODE}) {
            for (AgentState state : new AgentState[] {AgentState.AGENT_STATE_CONNECTED, AgentState.AGENT_STATE_LOST}) {
                metrics.gauge("rackpilot_agents", "Agents the coordinator knows, by role and state.",
                        Labels.of("role", name(role.name(), "ROLE_"), "state", name(state.name(), "AGENT_STATE_")),
                        () -> registry.count(role, state));
            }
        }
        metrics.gauge("rackpilot_command_queue_depth", "Commands stored and not yet finished (queued, sent or running).", Labels.empty(), commands::unfinishedCount);
    }

    @Override
    public void finished(CommandRecord record)
    {
        metrics.counter("rackpilot_commands_total", "Finished commands, by action and outcome.",
                Labels.of("action", record.getActionName(), "outcome", name(record.getState().name(), "COMMAND_STATE_"))).inc();
    }

    @Override
    public void operation(String operation, long durationNanos, boolean success)
    {
        storeTimers.computeIfAbsent(operation, key -> metrics.timer("rackpilot_store_operation_duration_seconds", "Latency of the coordinator's store, by operation.", Labels.of("operation", key)))
                .update(durationNanos, TimeUnit.NANOSECONDS);
    }

    private static String name(String enumName, String prefix)
    {
        return enumName.replaceFirst("^" + prefix, "").toLowerCase(Locale.ROOT);
    }
}
