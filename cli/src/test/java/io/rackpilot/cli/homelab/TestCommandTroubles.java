package io.rackpilot.cli.homelab;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.coordinator.store.SqliteStore;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandAck;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.Outcome;
import io.rackpilot.proto.v1.PingAction;
import io.rackpilot.proto.v1.PingResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What goes wrong around a command, over real mTLS on loopback: an agent that drops mid-command,
 * messages too large for the store or for gRPC, a full disk, a host action for a node-agent, a
 * retried submit.
 */
class TestCommandTroubles
{
    private TestHomelab homelab;

    @BeforeEach
    void setUp()
            throws Exception
    {
        homelab = new TestHomelab();
        homelab.startCoordinator();
    }

    @AfterEach
    void tearDown()
    {
        homelab.close();
    }

    @Test
    void execWaitSaysWhatHappenedWhenTheAgentDropsMidCommand()
            throws Exception
    {
        try (RawAgentStream agent = RawAgentStream.connectNode(homelab, "k8s-node1", "agent.ping")) {
            CompletableFuture<TestHomelab.RackctlResult> exec = CompletableFuture.supplyAsync(() ->
                    homelab.rackctl("exec", "k8s-node1", "agent.ping", "--set", "message=hi", "--wait", "--timeout", "1s"));
            Command command = agent.awaitCommand(1);
            agent.send(AgentMessage.newBuilder().setCommandAck(CommandAck.newBuilder().setCommandId(command.getId())).build());
            TestHomelab.awaitCondition("running", () -> homelab.coordinator().commands().require(command.getId()).getState() == CommandState.COMMAND_STATE_RUNNING);
            agent.drop();

            TestHomelab.RackctlResult result = exec.get(60, TimeUnit.SECONDS);
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.out()).contains("State:      running");
            assertThat(result.err()).startsWith("rackctl: k8s-node1 disconnected while command " + command.getId() + " was running (last seen ")
                    .contains("and no result has arrived; the coordinator sends it again when k8s-node1 reconnects, and the agent answers from its journal without running it twice")
                    .endsWith("; follow it with: rackctl command " + command.getId() + " --wait\n");
        }
    }

    @Test
    void anActionTooLargeIsRefusedBeforeAnythingIsStored()
            throws Exception
    {
        try (RawAgentStream agent = RawAgentStream.connectNode(homelab, "k8s-node1", "agent.ping");
                Channel channel = new Channel(homelab.controlChannel())) {
            ControlClient client = TestHomelab.control(channel.channel());
            for (int size : new int[] {600 * 1024, 1536 * 1024, 3 * 1024 * 1024}) {
                Action action = ping(size);
                assertThatThrownBy(() -> client.submit("k8s-node1", action, false, Optional.empty(), Optional.empty()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                            assertThat(e.getStatus().getDescription()).isEqualTo("action: agent.ping is " + action.getSerializedSize() + " bytes, the limit is 262144 bytes (256 KiB)");
                        });
            }
            assertThat(client.commands(Optional.empty(), 100)).isEmpty();
            assertThat(agent.commands()).isEmpty();

            TestHomelab.RackctlResult exec = homelab.rackctl("exec", "k8s-node1", "agent.ping", "--set", "message=" + "x".repeat(300 * 1024));
            assertThat(exec.exitCode()).isEqualTo(2);
            assertThat(exec.err()).startsWith("rackctl: action: agent.ping is ").contains("the limit is 262144 bytes (256 KiB)");
        }
    }

    @Test
    void aRequestLargerThanTheCoordinatorTakesIsRefusedWithResourceExhausted()
            throws Exception
    {
        try (RawAgentStream agent = RawAgentStream.connectNode(homelab, "k8s-node1", "agent.ping");
                Channel channel = new Channel(homelab.controlChannel())) {
            ControlClient client = TestHomelab.control(channel.channel());
            Action action = ping(5 * 1024 * 1024);
            assertThatThrownBy(() -> client.submit("k8s-node1", action, false, Optional.empty(), Optional.empty()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                        assertThat(e.getStatus().getDescription()).startsWith("gRPC message exceeds maximum size 4194304: ");
                    });
            assertThat(client.commands(Optional.empty(), 100)).isEmpty();

            TestHomelab.RackctlResult exec = homelab.rackctl("exec", "k8s-node1", "agent.ping", "--set", "message=" + "x".repeat(5 * 1024 * 1024));
            assertThat(exec.exitCode()).isEqualTo(1);
            assertThat(exec.err()).startsWith("rackctl: the request is larger than the coordinator takes (gRPC message exceeds maximum size 4194304: ")
                    .endsWith(" bytes; its limit is maxMessageBytes in its configuration)\n");
            assertThat(agent.closed).as("the agent's stream is not affected").isNotDone();
        }
    }

    @Test
    void aResultTooLargeToStoreFailsTheCommandAndTheStreamStaysUp()
            throws Exception
    {
        // heartbeats wait behind the large message on the stream: give it time on a busy machine
        homelab.coordinator().close();
        homelab.startCoordinator(Duration.ofSeconds(5));
        try (RawAgentStream agent = RawAgentStream.connectNode(homelab, "k8s-node1", "agent.ping");
                Channel channel = new Channel(homelab.controlChannel())) {
            ControlClient client = TestHomelab.control(channel.channel());
            CommandRecord big = client.submit("k8s-node1", ping(10), false, Optional.empty(), Optional.empty());
            Command first = agent.awaitCommand(1);
            agent.send(AgentMessage.newBuilder().setCommandResult(CommandResult.newBuilder()
                    .setCommandId(first.getId())
                    .setOutcome(Outcome.OUTCOME_SUCCEEDED)
                    .setMessage("pong")
                    .setResult(ActionResult.newBuilder().setPing(PingResult.newBuilder().setMessage("y".repeat(1100 * 1024)))))
                    .build());

            CommandRecord failed = client.command(big.getId(), Optional.of(Duration.ofSeconds(20)));
            assertThat(failed.getState()).isEqualTo(CommandState.COMMAND_STATE_FAILED);
            assertThat(failed.getResult().getMessage()).startsWith("the agent's result is too large to store: the command's record would be ")
                    .endsWith("the limit is 1048576 bytes; the agent reported succeeded: pong");

            CommandRecord next = client.submit("k8s-node1", ping(10), false, Optional.empty(), Optional.empty());
            Command second = agent.awaitCommand(2);
            assertThat(second.getId()).isEqualTo(next.getId());
            agent.send(AgentMessage.newBuilder().setCommandResult(CommandResult.newBuilder().setCommandId(second.getId()).setOutcome(Outcome.OUTCOME_SUCCEEDED).setMessage("pong")).build());
            assertThat(client.command(next.getId(), Optional.of(Duration.ofSeconds(20))).getState()).isEqualTo(CommandState.COMMAND_STATE_SUCCEEDED);
            assertThat(agent.closed).as("the stream stayed up").isNotDone();
            assertThat(agent.commands()).as("nothing was sent twice").hasSize(2);
        }
    }

    @Test
    void aFullDiskReachesRackctlAsSuch()
            throws Exception
    {
        try (RawAgentStream agent = RawAgentStream.connectNode(homelab, "k8s-node1", "agent.ping")) {
            SqliteStore store = (SqliteStore) homelab.coordinator().store();
            store.limitPages(1);
            try {
                TestHomelab.RackctlResult exec = homelab.rackctl("exec", "k8s-node1", "agent.ping", "--set", "message=" + "x".repeat(100 * 1024));
                assertThat(exec.exitCode()).isEqualTo(1);
                assertThat(exec.err()).startsWith("rackctl: the coordinator's disk is full (cannot write state file ")
                        .contains(": the disk is full (")
                        .contains("free space on the file system of its state directory, then try again");
                assertThat(agent.commands()).isEmpty();
            }
            finally {
                store.limitPages(Integer.MAX_VALUE);
            }
        }
    }

    @Test
    void aHostActionIsRefusedForANodeCertificateWhateverItsHelloLists()
            throws Exception
    {
        try (RawAgentStream agent = RawAgentStream.connectNode(homelab, "k8s-node1", "agent.ping", "vm.shutdown", "pci.driver.bind")) {
            TestHomelab.RackctlResult exec = homelab.rackctl("exec", "k8s-node1", "vm.shutdown", "--set", "vmid=201");
            assertThat(exec.exitCode()).isEqualTo(2);
            assertThat(exec.err()).isEqualTo("rackctl: vm.shutdown is a host action; agent k8s-node1 is a node-agent (by its certificate) and never receives it, whatever its Hello lists\n");
            TestHomelab.RackctlResult agents = homelab.rackctl("agents", "-o", "json");
            assertThat(TestHomelab.json(agents.out()).get(0).get("capabilities").toString()).isEqualTo("[\"agent.ping\"]");
            assertThat(agent.commands()).isEmpty();
        }
    }

    @Test
    void theSameRequestIdAnswersTheSameCommand()
            throws Exception
    {
        try (RawAgentStream agent = RawAgentStream.connectNode(homelab, "k8s-node1", "agent.ping");
                Channel channel = new Channel(homelab.controlChannel())) {
            ControlClient client = TestHomelab.control(channel.channel());
            CommandRecord first = client.submit("9b2f6f0e-3c55-4a36-9d07-0f1d3f5b8a11", "k8s-node1", ping(10), false, Optional.empty(), Optional.empty());
            CommandRecord retried = client.submit("9b2f6f0e-3c55-4a36-9d07-0f1d3f5b8a11", "k8s-node1", ping(10), false, Optional.empty(), Optional.empty());
            assertThat(retried.getId()).isEqualTo(first.getId());
            assertThat(retried.getRequestId()).isEqualTo("9b2f6f0e-3c55-4a36-9d07-0f1d3f5b8a11");

            homelab.coordinator().kill();
            homelab.startCoordinator();
            try (Channel again = new Channel(homelab.controlChannel())) {
                CommandRecord afterRestart = TestHomelab.control(again.channel())
                        .submit("9b2f6f0e-3c55-4a36-9d07-0f1d3f5b8a11", "k8s-node1", ping(10), false, Optional.empty(), Optional.empty());
                assertThat(afterRestart.getId()).isEqualTo(first.getId());
                assertThat(TestHomelab.control(again.channel()).commands(Optional.empty(), 100)).hasSize(1);
            }
        }
    }

    private static Action ping(int size)
    {
        return Action.newBuilder().setPing(PingAction.newBuilder().setMessage("x".repeat(size))).build();
    }

    record Channel(ManagedChannel channel)
            implements AutoCloseable
    {
        @Override
        public void close()
        {
            channel.shutdownNow();
        }
    }
}
