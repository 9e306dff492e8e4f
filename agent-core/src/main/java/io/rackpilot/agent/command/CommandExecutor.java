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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Runs commands from the coordinator: each command id at most once (answered from the
 * {@link CommandJournal} when it comes again), dry-run honoured, a timeout per action, the result
 * journaled before it is sent, one audit line per command.
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
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();

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

    public int runningCount()
    {
        return running.size();
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
        Optional<CommandResult> journaled;
        try {
            journaled = journal.find(commandId);
        }
        catch (IOException e) {
            log.log(Level.SEVERE, "cannot read the command journal for " + commandId + "; not running it", e);
            return;
        }
        if (journaled.isPresent()) {
            send(journaled.get().toBuilder().setReplayed(true).build());
            return;
        }
        if (running.putIfAbsent(commandId, Boolean.TRUE) != null) {
            // Delivered again while it runs (a reconnect): the result goes out when it finishes.
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
        ActionHandler handler = handlers.get(command.getAction().getKindCase());
        if (handler == null) {
            String message = command.getAction().getKindCase() == Action.KindCase.KIND_NOT_SET
                    ? "the command carries no action"
                    : "this agent does not carry out " + ActionNames.of(command.getAction());
            finish(command, startedAt, result(command, Outcome.OUTCOME_REJECTED, message, startedAt));
            return;
        }
        outbound.test(AgentMessage.newBuilder().setCommandAck(CommandAck.newBuilder().setCommandId(commandId)).build());

        Duration timeout = handler.timeout();
        if (deadline != null) {
            Duration untilDeadline = Duration.between(startedAt, deadline);
            if (untilDeadline.compareTo(timeout) < 0) {
                timeout = untilDeadline;
            }
        }
        AtomicBoolean done = new AtomicBoolean();
        Future<?> task;
        Instant runDeadline = startedAt.plus(timeout);
        try {
            task = workers.submit(() -> {
                CommandResult result = run(handler, command, startedAt, runDeadline);
                if (done.compareAndSet(false, true)) {
                    finish(command, startedAt, result);
                }
            });
        }
        catch (RejectedExecutionException e) {
            running.remove(commandId);
            log.warning("agent is shutting down; command " + commandId + " will be delivered again");
            return;
        }
        Duration limit = timeout;
        timer.schedule(() -> {
            if (done.compareAndSet(false, true)) {
                task.cancel(true);
                finish(command, startedAt, result(command, Outcome.OUTCOME_TIMED_OUT, ActionNames.of(command.getAction()) + " did not finish within " + limit.toMillis() + " ms", startedAt));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private CommandResult run(ActionHandler handler, Command command, Instant startedAt, Instant runDeadline)
    {
        try {
            PreparedAction prepared = handler.prepare(command.getAction(), runDeadline);
            if (command.getDryRun()) {
                return success(command, false, "dry run: " + prepared.summary(), prepared.preview(), startedAt);
            }
            if (prepared.alreadyInPlace()) {
                return success(command, false, prepared.summary(), prepared.preview(), startedAt);
            }
            PreparedAction.Applied applied = prepared.apply();
            return success(command, applied.changed(), applied.message(), applied.result(), startedAt);
        }
        catch (ActionException e) {
            Outcome outcome = e.kind() == ActionException.Kind.REJECTED ? Outcome.OUTCOME_REJECTED : Outcome.OUTCOME_FAILED;
            CommandResult failure = result(command, outcome, e.getMessage(), startedAt);
            if (e.result().isEmpty()) {
                return failure;
            }
            return failure.toBuilder().setChanged(e.changed()).setResult(e.result().get()).build();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result(command, Outcome.OUTCOME_FAILED, "interrupted", startedAt);
        }
        catch (RuntimeException e) {
            log.log(Level.WARNING, "action " + ActionNames.of(command.getAction()) + " failed unexpectedly", e);
            return result(command, Outcome.OUTCOME_FAILED, "unexpected error: " + e, startedAt);
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
            running.remove(command.getId());
            return;
        }
        running.remove(command.getId());
        observer.finished(command, result, Duration.between(startedAt, clock.instant()));
        send(result);
    }

    private void send(CommandResult result)
    {
        outbound.test(AgentMessage.newBuilder().setCommandResult(result).build());
    }
}
