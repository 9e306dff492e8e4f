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

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.coordinator.plan.PlanBook;
import io.rackpilot.coordinator.reconcile.DriftKind;
import io.rackpilot.coordinator.reconcile.ReconcileListener;
import io.rackpilot.coordinator.reconcile.Reconciliation;
import io.rackpilot.coordinator.relocation.GpuMoves;
import io.rackpilot.proto.v1.DriftItem;
import io.rackpilot.proto.v1.GpuMove;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
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
        implements CommandService.CommandListener, StoreObserver, ReconcileListener
{
    private final Metrics metrics;
    private final Map<String, Timer> storeTimers = new ConcurrentHashMap<>();
    private final Map<DriftKind, Integer> driftItems = new ConcurrentHashMap<>();
    private final Map<DriftKind, Integer> refusedItems = new ConcurrentHashMap<>();
    private static final List<String> GPU_STATES = List.of("ok", "moving", "drift", "unknown", "needs-host-reboot", "driver-mismatch");
    private final Map<String, Integer> gpuStates = new ConcurrentHashMap<>();
    private final java.util.Set<String> registeredGpuStates = ConcurrentHashMap.newKeySet();
    private final Timer reconcileDuration;
    private final Timer relocationDuration;

    public CoordinatorMetrics(Metrics metrics, String version)
    {
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.info("rackpilot_coordinator_info", "The coordinator's version.", Labels.of("version", version));
        for (DriftKind kind : DriftKind.values()) {
            driftItems.put(kind, 0);
            metrics.gauge("rackpilot_drift_items", "Ways the homelab differs from the plan at the last reconciliation, by kind.",
                    Labels.of("kind", kind.label()), () -> driftItems.getOrDefault(kind, 0));
            refusedItems.put(kind, 0);
            metrics.gauge("rackpilot_reconcile_refused_items", "Drift items at the last reconciliation whose action the agent refused or failed; not retried until the plan changes or the retry time, by kind.",
                    Labels.of("kind", kind.label()), () -> refusedItems.getOrDefault(kind, 0));
        }
        reconcileDuration = metrics.timer("rackpilot_reconcile_duration_seconds", "How long one reconciliation (snapshot, compare, issue) took.", Labels.empty());
        relocationDuration = metrics.timer("rackpilot_gpu_relocation_duration_seconds", "How long finished GPU moves took, from start to their end.", Labels.empty());
        for (String outcome : new String[] {"succeeded", "rolled_back", "failed"}) {
            relocations(outcome);
        }
    }

    /**
     * The plan's revision and the GPU moves in progress.
     */
    public void watch(PlanBook plans, GpuMoves moves)
    {
        metrics.gauge("rackpilot_plan_revision", "The revision of the homelab plan in force (0: none applied).", Labels.empty(), plans::currentRevision);
        metrics.gauge("rackpilot_gpu_relocations_in_progress", "GPU moves running or rolling back.", Labels.empty(),
                () -> moves.list().stream().filter(ObservedHomelab::isActive).count());
    }

    @Override
    public void reconciled(Reconciliation result, Duration took)
    {
        Map<DriftKind, Integer> counts = new EnumMap<>(DriftKind.class);
        Map<DriftKind, Integer> refused = new EnumMap<>(DriftKind.class);
        for (DriftKind kind : DriftKind.values()) {
            counts.put(kind, 0);
            refused.put(kind, 0);
        }
        for (DriftItem item : result.drift()) {
            for (DriftKind kind : DriftKind.values()) {
                if (kind.label().equals(item.getKind())) {
                    counts.merge(kind, 1, Integer::sum);
                    if (item.getRefused()) {
                        refused.merge(kind, 1, Integer::sum);
                    }
                }
            }
        }
        driftItems.putAll(counts);
        refusedItems.putAll(refused);
        reconcileDuration.update(took.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void actionFinished(DriftKind kind, String outcome)
    {
        metrics.counter("rackpilot_reconcile_actions_total", "Actions the reconciler issued, by the kind of drift they close and their outcome.",
                Labels.of("kind", kind.label(), "outcome", outcome)).inc();
    }

    /**
     * One gauge per planned GPU and state, 1 for the state it is in: alert on
     * {@code rackpilot_gpu_state{state="needs-host-reboot"} == 1}.
     */
    public void gpuStates(io.rackpilot.proto.v1.GpuStatusResponse status)
    {
        for (io.rackpilot.proto.v1.GpuStatus gpu : status.getGpusList()) {
            for (String state : GPU_STATES) {
                gpuStates.put(gpu.getGpuId() + "\n" + state, gpu.getState().equals(state) ? 1 : 0);
                String key = gpu.getGpuId() + "\n" + state;
                if (registeredGpuStates.add(key)) {
                    metrics.gauge("rackpilot_gpu_state", "Each planned GPU's state (1 for the one it is in): ok, moving, drift, unknown, needs-host-reboot, driver-mismatch.",
                            Labels.of("gpu", gpu.getGpuId(), "state", state), () -> gpuStates.getOrDefault(key, 0));
                }
            }
        }
    }

    public void relocationFinished(GpuMove move)
    {
        String outcome = name(move.getState().name(), "MOVE_STATE_");
        relocations(outcome).inc();
        if (move.hasCreatedAt() && move.hasFinishedAt()) {
            Duration took = Duration.between(Timestamps.toInstant(move.getCreatedAt()), Timestamps.toInstant(move.getFinishedAt()));
            relocationDuration.update(took.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private com.codahale.metrics.Counter relocations(String outcome)
    {
        return metrics.counter("rackpilot_gpu_relocations_total", "Finished GPU moves, by outcome.", Labels.of("outcome", outcome));
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
