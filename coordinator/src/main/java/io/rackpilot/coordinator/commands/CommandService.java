package io.rackpilot.coordinator.commands;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.common.protocol.ActionTargets;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.agents.AgentSession;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoreLimits;
import io.rackpilot.coordinator.store.StoredRecord;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.CommandTransition;
import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Role;

import java.nio.charset.StandardCharsets;
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
    static final String REQUESTS_PREFIX = "command-requests/";
    /** The largest action a command may carry, serialized: its record, with the result, must fit the store. */
    public static final int MAX_ACTION_BYTES = 256 * 1024;
    /** The longest request id a client may send. */
    public static final int MAX_REQUEST_ID_LENGTH = 128;
    private static final String SENT_AGAIN = "sent again after the agent reconnected";

    /** How often an unfinished command is sent again after its deadline before it is given up. */
    static final int MAX_SENDS_AFTER_DEADLINE = 3;
    /** How much of an agent's message is kept when its result is too large to store. */
    private static final int KEPT_MESSAGE_CHARACTERS = 200;

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
        return create(commandId, "", agentId, action, dryRun, timeout, requestedBy);
    }

    /**
     * Submits a command under a client's request id: the first call with an id stores and sends the
     * command; every later call with that id (a client retrying after UNAVAILABLE, or after a
     * coordinator restart) answers that command and sends nothing. The id is kept in the store
     * before the command is, so it holds across a crash between the two.
     *
     * @throws CommandRejectedException naming the command when the id was used for another agent or action
     */
    public CommandRecord submitOnce(String requestId, String agentId, Action action, boolean dryRun, Optional<Duration> timeout, String requestedBy)
    {
        checkRequestId(requestId);
        String key = REQUESTS_PREFIX + requestId;
        Optional<String> known = store.get(key).map(stored -> new String(stored.value(), StandardCharsets.US_ASCII));
        if (known.isPresent()) {
            Optional<CommandRecord> existing = get(known.get());
            if (existing.isPresent()) {
                CommandRecord first = existing.get();
                if (!first.getAgentId().equals(agentId) || !first.getAction().equals(action) || first.getDryRun() != dryRun) {
                    throw new CommandRejectedException(CommandRejectedException.Reason.INVALID,
                            "request_id " + requestId + " was already used for command " + first.getId() + " (" + first.getActionName()
                                    + (first.getDryRun() ? " (dry run)" : "") + " on " + first.getAgentId() + "), not " + ActionNames.of(action)
                                    + (dryRun ? " (dry run)" : "") + " on " + agentId + ": a retry sends the same request again; a new command needs a new request id");
                }
                return first;
            }
        }
        checkSubmission(agentId, action, timeout);
        String commandId = known.orElseGet(() -> {
            String fresh = ids.next();
            return store.putIfModRevision(key, fresh.getBytes(StandardCharsets.US_ASCII), 0).isPresent()
                    ? fresh
                    // a concurrent call with the same id won: use its command id
                    : new String(store.get(key).orElseThrow().value(), StandardCharsets.US_ASCII);
        });
        Optional<CommandRecord> raced = get(commandId);
        if (raced.isPresent()) {
            return raced.get();
        }
        return create(commandId, requestId, agentId, action, dryRun, timeout, requestedBy);
    }

    private static void checkRequestId(String requestId)
    {
        requireNonNull(requestId, "requestId is null");
        if (requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID_LENGTH) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID,
                    "request_id must be 1 to " + MAX_REQUEST_ID_LENGTH + " characters, got " + requestId.length());
        }
        for (int index = 0; index < requestId.length(); index++) {
            char character = requestId.charAt(index);
            if (character <= 0x20 || character > 0x7E) {
                throw new CommandRejectedException(CommandRejectedException.Reason.INVALID,
                        String.format("request_id may hold printable ASCII without spaces only, got U+%04X at index %s", (int) character, index));
            }
        }
    }

    /**
     * Refuses what cannot be queued: an unknown agent, no action, an action too large to store, an
     * action the agent's certificate role does not receive or its Hello did not list, a bad timeout.
     */
    private AgentInfo checkSubmission(String agentId, Action action, Optional<Duration> timeout)
    {
        requireNonNull(agentId, "agentId is null");
        requireNonNull(action, "action is null");
        AgentInfo agent = registry.agent(agentId).orElseThrow(() -> new CommandRejectedException(
                CommandRejectedException.Reason.UNKNOWN_AGENT,
                "no agent '" + agentId + "' is known" + knownAgents()));
        if (action.getKindCase() == Action.KindCase.KIND_NOT_SET) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID, "the command carries no action");
        }
        String actionName = ActionNames.of(action);
        int actionBytes = action.getSerializedSize();
        if (actionBytes > MAX_ACTION_BYTES) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID,
                    "action: " + actionName + " is " + actionBytes + " bytes, the limit is " + MAX_ACTION_BYTES + " bytes (256 KiB)");
        }
        // The role is the certificate's: a Hello whose role differs from its certificate is refused.
        if (!ActionTargets.allows(action.getKindCase(), agent.getRole())) {
            throw new CommandRejectedException(CommandRejectedException.Reason.WRONG_ROLE,
                    actionName + " is " + ActionTargets.describe(action.getKindCase()) + "; agent " + agentId + " is a " + roleName(agent.getRole())
                            + "-agent (by its certificate) and never receives it, whatever its Hello lists");
        }
        if (!agent.getCapabilitiesList().contains(actionName)) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID,
                    "agent " + agentId + " does not carry out " + actionName + " (it carries out: " + String.join(", ", agent.getCapabilitiesList()) + ")");
        }
        Duration effectiveTimeout = timeout.orElse(defaultTimeout);
        if (effectiveTimeout.isNegative() || effectiveTimeout.isZero() || effectiveTimeout.compareTo(MAXIMUM_TIMEOUT) > 0) {
            throw new CommandRejectedException(CommandRejectedException.Reason.INVALID, "timeout must be between 0 and 24 h, got " + effectiveTimeout);
        }
        return agent;
    }

    private static String roleName(Role role)
    {
        return switch (role) {
            case ROLE_HOST -> "host";
            case ROLE_NODE -> "node";
            default -> "unknown";
        };
    }

    private CommandRecord create(String commandId, String requestId, String agentId, Action action, boolean dryRun, Optional<Duration> timeout, String requestedBy)
    {
        checkSubmission(agentId, action, timeout);
        String actionName = ActionNames.of(action);
        Duration effectiveTimeout = timeout.orElse(defaultTimeout);
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
                    .setRequestId(requestId)
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
            if (!givenUpAfterDeadline(commandId)) {
                deliver(session, commandId, true);
            }
        }
    }

    /**
     * Ends a command that was sent {@value #MAX_SENDS_AFTER_DEADLINE} times after its deadline and
     * still has no result (one that could not be recorded, say), so that it is not sent forever.
     * An agent answers a command past its deadline at once (from its journal, or as expired), so
     * this happens only when its answers do not get through.
     */
    private boolean givenUpAfterDeadline(String commandId)
    {
        CommandRecord failed;
        List<CompletableFuture<CommandRecord>> toComplete;
        synchronized (this) {
            Optional<CommandRecord> current = get(commandId);
            if (current.isEmpty() || isFinished(current.get().getState())) {
                return false;
            }
            Instant deadline = Timestamps.toInstant(current.get().getDeadline());
            long sendsAfterDeadline = current.get().getHistoryList().stream()
                    .filter(step -> isSend(step) && !Timestamps.toInstant(step.getAt()).isBefore(deadline))
                    .count();
            if (sendsAfterDeadline < MAX_SENDS_AFTER_DEADLINE) {
                return false;
            }
            String detail = "given up: sent " + sendsAfterDeadline + " times after its deadline " + deadline + " and no result was recorded;"
                    + " the agent may have run it (see its audit log for command=" + commandId + ")";
            failed = current.get().toBuilder()
                    .setState(CommandState.COMMAND_STATE_FAILED)
                    .addHistory(transition(CommandState.COMMAND_STATE_FAILED, clock.instant(), detail))
                    .build();
            save(failed);
            TreeSet<String> pending = unfinished.get(failed.getAgentId());
            if (pending != null) {
                pending.remove(commandId);
            }
            toComplete = waiters.remove(commandId);
        }
        log.warning("command " + commandId + " for " + failed.getAgentId() + " failed: " + failed.getHistory(failed.getHistoryCount() - 1).getDetail());
        listener.finished(failed);
        if (toComplete != null) {
            toComplete.forEach(future -> future.complete(failed));
        }
        return true;
    }

    /** A send in a command's history: the move to sent, or a re-send noted under running. */
    private static boolean isSend(CommandTransition step)
    {
        return step.getState() == CommandState.COMMAND_STATE_SENT || step.getDetail().equals(SENT_AGAIN);
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
            String detail = again ? SENT_AGAIN : "sent";
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
            finished = storable(current.get(), current.get().toBuilder()
                    .setState(state)
                    .setResult(result)
                    .addHistory(transition(state, clock.instant(), result.getMessage()))
                    .build());
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

    /**
     * The finished record as it can be stored: when the agent's result makes it larger than the
     * store takes, the command fails with a message saying so, keeping what the agent reported but
     * its typed result (and its message, shortened), so that its stream and its other commands go on.
     */
    private static CommandRecord storable(CommandRecord before, CommandRecord finished)
    {
        int size = finished.getSerializedSize();
        if (size <= StoreLimits.MAX_VALUE_BYTES) {
            return finished;
        }
        CommandResult result = finished.getResult();
        String agentMessage = result.getMessage().length() > KEPT_MESSAGE_CHARACTERS
                ? result.getMessage().substring(0, KEPT_MESSAGE_CHARACTERS) + "..."
                : result.getMessage();
        String message = "the agent's result is too large to store: the command's record would be " + size + " bytes, the limit is "
                + StoreLimits.MAX_VALUE_BYTES + " bytes; the agent reported " + result.getOutcome().name().replaceFirst("^OUTCOME_", "").toLowerCase(java.util.Locale.ROOT)
                + (result.getChanged() ? " with changes" : "") + ": " + agentMessage;
        log.warning("command " + finished.getId() + " of " + finished.getAgentId() + " failed: " + message);
        return before.toBuilder()
                .setState(CommandState.COMMAND_STATE_FAILED)
                .setResult(result.toBuilder().clearResult().setOutcome(io.rackpilot.proto.v1.Outcome.OUTCOME_FAILED).setMessage(message))
                .addHistory(transition(CommandState.COMMAND_STATE_FAILED, Timestamps.toInstant(finished.getHistory(finished.getHistoryCount() - 1).getAt()), message))
                .build();
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
