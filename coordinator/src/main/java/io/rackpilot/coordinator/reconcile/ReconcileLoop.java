package io.rackpilot.coordinator.reconcile;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.commands.CommandRejectedException;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.coordinator.observed.HomelabObserver;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.coordinator.plan.PlanBook;
import io.rackpilot.coordinator.plan.StoredPlan;
import io.rackpilot.coordinator.relocation.GpuMoves;
import io.rackpilot.coordinator.relocation.MoveRefusedException;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.GpuMove;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * The edge of reconciliation: on every agent report, every new plan revision and a timer, it takes
 * a snapshot, asks the pure {@link Reconciler}, and turns the actions into commands (or GPU moves).
 * An action whose change is in flight (its command not finished, or finished but not yet seen in
 * the agent's next report) is not issued a second time. Runs on one thread of its own; a burst of
 * triggers makes one run.
 */
public final class ReconcileLoop
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(ReconcileLoop.class.getName());
    public static final String REQUESTED_BY = "reconciler";
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /**
     * An action the agent refused or failed is tried again after this long (or at once when the
     * plan changes, which makes another action), not on every reconciliation.
     */
    public static final Duration RETRY_FAILED_AFTER = Duration.ofMinutes(10);

    private final PlanBook plans;
    private final HomelabObserver observer;
    private final Reconciler reconciler;
    private final CommandService commands;
    private final GpuMoves moves;
    private final PlacementBook placements;
    private final Clock clock;
    private final ReconcileListener listener;
    private final Duration interval;
    private final Runnable eachRun;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean queued = new AtomicBoolean();
    // action key -> what is in flight for it; touched only on the loop's thread and in command callbacks
    private final Map<String, InFlight> inFlight = new HashMap<>();
    private final Map<String, String> lastRefusal = new HashMap<>();
    // action key -> how its last command ended when it did not succeed; guarded by inFlight
    private final Map<String, ActionFailure> failures = new HashMap<>();
    private volatile Optional<Reconciliation> latest = Optional.empty();

    public ReconcileLoop(PlanBook plans, HomelabObserver observer, Reconciler reconciler, CommandService commands, GpuMoves moves, PlacementBook placements, Clock clock, ReconcileListener listener, Duration interval)
    {
        this(plans, observer, reconciler, commands, moves, placements, clock, listener, interval, () -> {});
    }

    /**
     * @param eachRun told at the start of every run (a liveness tick: the timer makes one at least
     *        every interval)
     */
    public ReconcileLoop(PlanBook plans, HomelabObserver observer, Reconciler reconciler, CommandService commands, GpuMoves moves, PlacementBook placements, Clock clock, ReconcileListener listener, Duration interval, Runnable eachRun)
    {
        this.placements = requireNonNull(placements, "placements is null");
        this.plans = requireNonNull(plans, "plans is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.reconciler = requireNonNull(reconciler, "reconciler is null");
        this.commands = requireNonNull(commands, "commands is null");
        this.moves = requireNonNull(moves, "moves is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.eachRun = requireNonNull(eachRun, "eachRun is null");
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread created = new Thread(runnable, "rackpilot-reconcile");
            created.setDaemon(true);
            return created;
        });
    }

    /**
     * Remembers the reconciler's commands left unfinished by a previous run of the coordinator, so
     * they are not issued again, and starts the timer.
     */
    public void start()
    {
        synchronized (inFlight) {
            for (CommandRecord record : commands.list(Optional.empty(), 1000)) {
                if (record.getRequestedBy().equals(REQUESTED_BY) && !CommandService.isFinished(record.getState())) {
                    String key = ReconcileAction.AgentCommand.keyOf(record.getAgentId(), record.getAction());
                    inFlight.put(key, new InFlight(record.getId(), record.getAgentId(), Optional.empty()));
                    commands.whenFinished(record.getId()).thenAccept(finished -> settled(key, finished));
                }
            }
        }
        thread.scheduleWithFixedDelay(this::trigger, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for a run soon; runs already asked for and not started make no second one.
     */
    public void trigger()
    {
        if (queued.compareAndSet(false, true)) {
            try {
                thread.execute(this::run);
            }
            catch (java.util.concurrent.RejectedExecutionException e) {
                queued.set(false);
            }
        }
    }

    /**
     * The last reconciliation, for metrics and {@code rackctl plan diff}.
     */
    public Optional<Reconciliation> latest()
    {
        return latest;
    }

    /**
     * The differences between a plan and the homelab now, issuing nothing.
     */
    public Reconciliation diff(HomelabPlan plan, long planRevision)
    {
        return reconciler.compute(plan, planRevision, observer.observe(), clock.instant(), failures());
    }

    private Map<String, ActionFailure> failures()
    {
        synchronized (inFlight) {
            return Map.copyOf(failures);
        }
    }

    private void run()
    {
        queued.set(false);
        eachRun.run();
        try {
            Optional<StoredPlan> stored = plans.current();
            if (stored.isEmpty()) {
                return;
            }
            long start = System.nanoTime();
            ObservedHomelab observed = observer.observe();
            Instant now = clock.instant();
            synchronized (inFlight) {
                // a failure neither retried nor renewed for a while belongs to an action no plan asks for any more
                failures.values().removeIf(failure -> failure.retryAt().plus(RETRY_FAILED_AFTER).isBefore(now));
            }
            Reconciliation result = reconciler.compute(stored.get().plan(), stored.get().number(), observed, now, failures());
            latest = Optional.of(result);
            settle(stored.get().plan(), observed);
            listener.reconciled(result, Duration.ofNanos(System.nanoTime() - start));
            for (ReconcileAction action : result.actions()) {
                issue(action, observed, now);
            }
        }
        catch (RuntimeException e) {
            log.log(Level.WARNING, "reconciliation failed", e);
        }
    }

    private void settle(HomelabPlan plan, ObservedHomelab observed)
    {
        for (io.rackpilot.plan.Gpu gpu : plan.spec().gpus()) {
            Optional<Optional<io.rackpilot.proto.v1.ProxmoxVm>> holder = observed.gpuHolder(gpu);
            int planned = gpu.vm().isPresent() ? gpu.vm().getAsInt() : 0;
            if (holder.isPresent() && holder.get().map(io.rackpilot.proto.v1.ProxmoxVm::getVmid).orElse(0) == planned && observed.activeMove(gpu.id()).isEmpty()) {
                placements.settle(gpu.id(), planned);
            }
        }
    }

    private void issue(ReconcileAction action, ObservedHomelab observed, Instant now)
    {
        String key = action.key();
        synchronized (inFlight) {
            InFlight current = inFlight.get(key);
            if (current != null) {
                if (current.finishedAt().isEmpty()) {
                    return;
                }
                Instant finishedAt = current.finishedAt().get();
                boolean reportedSince = observed.agent(current.agentId()).flatMap(agent -> agent.collectedAt()).map(collected -> collected.isAfter(finishedAt)).orElse(false);
                if (!reportedSince && now.isBefore(finishedAt.plus(SETTLE))) {
                    return;
                }
                inFlight.remove(key);
            }
        }
        if (action instanceof ReconcileAction.AgentCommand command) {
                CommandRecord record;
                try {
                    record = commands.submit(command.agentId(), command.action(), false, Optional.empty(), REQUESTED_BY);
                }
                catch (CommandRejectedException e) {
                    listener.actionFinished(command.kind(), "rejected");
                    refusal(key, "cannot " + command + ": " + e.getMessage());
                    return;
                }
                log.info("reconcile: " + command + " (command " + record.getId() + ")");
                synchronized (inFlight) {
                    inFlight.put(key, new InFlight(record.getId(), command.agentId(), Optional.empty()));
                }
                commands.whenFinished(record.getId()).thenAccept(finished -> {
                    String outcome = finished.getState().name().replaceFirst("^COMMAND_STATE_", "").toLowerCase(Locale.ROOT);
                    listener.actionFinished(command.kind(), outcome);
                    settled(key, finished);
                    remember(key, command.agentId(), outcome, finished);
                    trigger();
                });
            }
            else if (action instanceof ReconcileAction.StartGpuMove move) {
                try {
                    Optional<GpuMove> started = moves.startForPlan(move.gpuId(), move.toVmid(), move.planRevision());
                    if (started.isPresent()) {
                        listener.actionFinished(move.kind(), "started");
                        log.info("reconcile: " + move + " (move " + started.get().getId() + ")");
                    }
                }
                catch (MoveRefusedException e) {
                    listener.actionFinished(move.kind(), "refused");
                    refusal(key, "cannot " + move + ": " + e.getMessage());
                }
            }
    }

    private void refusal(String key, String message)
    {
        synchronized (inFlight) {
            if (message.equals(lastRefusal.put(key, message))) {
                return;
            }
        }
        log.warning("reconcile: " + message);
    }

    /**
     * Remembers how a command that did not succeed ended, so its action waits for a changed plan or
     * {@link #RETRY_FAILED_AFTER}; a success forgets it.
     */
    private void remember(String key, String agentId, String outcome, CommandRecord finished)
    {
        Instant at = clock.instant();
        synchronized (inFlight) {
            if (outcome.equals("succeeded")) {
                failures.remove(key);
                return;
            }
            if (outcome.equals("expired")) {
                // nothing ran: the agent was away
                return;
            }
            String message = finished.hasResult() ? finished.getResult().getMessage() : "";
            failures.put(key, new ActionFailure(agentId, outcome, message, failures.containsKey(key) ? failures.get(key).since() : at, at.plus(RETRY_FAILED_AFTER)));
        }
        log.warning("reconcile: " + agentId + " " + (outcome.equals("rejected") ? "refused" : outcome.replace('_', ' ')) + " command " + finished.getId()
                + "; not tried again for " + RETRY_FAILED_AFTER.toMinutes() + " minutes unless the plan changes: " + finished.getResult().getMessage());
    }

    private void settled(String key, CommandRecord finished)
    {
        synchronized (inFlight) {
            InFlight current = inFlight.get(key);
            if (current != null && current.commandId().equals(finished.getId())) {
                Instant at = finished.getHistoryCount() > 0 ? Timestamps.toInstant(finished.getHistory(finished.getHistoryCount() - 1).getAt()) : clock.instant();
                inFlight.put(key, new InFlight(current.commandId(), current.agentId(), Optional.of(at)));
            }
        }
    }

    @Override
    /**
     * Stops the loop and waits (up to 5 s) for a run in progress to end, so that nothing uses the
     * store after the coordinator closes it.
     */
    public void close()
    {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record InFlight(String commandId, String agentId, Optional<Instant> finishedAt) {}
}
