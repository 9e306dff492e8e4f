package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.CommandTransition;
import io.rackpilot.proto.v1.PingAction;
import io.rackpilot.proto.v1.PingResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole pipeline on loopback with mTLS: agents register and report, rackctl sees them,
 * commands run once whatever happens to the coordinator.
 */
class TestAgentsAndCommands
{
    private static final ObjectMapper JSON = new ObjectMapper();

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
    void bothAgentsRegisterAndReportAndRackctlShowsThem()
            throws Exception
    {
        homelab.startAgent(AgentKind.HOST, "pve");
        homelab.startAgent(AgentKind.NODE, "k8s-node1");
        homelab.awaitConnected("pve", "k8s-node1");
        TestHomelab.awaitCondition("inventories", () -> homelab.rackctl("inventory", "k8s-node1").exitCode() == 0
                && homelab.rackctl("inventory", "pve").exitCode() == 0);

        TestHomelab.RackctlResult agents = homelab.rackctl("agents", "-o", "json");
        assertThat(agents.exitCode()).as(agents.err()).isZero();
        JsonNode list = JSON.readTree(agents.out());
        assertThat(list).hasSize(2);
        JsonNode host = list.get(0);
        assertThat(host.get("id").asText()).isEqualTo("pve");
        assertThat(host.get("role").asText()).isEqualTo("host");
        assertThat(host.get("state").asText()).isEqualTo("connected");
        assertThat(host.get("version").asText()).isNotEmpty();
        assertThat(Instant.parse(host.get("lastSeen").asText())).isAfter(Instant.now().minusSeconds(60));
        assertThat(host.get("metricsUrl").asText()).isEqualTo("http://127.0.0.1:" + homelab.agent("pve").metricsPort() + "/metrics");
        assertThat(list.get(1).get("id").asText()).isEqualTo("k8s-node1");
        assertThat(list.get(1).get("role").asText()).isEqualTo("node");

        TestHomelab.RackctlResult table = homelab.rackctl("agents");
        assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("ID").contains("ROLE", "STATE", "LAST SEEN");
        assertThat(table.out()).contains("k8s-node1").contains("connected");

        TestHomelab.RackctlResult inventory = homelab.rackctl("inventory", "k8s-node1", "-o", "json");
        assertThat(inventory.exitCode()).as(inventory.err()).isZero();
        JsonNode snapshot = JSON.readTree(inventory.out());
        assertThat(snapshot.get("agentId").asText()).isEqualTo("k8s-node1");
        assertThat(snapshot.at("/cpu/logicalCores").asInt()).isEqualTo(logicalCoresOfThisMachine());
        assertThat(snapshot.at("/memory/totalBytes").asLong()).isEqualTo(memoryTotalOfThisMachine());
        assertThat(snapshot.at("/system").has("uuid")).isTrue();
        assertThat(snapshot.at("/system/uuidSource").asText()).isNotEmpty();
        assertThat(snapshot.get("networkInterfaces").isArray()).isTrue();

        TestHomelab.RackctlResult human = homelab.rackctl("inventory", "pve");
        assertThat(human.out()).contains("CPU:").contains("threads").contains("Memory:");
    }

    @Test
    void execRunsAnActionAndRackctlReportsIt()
            throws Exception
    {
        homelab.startAgent(AgentKind.NODE, "k8s-node1");
        homelab.awaitConnected("k8s-node1");

        TestHomelab.RackctlResult exec = homelab.rackctl("exec", "k8s-node1", "agent.ping", "--set", "message=hello", "--wait", "-o", "json");
        assertThat(exec.exitCode()).as(exec.err()).isZero();
        JsonNode record = JSON.readTree(exec.out());
        assertThat(record.get("state").asText()).isEqualTo("succeeded");
        assertThat(record.at("/result/result/ping/message").asText()).isEqualTo("hello");
        assertThat(record.at("/result/result/ping/agentId").asText()).isEqualTo("k8s-node1");
        assertThat(record.get("requestedBy").asText()).isEqualTo("admin/tester");
        String commandId = record.get("id").asText();

        TestHomelab.RackctlResult dryRun = homelab.rackctl("exec", "k8s-node1", "inventory.refresh", "--dry-run", "--wait");
        assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
        assertThat(dryRun.out()).contains("dry run: collect and report the inventory now");

        TestHomelab.RackctlResult commands = homelab.rackctl("commands", "--agent", "k8s-node1");
        assertThat(commands.out()).contains(commandId).contains("agent.ping").contains("succeeded");
        TestHomelab.RackctlResult one = homelab.rackctl("command", commandId);
        assertThat(one.out()).contains("State:      succeeded").contains("queued").contains("running");
        assertThat(homelab.auditLog()).contains("audit command=" + commandId + " action=agent.ping requested_by=admin/tester dry_run=false params={\"message\":\"hello\"} outcome=succeeded");
    }

    @Test
    void badInputIsRefusedWithAClearErrorAndExitCodeTwo()
            throws Exception
    {
        homelab.startAgent(AgentKind.NODE, "k8s-node1");
        homelab.awaitConnected("k8s-node1");

        TestHomelab.RackctlResult unknownField = homelab.rackctl("exec", "k8s-node1", "agent.ping", "--set", "mesage=hi");
        assertThat(unknownField.exitCode()).isEqualTo(2);
        assertThat(unknownField.err()).contains("--set mesage: agent.ping has no field 'mesage' (fields: message)");

        TestHomelab.RackctlResult badJson = homelab.rackctl("exec", "k8s-node1", "agent.ping", "--json", "{\"message\": 3, ");
        assertThat(badJson.exitCode()).isEqualTo(2);
        assertThat(badJson.err()).contains("--json: not valid JSON at line 1");

        TestHomelab.RackctlResult unknownAction = homelab.rackctl("exec", "k8s-node1", "agent.pong");
        assertThat(unknownAction.exitCode()).isEqualTo(2);
        assertThat(unknownAction.err()).contains("unknown action 'agent.pong' (actions: agent.ping, inventory.refresh, k8s.node.clear-resource, k8s.node.cordon");

        TestHomelab.RackctlResult unknownAgent = homelab.rackctl("exec", "k8s-node9", "agent.ping");
        assertThat(unknownAgent.exitCode()).isEqualTo(2);
        assertThat(unknownAgent.err()).contains("no agent 'k8s-node9' is known (known: k8s-node1)");

        TestHomelab.RackctlResult badFlag = homelab.rackctl("agents", "--frobnicate");
        assertThat(badFlag.exitCode()).isEqualTo(2);

        TestHomelab.RackctlResult badTimeout = homelab.rackctl("exec", "k8s-node1", "agent.ping", "--timeout", "soon");
        assertThat(badTimeout.exitCode()).isEqualTo(2);
        assertThat(badTimeout.err()).contains("--timeout");
    }

    @Test
    void coordinatorRestartKeepsHistoryAndInventoryAndAgentsReconnectOnTheirOwn()
            throws Exception
    {
        homelab.startAgent(AgentKind.HOST, "pve");
        homelab.startAgent(AgentKind.NODE, "k8s-node1");
        homelab.awaitConnected("pve", "k8s-node1");
        TestHomelab.RackctlResult exec = homelab.rackctl("exec", "pve", "agent.ping", "--set", "message=before", "--wait", "-o", "json");
        String commandId = JSON.readTree(exec.out()).get("id").asText();
        TestHomelab.awaitCondition("inventory", () -> homelab.coordinator().registry().agent("k8s-node1").isPresent()
                && homelab.rackctl("inventory", "k8s-node1").exitCode() == 0);

        homelab.coordinator().close();
        TestHomelab.RackctlResult down = homelab.rackctl("agents");
        assertThat(down.exitCode()).isEqualTo(3);
        assertThat(down.err()).contains("cannot reach the coordinator at 127.0.0.1:" + homelab.grpcPort());
        assertThat(homelab.agent("pve").link().isConnected()).isFalse();

        homelab.startCoordinator();
        TestHomelab.RackctlResult inventory = homelab.rackctl("inventory", "k8s-node1", "-o", "json");
        assertThat(inventory.exitCode()).as("inventory survives the restart: " + inventory.err()).isZero();
        assertThat(JSON.readTree(inventory.out()).at("/cpu/logicalCores").asInt()).isEqualTo(logicalCoresOfThisMachine());
        TestHomelab.RackctlResult command = homelab.rackctl("command", commandId, "-o", "json");
        assertThat(JSON.readTree(command.out()).get("state").asText()).isEqualTo("succeeded");

        homelab.awaitConnected("pve", "k8s-node1");
        assertThat(homelab.agent("pve").link().reconnects()).isEqualTo(1);
        assertThat(homelab.rackctl("exec", "k8s-node1", "agent.ping", "--wait").exitCode()).isZero();
    }

    @Test
    void aCommandInterruptedByACoordinatorCrashRunsOnceAndItsResultArrivesOnce()
            throws Exception
    {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        homelab.startAgent(AgentKind.NODE, "k8s-node1", agentId -> List.of(new BlockingPing(started, release, runs)));
        homelab.awaitConnected("k8s-node1");

        String commandId;
        try (AutoCloseableChannel channel = new AutoCloseableChannel(homelab.controlChannel())) {
            ControlClient client = TestHomelab.control(channel.channel());
            CommandRecord submitted = client.submit("k8s-node1", Action.newBuilder().setPing(PingAction.newBuilder().setMessage("once")).build(),
                    false, Optional.empty(), Optional.empty());
            commandId = submitted.getId();
            assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            TestHomelab.awaitCondition("running", () -> client.command(submitted.getId(), Optional.empty()).getState() == CommandState.COMMAND_STATE_RUNNING);
        }

        homelab.coordinator().kill();
        release.countDown();
        Path journalEntry = homelab.root().resolve("agents/k8s-node1/state/commands/" + commandId + ".result");
        TestHomelab.awaitCondition("the agent journaled the result", () -> Files.exists(journalEntry));
        assertThat(homelab.agent("k8s-node1").runningCommands()).isZero();

        homelab.startCoordinator();
        homelab.awaitConnected("k8s-node1");
        try (AutoCloseableChannel channel = new AutoCloseableChannel(homelab.controlChannel())) {
            CommandRecord finished = TestHomelab.control(channel.channel()).command(commandId, Optional.of(java.time.Duration.ofSeconds(20)));
            assertThat(finished.getState()).isEqualTo(CommandState.COMMAND_STATE_SUCCEEDED);
            assertThat(finished.getResult().getReplayed()).as("answered from the agent's journal").isTrue();
            assertThat(finished.getResult().getResult().getPing().getMessage()).isEqualTo("once");
            assertThat(finished.getHistoryList().stream().map(CommandTransition::getState).filter(state -> state == CommandState.COMMAND_STATE_SUCCEEDED)).hasSize(1);
            assertThat(finished.getHistoryList().stream().map(CommandTransition::getDetail)).contains("sent again after the agent reconnected");
        }
        assertThat(runs).hasValue(1);
        assertThat(homelab.auditLog().lines().filter(line -> line.contains("command=" + commandId))).hasSize(1);
    }

    @Test
    void commandsQueuedOnAnAgentThatStopsAreNotFailedAndRunAfterItsRestart()
            throws Exception
    {
        homelab.startAgent(AgentKind.NODE, "k8s-node1");
        homelab.awaitConnected("k8s-node1");
        Action refresh = Action.newBuilder().setInventoryRefresh(io.rackpilot.proto.v1.InventoryRefreshAction.getDefaultInstance()).build();
        List<String> commandIds = new java.util.ArrayList<>();
        try (AutoCloseableChannel channel = new AutoCloseableChannel(homelab.controlChannel())) {
            ControlClient client = TestHomelab.control(channel.channel());
            for (int i = 0; i < 60; i++) {
                commandIds.add(client.submit("k8s-node1", refresh, false, Optional.of(java.time.Duration.ofMinutes(10)), Optional.empty()).getId());
            }
            TestHomelab.awaitCondition("a first refresh finished", () -> client.command(commandIds.get(0), Optional.empty()).getState() == CommandState.COMMAND_STATE_SUCCEEDED);

            // SIGTERM, as the daemon's shutdown hook does: most refreshes are still queued on the agent
            homelab.stopAgent("k8s-node1");
            List<CommandRecord> afterStop = commandIds.stream().map(id -> client.command(id, Optional.empty())).toList();
            assertThat(afterStop).as("no command fails because the agent stopped").allMatch(record -> record.getState() == CommandState.COMMAND_STATE_SUCCEEDED
                    || record.getState() == CommandState.COMMAND_STATE_SENT || record.getState() == CommandState.COMMAND_STATE_RUNNING);
            assertThat(afterStop).as("some were not started").anyMatch(record -> record.getState() == CommandState.COMMAND_STATE_SENT);

            homelab.startAgent(AgentKind.NODE, "k8s-node1");
            for (String commandId : commandIds) {
                CommandRecord finished = client.command(commandId, Optional.of(java.time.Duration.ofSeconds(120)));
                assertThat(finished.getState()).as(commandId + ": " + finished.getHistoryList()).isEqualTo(CommandState.COMMAND_STATE_SUCCEEDED);
            }
        }
        for (String commandId : commandIds) {
            assertThat(homelab.auditLog().lines().filter(line -> line.contains("command=" + commandId))).as("ran once: " + commandId).hasSize(1);
        }
    }

    static int logicalCoresOfThisMachine()
            throws Exception
    {
        return (int) Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("processor")).count();
    }

    static long memoryTotalOfThisMachine()
            throws Exception
    {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("no MemTotal in /proc/meminfo");
    }

    record AutoCloseableChannel(ManagedChannel channel)
            implements AutoCloseable
    {
        @Override
        public void close()
        {
            channel.shutdownNow();
        }
    }

    /**
     * agent.ping that waits to be released, counting how often it really ran.
     */
    private record BlockingPing(CountDownLatch started, CountDownLatch release, AtomicInteger runs)
            implements ActionHandler
    {
        @Override
        public Action.KindCase kind()
        {
            return Action.KindCase.PING;
        }

        @Override
        public PreparedAction prepare(Action action)
        {
            ActionResult result = ActionResult.newBuilder().setPing(PingResult.newBuilder().setMessage(action.getPing().getMessage())).build();
            return new PreparedAction()
            {
                @Override
                public String summary()
                {
                    return "echo after release";
                }

                @Override
                public boolean alreadyInPlace()
                {
                    return false;
                }

                @Override
                public ActionResult preview()
                {
                    return result;
                }

                @Override
                public Applied apply()
                        throws InterruptedException
                {
                    runs.incrementAndGet();
                    started.countDown();
                    release.await();
                    return new Applied(false, "released", result);
                }
            };
        }
    }
}
