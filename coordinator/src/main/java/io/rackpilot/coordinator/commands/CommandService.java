package io.rackpilot.coordinator.commands;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.agents.AgentSession;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoredRecord;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.CommandTransition;
import io.rackpilot.proto.v1.CoordinatorMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * The command queue: every command is stored before it is sent, sent again after each reconnect of
 * its agent until its result arrives, and finished exactly once (a repeated result is ignored).
 * Each command's state changes are kept in its record's history.
 */
public final class CommandService
{
    private static final Logger log = Logger.getLogger(CommandService.class.getName());
    static final String PREFIX = "commands/";
    private static final Duration MAXIMUM_TIMEOUT = Duration.ofHours(24);

    private final Store store;
    private final AgentRegistry registry;
    private final CommandIds ids;
    private final Clock clock;
    private final Duration defaultTimeout;
    private final CommandListener listener;
    // agent id -> ids of its unfinished commands, oldest first
    private final Map<String, TreeSet<String>> unfinished = new HashMap<>();
    private final Map<String, List<CompletableFuture<CommandRecord>>> waiters = new HashMap<>();

    public interface CommandListener
    {
        void finished(CommandRecord record);

        CommandListener NONE = record -> {};
    }

    public CommandService(Store store, AgentRegistry registry, Clock clock, Duration defaultTimeout, CommandListener listener)
    {
        this.store = requireNonNull(store, "store is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.defaultTimeout = requireNonNull(defaultTimeout, "defaultTimeout is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.ids = new CommandIds(clock);
        for (StoredRecord stored : store.list(PREFIX).records()) {
            CommandRecord record = parse(stored);
            if (record != null && !isFinished(record.getState())) {
                unfinished.computeIfAbsent(record.getAgentId(), agent -> new TreeSet<>()).add(record.getId());
            }
        }
    }

    public static boolean isFinished(CommandState state)
    {
        return switch (state) {
            case COMMAND_STATE_SUCCEEDED, COMMAND_STATE_FAILED, COMMAND_STATE_REJECTED, COMMAND_STATE_TIMED_OUT, COMMAND_STATE_EXPIRED, COMMAND_STATE_INTERRUPTED -> true;
            default -> false;
        };
    }

    /**
     * Stores a new command and sends it when its agent is connected.
     */
    public CommandRecord submit(String agentId, Action action, boolean dryRun, Optional<Duration> timeout, String requestedBy)
    {
        return submit(ids.next(), agentId, action, dryRun, timeout, requestedBy);
    }

    /**
     * A fresh command id, for a caller that records the id before it submits (see
     * {@link #submit(String, String, Action, boolean, Optional, String)}).
     */
    public String newCommandId()
    {
        return ids.next();
    }

    /**
     * Stores and sends a command under an id the caller chose with {@link #newCommandId()}; when a
     * command with that id exists already, returns it and sends nothing. A caller that writes the id
     * down before submitting can so submit again after a crash without running the action twice.
     */
    public CommandRecord submit(String commandId, String agentId, Action action, boolean dryRun, Optional<Duration> timeout, String requestedBy)
    {
        requireNonNull(commandId, "commandId is null");
        Optional<CommandRecord> existing = get(commandId);
        if (existing.isPresent()) {
            if (!existing.get().getAgentId().equals(agentId) || !existing.get().getAction().equals(action)) {
                throw new CommandRejectedException(CommandRejectedException.Reason.INVALID, "command " + commandId + " exists already with another agent or action");
            }
            return existing.get();
        }
        requireNonNull(agentId, "agentId is null");
        requireNonNull(action, "action is null");
        AgentInfo agent = registry.agent(agentId).orElseThrow(() -> new CommandRejectedException(
                CommandRejectedException.Reason.UNKNOWN_AGENT,
                "no agent '" + agentId + "' is known" + knownAgents()));
        if (action.getKindCase() == Action.KindCase.KIND_NOT_SET) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID, "the command carries no action");
        }
        String actionName = ActionNames.of(action);
        if (!agent.getCapabilitiesList().contains(actionName)) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID,
                    "agent " + agentId + " does not carry out " + actionName + " (it carries out: " + String.join(", ", agent.getCapabilitiesList()) + ")");
        }
        Duration effectiveTimeout = timeout.orElse(defaultTimeout);
        if (effectiveTimeout.isNegative() || effectiveTimeout.isZero() || effectiveTimeout.compareTo(MAXIMUM_TIMEOUT) > 0) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID, "timeout must be between 0 and 24 h, got " + effectiveTimeout);
        }
        Instant now = clock.instant();
        CommandRecord record;
        synchronized (this) {
            if (get(commandId).isPresent()) {
                return get(commandId).get();
            }
            record = CommandRecord.newBuilder()
                    .setId(commandId)
                    .setAgentId(agentId)
                    .setActionName(actionName)
                    .setAction(action)
                    .setDryRun(dryRun)
                    .setRequestedBy(requestedBy)
                    .setState(CommandState.COMMAND_STATE_QUEUED)
                    .setCreatedAt(Timestamps.of(now))
                    .setDeadline(Timestamps.of(now.plus(effectiveTimeout)))
                    .addHistory(transition(CommandState.COMMAND_STATE_QUEUED, now, "queued by " + requestedBy))
                    .build();
            save(record);
            unfinished.computeIfAbsent(agentId, agent2 -> new TreeSet<>()).add(record.getId());
        }
        registry.session(agentId).ifPresent(session -> deliver(session, record.getId(), false));
        return get(record.getId()).orElse(record);
    }

    /**
     * A stream of this agent is up: send it every unfinished command, oldest first.
     */
    public void agentConnected(AgentSession session)
    {
        List<String> pending;
        synchronized (this) {
            pending = new ArrayList<>(unfinished.getOrDefault(session.agentId(), new TreeSet<>()));
        }
        for (String commandId : pending) {
            deliver(session, commandId, true);
        }
    }

    private void deliver(AgentSession session, String commandId, boolean again)
    {
        CommandRecord record;
        synchronized (this) {
            Optional<CommandRecord> current = get(commandId);
            if (current.isEmpty() || isFinished(current.get().getState())) {
                return;
            }
            record = current.get();
        }
        Command command = Command.newBuilder()
                .setId(record.getId())
                .setAction(record.getAction())
                .setDeadline(record.getDeadline())
                .setDryRun(record.getDryRun())
                .setRequestedBy(record.getRequestedBy())
                .build();
        if (!session.send(CoordinatorMessage.newBuilder().setCommand(command).build())) {
            return;
        }
        synchronized (this) {
            Optional<CommandRecord> current = get(commandId);
            if (current.isEmpty() || isFinished(current.get().getState())) {
                return;
            }
            CommandRecord latest = current.get();
            String detail = again ? "sent again after the agent reconnected" : "sent";
            if (latest.getState() == CommandState.COMMAND_STATE_QUEUED || latest.getState() == CommandState.COMMAND_STATE_SENT) {
                save(latest.toBuilder()
                        .setState(CommandState.COMMAND_STATE_SENT)
                        .addHistory(transition(CommandState.COMMAND_STATE_SENT, clock.instant(), detail))
                        .build());
            }
            else if (again) {
                // it ran before the reconnect: the re-send is noted, and the history does not go back to sent
                save(latest.toBuilder()
                        .addHistory(transition(latest.getState(), clock.instant(), detail))
                        .build());
            }
            // else the agent's ack overtook the record of this send: it is running already
        }
    }

    public void acknowledged(String agentId, String commandId)
    {
        synchronized (this) {
            Optional<CommandRecord> current = get(commandId);
            if (current.isEmpty() || !current.get().getAgentId().equals(agentId) || isFinished(current.get().getState())
                    || current.get().getState() == CommandState.COMMAND_STATE_RUNNING) {
                return;
            }
            save(current.get().toBuilder()
                    .setState(CommandState.COMMAND_STATE_RUNNING)
                    .addHistory(transition(CommandState.COMMAND_STATE_RUNNING, clock.instant(), "started by the agent"))
                    .build());
        }
    }

    /**
     * Records the agent's result. A result for a finished command (a replay after a reconnect)
     * or from another agent changes nothing.
     */
    public void resultArrived(String agentId, CommandResult result)
    {
        CommandRecord finished;
        List<CompletableFuture<CommandRecord>> toComplete;
        synchronized (this) {
            Optional<CommandRecord> current = get(result.getCommandId());
            if (current.isEmpty()) {
                log.warning("agent " + agentId + " sent a result for unknown command " + result.getCommandId());
                return;
            }
            if (!current.get().getAgentId().equals(agentId)) {
                log.warning("agent " + agentId + " sent a result for command " + result.getCommandId() + " of agent " + current.get().getAgentId() + "; ignored");
                return;
            }
            if (isFinished(current.get().getState())) {
                log.fine("command " + result.getCommandId() + " already finished; ignoring a repeated result");
                return;
            }
            CommandState state = stateOf(result);
            finished = current.get().toBuilder()
                    .setState(state)
                    .setResult(result)
                    .addHistory(transition(state, clock.instant(), result.getMessage()))
                    .build();
            save(finished);
            TreeSet<String> pending = unfinished.get(agentId);
            if (pending != null) {
                pending.remove(result.getCommandId());
            }
            toComplete = waiters.remove(result.getCommandId());
        }
        listener.finished(finished);
        if (toComplete != null) {
            toComplete.forEach(future -> future.complete(finished));
        }
    }

    /**
     * Marks queued commands whose deadline passed before they could be sent as expired: their
     * agent never got them, so nothing ran.
     */
    public int expireQueued()
    {
        Instant now = clock.instant();
        List<CommandRecord> expired = new ArrayList<>();
        Map<String, List<CompletableFuture<CommandRecord>>> toComplete = new HashMap<>();
        synchronized (this) {
            for (TreeSet<String> pending : unfinished.values()) {
                for (String commandId : List.copyOf(pending)) {
                    Optional<CommandRecord> current = get(commandId);
                    if (current.isPresent() && current.get().getState() == CommandState.COMMAND_STATE_QUEUED
                            && !now.isBefore(Timestamps.toInstant(current.get().getDeadline()))) {
                        CommandRecord record = current.get().toBuilder()
                                .setState(CommandState.COMMAND_STATE_EXPIRED)
                                .addHistory(transition(CommandState.COMMAND_STATE_EXPIRED, now, "the agent was not connected before the deadline"))
                                .build();
                        save(record);
                        pending.remove(commandId);
                        expired.add(record);
                        List<CompletableFuture<CommandRecord>> futures = waiters.remove(commandId);
                        if (futures != null) {
                            toComplete.put(commandId, futures);
                        }
                    }
                }
            }
        }
        for (CommandRecord record : expired) {
            listener.finished(record);
            toComplete.getOrDefault(record.getId(), List.of()).forEach(future -> future.complete(record));
        }
        return expired.size();
    }

    /**
     * Completes with the record once the command is finished (at once when it already is).
     */
    public CompletableFuture<CommandRecord> whenFinished(String commandId)
    {
        synchronized (this) {
            CommandRecord record = get(commandId).orElseThrow(() -> unknownCommand(commandId));
            if (isFinished(record.getState())) {
                return CompletableFuture.completedFuture(record);
            }
            CompletableFuture<CommandRecord> future = new CompletableFuture<>();
            waiters.computeIfAbsent(commandId, id -> new ArrayList<>()).add(future);
            return future;
        }
    }

    public Optional<CommandRecord> get(String commandId)
    {
        return store.get(PREFIX + commandId).map(CommandService::parse);
    }

    public CommandRecord require(String commandId)
    {
        return get(commandId).orElseThrow(() -> unknownCommand(commandId));
    }

    /**
     * Newest first.
     */
    public List<CommandRecord> list(Optional<String> agentId, int limit)
    {
        List<CommandRecord> result = new ArrayList<>();
        for (StoredRecord stored : store.list(PREFIX).records()) {
            CommandRecord record = parse(stored);
            if (record != null && (agentId.isEmpty() || agentId.get().equals(record.getAgentId()))) {
                result.add(record);
            }
        }
        Collections.reverse(result);
        return List.copyOf(result.subList(0, Math.min(limit, result.size())));
    }

    public synchronized int unfinishedCount()
    {
        int count = 0;
        for (TreeSet<String> pending : unfinished.values()) {
            count += pending.size();
        }
        return count;
    }

    private static CommandRejectedException unknownCommand(String commandId)
    {
        return new CommandRejectedException(CommandRejectedException.Reason.UNKNOWN_COMMAND, "no command '" + commandId + "'");
    }

    private String knownAgents()
    {
        List<String> names = registry.agents().stream().map(AgentInfo::getId).toList();
        return names.isEmpty() ? " (no agent has connected yet)" : " (known: " + String.join(", ", names) + ")";
    }

    private void save(CommandRecord record)
    {
        store.put(PREFIX + record.getId(), record.toByteArray());
    }

    private static CommandState stateOf(CommandResult result)
    {
        return switch (result.getOutcome()) {
            case OUTCOME_SUCCEEDED -> CommandState.COMMAND_STATE_SUCCEEDED;
            case OUTCOME_REJECTED -> CommandState.COMMAND_STATE_REJECTED;
            case OUTCOME_TIMED_OUT -> CommandState.COMMAND_STATE_TIMED_OUT;
            case OUTCOME_EXPIRED -> CommandState.COMMAND_STATE_EXPIRED;
            case OUTCOME_INTERRUPTED -> CommandState.COMMAND_STATE_INTERRUPTED;
            default -> CommandState.COMMAND_STATE_FAILED;
        };
    }

    private static CommandTransition transition(CommandState state, Instant at, String detail)
    {
        return CommandTransition.newBuilder().setState(state).setAt(Timestamps.of(at)).setDetail(detail).build();
    }

    private static CommandRecord parse(StoredRecord stored)
    {
        try {
            return CommandRecord.parseFrom(stored.value());
        }
        catch (InvalidProtocolBufferException e) {
            log.log(Level.WARNING, "skipping an unreadable command record " + stored.key(), e);
            return null;
        }
    }
}
