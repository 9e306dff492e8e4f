package io.rackpilot.agent.command;

import com.google.protobuf.Timestamp;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandAck;
import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.Outcome;

import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Runs commands from the coordinator: each command id at most once (answered from the
 * {@link CommandJournal} when it comes again), dry-run honoured, a timeout per action, the result
 * journaled before it is sent, one audit line per command.
 *
 * <p>A command is acknowledged ({@code running}) when a worker starts it, not when it is queued
 * here. Before its action is applied, the journal records that it started; a command found started
 * but without a result (the agent stopped while it ran) is answered as interrupted, its effect
 * unknown. Once {@link #stop()} is called no command starts: those still queued are dropped without
 * a result, and the coordinator delivers them again after the agent's restart.
 */
public final class CommandExecutor
{
    private static final Logger log = Logger.getLogger(CommandExecutor.class.getName());

    private final Map<Action.KindCase, ActionHandler> handlers;
    private final CommandJournal journal;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final Predicate<AgentMessage> outbound;
    private final CommandObserver observer;
    private final Clock clock;
    // ids taken from the stream and not yet finished: queued for a worker or running
    private final Map<String, Boolean> accepted = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean stopping;

    /**
     * @param outbound sends a message to the coordinator on the current stream, returning false
     *        when there is none (the coordinator re-sends the command later and gets the result
     *        from the journal)
     */
    public CommandExecutor(
            List<ActionHandler> handlers,
            CommandJournal journal,
            ExecutorService workers,
            ScheduledExecutorService timer,
            Predicate<AgentMessage> outbound,
            CommandObserver observer,
            Clock clock)
    {
        Map<Action.KindCase, ActionHandler> byKind = new EnumMap<>(Action.KindCase.class);
        for (ActionHandler handler : requireNonNull(handlers, "handlers is null")) {
            if (byKind.put(handler.kind(), handler) != null) {
                throw new IllegalArgumentException("two handlers for action " + ActionNames.of(handler.kind()));
            }
        }
        this.handlers = Map.copyOf(byKind);
        this.journal = requireNonNull(journal, "journal is null");
        this.workers = requireNonNull(workers, "workers is null");
        this.timer = requireNonNull(timer, "timer is null");
        this.outbound = requireNonNull(outbound, "outbound is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public List<String> capabilities()
    {
        return handlers.keySet().stream().map(ActionNames::of).sorted().toList();
    }

    /**
     * Commands a worker carries out now.
     */
    public int runningCount()
    {
        return running.get();
    }

    /**
     * Commands taken from the stream and not finished: waiting for a worker or running.
     */
    public int acceptedCount()
    {
        return accepted.size();
    }

    /**
     * The agent is stopping: no command starts from now on. Commands waiting for a worker are
     * dropped without a result (not journaled, not reported); the coordinator sends them again
     * after the agent reconnects. Running commands go on to their end.
     */
    public void stop()
    {
        stopping = true;
    }

    /**
     * Takes a command from the stream. Never blocks on the action itself.
     */
    public void submit(Command command)
    {
        requireNonNull(command, "command is null");
        String commandId = command.getId();
        if (!CommandJournal.isValidCommandId(commandId)) {
            log.warning("ignoring a command with an invalid id '" + commandId + "'");
            return;
        }
        if (accepted.putIfAbsent(commandId, Boolean.TRUE) != null) {
            // Delivered again while it waits or runs (a reconnect): the result goes out when it finishes.
            return;
        }
        // Looked up once the id is taken: a command finishing now is journaled before it lets go of its id.
        Optional<CommandResult> journaled;
        Optional<Instant> startedBefore;
        try {
            journaled = journal.find(commandId);
            startedBefore = journaled.isPresent() ? Optional.empty() : journal.started(commandId);
        }
        catch (IOException e) {
            accepted.remove(commandId);
            log.log(Level.SEVERE, "cannot read the command journal for " + commandId + "; not running it", e);
            return;
        }
        if (journaled.isPresent()) {
            accepted.remove(commandId);
            send(journaled.get().toBuilder().setReplayed(true).build());
            return;
        }
        if (stopping) {
            accepted.remove(commandId);
            log.fine("agent is stopping; command " + commandId + " will be delivered again");
            return;
        }
        if (startedBefore.isPresent()) {
            // The agent stopped while this command was being applied (it never journaled a result).
            Instant startedAt = startedBefore.get();
            finish(command, startedAt, result(command, Outcome.OUTCOME_INTERRUPTED,
                    ActionNames.of(command.getAction()) + " was started at " + startedAt + " and the agent stopped before it finished; "
                            + "whether it took effect is unknown: check the machine before asking for it again", startedAt));
            return;
        }
        ActionHandler handler = handlers.get(command.getAction().getKindCase());
        if (handler == null) {
            Instant now = clock.instant();
            String message = command.getAction().getKindCase() == Action.KindCase.KIND_NOT_SET
                    ? "the command carries no action"
                    : "this agent does not carry out " + ActionNames.of(command.getAction());
            finish(command, now, result(command, Outcome.OUTCOME_REJECTED, message, now));
            return;
        }
        AtomicReference<Future<?>> self = new AtomicReference<>();
        FutureTask<Void> task = new FutureTask<>(() -> start(handler, command, self.get()), null);
        self.set(task);
        try {
            workers.execute(task);
        }
        catch (RejectedExecutionException e) {
            accepted.remove(commandId);
            log.warning("agent is shutting down; command " + commandId + " will be delivered again");
        }
    }

    /**
     * On a worker: the command leaves the queue and starts, unless the agent is stopping or its
     * deadline has passed.
     */
    private void start(ActionHandler handler, Command command, Future<?> task)
    {
        String commandId = command.getId();
        if (stopping) {
            accepted.remove(commandId);
            log.info("agent is stopping; command " + commandId + " did not start and will be delivered again");
            return;
        }
        Instant startedAt = clock.instant();
        Instant deadline;
        try {
            deadline = command.hasDeadline() ? Timestamps.toInstant(command.getDeadline()) : null;
        }
        catch (DateTimeException | ArithmeticException e) {
            finish(command, startedAt, result(command, Outcome.OUTCOME_REJECTED, "the command's deadline (" + command.getDeadline().getSeconds()
                    + " s, " + command.getDeadline().getNanos() + " ns after the epoch) is not a time the agent can represent", startedAt));
            return;
        }
        if (deadline != null && !startedAt.isBefore(deadline)) {
            finish(command, startedAt, result(command, Outcome.OUTCOME_EXPIRED, "the command's deadline " + deadline + " passed before it could start", startedAt));
            return;
        }
        running.incrementAndGet();
        try {
            outbound.test(AgentMessage.newBuilder().setCommandAck(CommandAck.newBuilder().setCommandId(commandId)).build());
            Duration timeout = handler.timeout();
            if (deadline != null) {
                Duration untilDeadline = Duration.between(startedAt, deadline);
                if (untilDeadline.compareTo(timeout) < 0) {
                    timeout = untilDeadline;
                }
            }
            AtomicBoolean done = new AtomicBoolean();
            Duration limit = timeout;
            ScheduledFuture<?> timeoutTimer = timer.schedule(() -> {
                if (done.compareAndSet(false, true)) {
                    task.cancel(true);
                    finish(command, startedAt, result(command, Outcome.OUTCOME_TIMED_OUT, ActionNames.of(command.getAction()) + " did not finish within " + limit.toMillis() + " ms", startedAt));
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            Optional<CommandResult> result = run(handler, command, startedAt, startedAt.plus(timeout));
            // an interrupted thread cannot write the journal (its file channel would close): the
            // interrupt is restored once the result is journaled
            boolean interrupted = Thread.interrupted();
            if (done.compareAndSet(false, true)) {
                timeoutTimer.cancel(false);
                if (result.isPresent()) {
                    finish(command, startedAt, result.get());
                }
                else {
                    accepted.remove(commandId);
                    log.info("command " + commandId + " was interrupted before it changed anything; it will be delivered again");
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        finally {
            running.decrementAndGet();
        }
    }

    /**
     * The command's result; empty when it was interrupted before its action was applied (it is
     * then not a result: the command runs again when delivered again).
     */
    private Optional<CommandResult> run(ActionHandler handler, Command command, Instant startedAt, Instant runDeadline)
    {
        boolean applying = false;
        try {
            PreparedAction prepared = handler.prepare(command.getAction(), runDeadline);
            if (command.getDryRun()) {
                return Optional.of(success(command, false, "dry run: " + prepared.summary(), prepared.preview(), startedAt));
            }
            if (prepared.alreadyInPlace()) {
                return Optional.of(success(command, false, prepared.summary(), prepared.preview(), startedAt));
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            try {
                journal.markStarted(command.getId(), startedAt);
            }
            catch (IOException e) {
                log.log(Level.SEVERE, "cannot journal the start of command " + command.getId(), e);
                return Optional.of(result(command, Outcome.OUTCOME_FAILED, "cannot write the command journal (" + e.getMessage() + "); nothing was applied", startedAt));
            }
            applying = true;
            PreparedAction.Applied applied = prepared.apply();
            return Optional.of(success(command, applied.changed(), applied.message(), applied.result(), startedAt));
        }
        catch (ActionException e) {
            Outcome outcome = e.kind() == ActionException.Kind.REJECTED ? Outcome.OUTCOME_REJECTED : Outcome.OUTCOME_FAILED;
            CommandResult failure = result(command, outcome, e.getMessage(), startedAt);
            if (e.result().isEmpty()) {
                return Optional.of(failure);
            }
            return Optional.of(failure.toBuilder().setChanged(e.changed()).setResult(e.result().get()).build());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (!applying) {
                return Optional.empty();
            }
            return Optional.of(result(command, Outcome.OUTCOME_INTERRUPTED,
                    ActionNames.of(command.getAction()) + " was interrupted while it was being applied (the agent is stopping); "
                            + "whether it took effect is unknown: check the machine before asking for it again", startedAt));
        }
        catch (RuntimeException e) {
            log.log(Level.WARNING, "action " + ActionNames.of(command.getAction()) + " failed unexpectedly", e);
            return Optional.of(result(command, Outcome.OUTCOME_FAILED, "unexpected error: " + e, startedAt));
        }
    }

    private CommandResult success(Command command, boolean changed, String message, io.rackpilot.proto.v1.ActionResult actionResult, Instant startedAt)
    {
        return CommandResult.newBuilder()
                .setCommandId(command.getId())
                .setOutcome(Outcome.OUTCOME_SUCCEEDED)
                .setChanged(changed && !command.getDryRun())
                .setDryRun(command.getDryRun())
                .setMessage(message)
                .setResult(actionResult)
                .setStartedAt(Timestamps.of(startedAt))
                .setFinishedAt(now())
                .build();
    }

    private CommandResult result(Command command, Outcome outcome, String message, Instant startedAt)
    {
        return CommandResult.newBuilder()
                .setCommandId(command.getId())
                .setOutcome(outcome)
                .setDryRun(command.getDryRun())
                .setMessage(message)
                .setStartedAt(Timestamps.of(startedAt))
                .setFinishedAt(now())
                .build();
    }

    private Timestamp now()
    {
        return Timestamps.of(clock.instant());
    }

    private void finish(Command command, Instant startedAt, CommandResult result)
    {
        try {
            journal.record(result);
        }
        catch (IOException | RuntimeException e) {
            // Without the journal entry the command could run twice; report it, but do not send a
            // result the agent cannot stand behind after a restart.
            log.log(Level.SEVERE, "cannot journal the result of command " + command.getId() + "; it will be answered when delivered again", e);
            accepted.remove(command.getId());
            return;
        }
        accepted.remove(command.getId());
        observer.finished(command, result, Duration.between(startedAt, clock.instant()));
        send(result);
    }

    private void send(CommandResult result)
    {
        outbound.test(AgentMessage.newBuilder().setCommandResult(result).build());
    }
}
