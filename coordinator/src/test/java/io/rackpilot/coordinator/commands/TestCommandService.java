package io.rackpilot.coordinator.commands;

import io.grpc.Status;
import io.rackpilot.coordinator.agents.AgentConnection;
import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.agents.AgentSession;
import io.rackpilot.coordinator.store.InMemoryStore;
import io.rackpilot.coordinator.testing.RecordingConnection;
import io.rackpilot.common.testing.TestingClock;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.CommandTransition;
import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.InventoryRefreshAction;
import io.rackpilot.proto.v1.Outcome;
import io.rackpilot.proto.v1.PingAction;
import io.rackpilot.proto.v1.Role;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCommandService
{
    private static final Action PING = Action.newBuilder().setPing(PingAction.newBuilder().setMessage("hi")).build();

    private final TestingClock clock = new TestingClock(Instant.parse("2026-11-24T12:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();
    private final AgentRegistry registry = new AgentRegistry(store, clock, Duration.ofSeconds(15));
    private final List<CommandRecord> finished = new ArrayList<>();

    @Test
    void aCommandIsStoredBeforeItIsSentAndSentWhenTheAgentIsConnected()
    {
        CommandService commands = service();
        RecordingConnection connection = new RecordingConnection();
        registry.connect(hello("k8s-node1"), "a", "", connection);

        CommandRecord record = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        assertThat(record.getState()).isEqualTo(CommandState.COMMAND_STATE_SENT);
        assertThat(record.getActionName()).isEqualTo("agent.ping");
        assertThat(record.getRequestedBy()).isEqualTo("admin/alice");
        assertThat(record.getDeadline().getSeconds()).isEqualTo(Instant.parse("2026-11-24T12:05:00Z").getEpochSecond());
        assertThat(connection.sent()).extracting(CoordinatorMessage::getCommand).extracting(io.rackpilot.proto.v1.Command::getId).containsExactly(record.getId());
        assertThat(commands.unfinishedCount()).isEqualTo(1);
    }

    @Test
    void unfinishedCommandsAreSentAgainAfterEveryReconnectUntilAResultArrives()
    {
        CommandService commands = service();
        AgentSession first = registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection());
        registry.disconnected(first, "gone");
        CommandRecord older = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        CommandRecord newer = commands.submit("k8s-node1", PING, true, Optional.empty(), "admin/alice");
        assertThat(commands.require(older.getId()).getState()).isEqualTo(CommandState.COMMAND_STATE_QUEUED);

        // A restarted coordinator: everything comes from the store.
        CommandService restarted = service();
        RecordingConnection connection = new RecordingConnection();
        AgentSession session = registry.connect(hello("k8s-node1"), "a", "", connection);
        restarted.agentConnected(session);
        assertThat(connection.sent()).extracting(message -> message.getCommand().getId()).containsExactly(older.getId(), newer.getId());
        assertThat(connection.sent().get(1).getCommand().getDryRun()).isTrue();

        restarted.acknowledged("k8s-node1", older.getId());
        restarted.resultArrived("k8s-node1", result(older.getId(), Outcome.OUTCOME_SUCCEEDED));
        RecordingConnection again = new RecordingConnection();
        restarted.agentConnected(registry.connect(hello("k8s-node1"), "a", "", again));
        assertThat(again.sent()).extracting(message -> message.getCommand().getId()).containsExactly(newer.getId());

        CommandRecord done = restarted.require(older.getId());
        assertThat(done.getHistoryList()).extracting(CommandTransition::getState).containsExactly(
                CommandState.COMMAND_STATE_QUEUED, CommandState.COMMAND_STATE_SENT, CommandState.COMMAND_STATE_RUNNING, CommandState.COMMAND_STATE_SUCCEEDED);
    }

    @Test
    void aHistoryNeverGoesBackWhenTheAckOvertakesTheSendOrTheAgentReconnectsWhileItRuns()
    {
        CommandService commands = service();
        // the agent's ack arrives (on the stream's thread) before the send is recorded
        AgentConnection ackingAtOnce = new AgentConnection()
        {
            @Override
            public boolean send(CoordinatorMessage message)
            {
                commands.acknowledged("k8s-node1", message.getCommand().getId());
                return true;
            }

            @Override
            public void close(Status status) {}
        };
        registry.connect(hello("k8s-node1"), "a", "", ackingAtOnce);
        CommandRecord overtaken = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        assertThat(commands.require(overtaken.getId()).getState()).isEqualTo(CommandState.COMMAND_STATE_RUNNING);

        // a reconnect while it runs: sent again, but it stays running and its history does not go back
        commands.agentConnected(registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection()));
        commands.resultArrived("k8s-node1", result(overtaken.getId(), Outcome.OUTCOME_SUCCEEDED));
        CommandRecord done = commands.require(overtaken.getId());
        assertThat(done.getHistoryList()).extracting(CommandTransition::getState).containsExactly(
                CommandState.COMMAND_STATE_QUEUED, CommandState.COMMAND_STATE_RUNNING, CommandState.COMMAND_STATE_RUNNING, CommandState.COMMAND_STATE_SUCCEEDED);
        assertThat(done.getHistoryList()).extracting(CommandTransition::getDetail).contains("sent again after the agent reconnected");
    }

    @Test
    void anInterruptedResultFinishesTheCommandAsInterrupted()
    {
        CommandService commands = service();
        registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection());
        CommandRecord record = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        commands.acknowledged("k8s-node1", record.getId());
        commands.resultArrived("k8s-node1", result(record.getId(), Outcome.OUTCOME_INTERRUPTED));
        CommandRecord stored = commands.require(record.getId());
        assertThat(stored.getState()).isEqualTo(CommandState.COMMAND_STATE_INTERRUPTED);
        assertThat(CommandService.isFinished(stored.getState())).isTrue();
        assertThat(commands.unfinishedCount()).isZero();
        assertThat(finished).extracting(CommandRecord::getId).containsExactly(record.getId());
    }

    @Test
    void aRepeatedResultIsIgnored()
    {
        CommandService commands = service();
        registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection());
        CommandRecord record = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        CompletableFuture<CommandRecord> waiting = commands.whenFinished(record.getId());
        assertThat(waiting).isNotDone();

        commands.resultArrived("k8s-node1", result(record.getId(), Outcome.OUTCOME_SUCCEEDED));
        commands.resultArrived("k8s-node1", result(record.getId(), Outcome.OUTCOME_FAILED).toBuilder().setReplayed(true).build());

        CommandRecord stored = commands.require(record.getId());
        assertThat(stored.getState()).isEqualTo(CommandState.COMMAND_STATE_SUCCEEDED);
        assertThat(stored.getResult().getReplayed()).isFalse();
        assertThat(waiting).isCompletedWithValueMatching(value -> value.getState() == CommandState.COMMAND_STATE_SUCCEEDED);
        assertThat(finished).hasSize(1);
        assertThat(commands.unfinishedCount()).isZero();
    }

    @Test
    void aResultFromAnotherAgentIsIgnored()
    {
        CommandService commands = service();
        registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection());
        CommandRecord record = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        commands.resultArrived("k8s-node2", result(record.getId(), Outcome.OUTCOME_SUCCEEDED));
        assertThat(commands.require(record.getId()).getState()).isEqualTo(CommandState.COMMAND_STATE_SENT);
    }

    @Test
    void queuedCommandsExpireAtTheirDeadline()
    {
        CommandService commands = service();
        AgentSession session = registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection());
        registry.disconnected(session, "gone");
        CommandRecord record = commands.submit("k8s-node1", PING, false, Optional.of(Duration.ofSeconds(30)), "admin/alice");
        assertThat(commands.expireQueued()).isZero();
        clock.advance(Duration.ofSeconds(30));
        assertThat(commands.expireQueued()).isEqualTo(1);
        assertThat(commands.require(record.getId()).getState()).isEqualTo(CommandState.COMMAND_STATE_EXPIRED);
        assertThat(finished).extracting(CommandRecord::getId).containsExactly(record.getId());
    }

    @Test
    void refusesWhatCannotBeCarriedOut()
    {
        CommandService commands = service();
        assertThatThrownBy(() -> commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice"))
                .hasMessage("no agent 'k8s-node1' is known (no agent has connected yet)");
        registry.connect(Hello.newBuilder().setAgentId("k8s-node1").setRole(Role.ROLE_NODE).addCapabilities("agent.ping").build(), "a", "", new RecordingConnection());
        assertThatThrownBy(() -> commands.submit("k8s-node1", Action.getDefaultInstance(), false, Optional.empty(), "admin/alice"))
                .hasMessage("the command carries no action");
        assertThatThrownBy(() -> commands.submit("k8s-node1", Action.newBuilder().setInventoryRefresh(InventoryRefreshAction.getDefaultInstance()).build(), false, Optional.empty(), "admin/alice"))
                .hasMessage("agent k8s-node1 does not carry out inventory.refresh (it carries out: agent.ping)");
        assertThatThrownBy(() -> commands.submit("k8s-node1", PING, false, Optional.of(Duration.ZERO), "admin/alice"))
                .hasMessageContaining("timeout must be between 0 and 24 h");
        assertThatThrownBy(() -> commands.require("nope")).hasMessage("no command 'nope'");
        assertThat(commands.list(Optional.empty(), 10)).isEmpty();
    }

    @Test
    void listsNewestFirst()
    {
        CommandService commands = service();
        registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection());
        registry.connect(hello("k8s-node2"), "a", "", new RecordingConnection());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(commands.submit(i % 2 == 0 ? "k8s-node1" : "k8s-node2", PING, false, Optional.empty(), "admin/alice").getId());
            clock.advance(Duration.ofMillis(1));
        }
        assertThat(commands.list(Optional.empty(), 3)).extracting(CommandRecord::getId).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        assertThat(commands.list(Optional.of("k8s-node2"), 10)).extracting(CommandRecord::getId).containsExactly(ids.get(3), ids.get(1));
    }

    @Test
    void anActionTooLargeToStoreIsRefusedNamingTheFieldAndTheLimitAndNothingIsStored()
    {
        CommandService commands = service();
        RecordingConnection connection = new RecordingConnection();
        registry.connect(hello("k8s-node1"), "a", "", connection);
        Action huge = Action.newBuilder().setPing(PingAction.newBuilder().setMessage("x".repeat(600 * 1024))).build();

        assertThatThrownBy(() -> commands.submit("k8s-node1", huge, false, Optional.empty(), "admin/alice"))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.reason()).isEqualTo(CommandRejectedException.Reason.INVALID))
                .hasMessage("action: agent.ping is " + huge.getSerializedSize() + " bytes, the limit is 262144 bytes (256 KiB)");
        assertThatThrownBy(() -> commands.submitOnce("request-1", "k8s-node1", huge, false, Optional.empty(), "admin/alice"))
                .hasMessageStartingWith("action: agent.ping is ");
        assertThat(store.list("").records()).extracting(io.rackpilot.coordinator.store.StoredRecord::key).containsExactly("agents/k8s-node1");
        assertThat(connection.sent()).isEmpty();
    }

    @Test
    void aResultTooLargeToStoreFailsTheCommandAndTheAgentsOtherCommandsGoOn()
    {
        CommandService commands = service();
        RecordingConnection connection = new RecordingConnection();
        registry.connect(hello("k8s-node1"), "a", "", connection);
        CommandRecord big = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        CommandRecord next = commands.submit("k8s-node1", PING, false, Optional.empty(), "admin/alice");
        CompletableFuture<CommandRecord> waiting = commands.whenFinished(big.getId());

        CommandResult oversized = result(big.getId(), Outcome.OUTCOME_SUCCEEDED).toBuilder()
                .setChanged(true)
                .setResult(io.rackpilot.proto.v1.ActionResult.newBuilder().setPing(io.rackpilot.proto.v1.PingResult.newBuilder().setMessage("y".repeat(2 * 1024 * 1024))))
                .build();
        commands.resultArrived("k8s-node1", oversized);

        CommandRecord failed = commands.require(big.getId());
        assertThat(failed.getState()).isEqualTo(CommandState.COMMAND_STATE_FAILED);
        assertThat(failed.getResult().getMessage())
                .startsWith("the agent's result is too large to store: the command's record would be ")
                .contains("the limit is 1048576 bytes; the agent reported succeeded with changes: done");
        assertThat(failed.getResult().hasResult()).isFalse();
        assertThat(failed.getHistoryList()).extracting(CommandTransition::getState).last().isEqualTo(CommandState.COMMAND_STATE_FAILED);
        assertThat(waiting).isCompletedWithValueMatching(record -> record.getState() == CommandState.COMMAND_STATE_FAILED);

        commands.resultArrived("k8s-node1", result(next.getId(), Outcome.OUTCOME_SUCCEEDED));
        assertThat(commands.require(next.getId()).getState()).isEqualTo(CommandState.COMMAND_STATE_SUCCEEDED);
        assertThat(commands.unfinishedCount()).isZero();
    }

    @Test
    void aCommandPastItsDeadlineIsNotSentForever()
    {
        CommandService commands = service();
        RecordingConnection first = new RecordingConnection();
        registry.connect(hello("k8s-node1"), "a", "", first);
        CommandRecord record = commands.submit("k8s-node1", PING, false, Optional.of(Duration.ofSeconds(30)), "admin/alice");
        clock.advance(Duration.ofMinutes(1));

        int sends = 0;
        for (int reconnect = 0; reconnect < 10; reconnect++) {
            RecordingConnection connection = new RecordingConnection();
            // A restarted coordinator each time: the count of sends comes from the store.
            service().agentConnected(registry.connect(hello("k8s-node1"), "a", "", connection));
            sends += connection.sent().size();
            clock.advance(Duration.ofMillis(200));
        }

        assertThat(sends).isEqualTo(3);
        CommandRecord failed = service().require(record.getId());
        assertThat(failed.getState()).isEqualTo(CommandState.COMMAND_STATE_FAILED);
        assertThat(failed.getHistory(failed.getHistoryCount() - 1).getDetail())
                .startsWith("given up: sent 3 times after its deadline 2026-11-24T12:00:30Z and no result was recorded")
                .contains("audit log for command=" + record.getId());
        assertThat(finished).extracting(CommandRecord::getId).contains(record.getId());
    }

    @Test
    void theSameRequestIdNeverMakesASecondCommandEvenAfterARestart()
    {
        CommandService commands = service();
        RecordingConnection connection = new RecordingConnection();
        registry.connect(hello("k8s-node1"), "a", "", connection);

        CommandRecord first = commands.submitOnce("4a1c7e0e-request", "k8s-node1", PING, false, Optional.empty(), "admin/alice");
        CommandRecord again = commands.submitOnce("4a1c7e0e-request", "k8s-node1", PING, false, Optional.empty(), "admin/alice");
        CommandRecord afterRestart = service().submitOnce("4a1c7e0e-request", "k8s-node1", PING, false, Optional.empty(), "admin/alice");

        assertThat(again.getId()).isEqualTo(first.getId());
        assertThat(afterRestart.getId()).isEqualTo(first.getId());
        assertThat(first.getRequestId()).isEqualTo("4a1c7e0e-request");
        assertThat(commands.list(Optional.empty(), 10)).hasSize(1);
        assertThat(connection.sent()).hasSize(1);

        CommandRecord other = commands.submitOnce("another-request", "k8s-node1", PING, false, Optional.empty(), "admin/alice");
        assertThat(other.getId()).isNotEqualTo(first.getId());
    }

    @Test
    void aRequestIdUsedForAnotherActionIsRefusedNamingTheCommand()
    {
        CommandService commands = service();
        registry.connect(hello("k8s-node1"), "a", "", new RecordingConnection());
        CommandRecord first = commands.submitOnce("request-7", "k8s-node1", PING, false, Optional.empty(), "admin/alice");
        Action refresh = Action.newBuilder().setInventoryRefresh(InventoryRefreshAction.getDefaultInstance()).build();

        assertThatThrownBy(() -> commands.submitOnce("request-7", "k8s-node1", refresh, false, Optional.empty(), "admin/alice"))
                .isInstanceOf(CommandRejectedException.class)
                .hasMessage("request_id request-7 was already used for command " + first.getId() + " (agent.ping on k8s-node1), not inventory.refresh on k8s-node1:"
                        + " a retry sends the same request again; a new command needs a new request id");
        assertThatThrownBy(() -> commands.submitOnce("with space", "k8s-node1", PING, false, Optional.empty(), "admin/alice"))
                .hasMessage("request_id may hold printable ASCII without spaces only, got U+0020 at index 4");
        assertThatThrownBy(() -> commands.submitOnce("r".repeat(129), "k8s-node1", PING, false, Optional.empty(), "admin/alice"))
                .hasMessage("request_id must be 1 to 128 characters, got 129");
        assertThat(commands.list(Optional.empty(), 10)).hasSize(1);
    }

    @Test
    void aHostActionIsNeverSentToANodeAgentWhateverItsHelloLists()
    {
        CommandService commands = service();
        RecordingConnection connection = new RecordingConnection();
        registry.connect(Hello.newBuilder().setAgentId("k8s-node1").setRole(Role.ROLE_NODE)
                .addCapabilities("agent.ping").addCapabilities("vm.shutdown").addCapabilities("pci.driver.bind").build(), "a", "", connection);
        Action shutdown = Action.newBuilder().setVmShutdown(io.rackpilot.proto.v1.VmShutdownAction.newBuilder().setVmid(201)).build();

        assertThatThrownBy(() -> commands.submit("k8s-node1", shutdown, false, Optional.empty(), "admin/alice"))
                .isInstanceOfSatisfying(CommandRejectedException.class, e -> assertThat(e.reason()).isEqualTo(CommandRejectedException.Reason.WRONG_ROLE))
                .hasMessage("vm.shutdown is a host action; agent k8s-node1 is a node-agent (by its certificate) and never receives it, whatever its Hello lists");
        assertThat(registry.agent("k8s-node1").orElseThrow().getCapabilitiesList()).containsExactly("agent.ping");
        assertThat(connection.sent()).isEmpty();
        assertThat(commands.list(Optional.empty(), 10)).isEmpty();
    }

    private CommandService service()
    {
        return new CommandService(store, registry, clock, Duration.ofMinutes(5), finished::add);
    }

    private static Hello hello(String id)
    {
        return Hello.newBuilder().setAgentId(id).setRole(Role.ROLE_NODE).addCapabilities("agent.ping").addCapabilities("inventory.refresh").build();
    }

    private static CommandResult result(String commandId, Outcome outcome)
    {
        return CommandResult.newBuilder().setCommandId(commandId).setOutcome(outcome).setMessage("done").build();
    }
}
