package io.rackpilot.coordinator.agents;

import io.grpc.Status;
import io.rackpilot.coordinator.store.InMemoryStore;
import io.rackpilot.coordinator.testing.RecordingConnection;
import io.rackpilot.common.testing.TestingClock;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Role;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TestAgentRegistry
{
    private final TestingClock clock = new TestingClock(Instant.parse("2026-11-24T12:00:00Z"));
    private final InMemoryStore store = new InMemoryStore();

    @Test
    void anAgentIsConnectedUntilItMissesThreeHeartbeats()
    {
        AgentRegistry registry = new AgentRegistry(store, clock, Duration.ofSeconds(15));
        AgentSession session = registry.connect(hello("k8s-node1", Role.ROLE_NODE), "10.0.20.101", "http://10.0.20.101:9452/metrics", new RecordingConnection());
        assertThat(state("k8s-node1", registry)).isEqualTo(AgentState.AGENT_STATE_CONNECTED);

        clock.advance(Duration.ofSeconds(10));
        registry.seen(session);
        clock.advance(Duration.ofSeconds(15));
        assertThat(state("k8s-node1", registry)).isEqualTo(AgentState.AGENT_STATE_CONNECTED);

        clock.advance(Duration.ofSeconds(1));
        assertThat(state("k8s-node1", registry)).isEqualTo(AgentState.AGENT_STATE_LOST);
        assertThat(registry.count(Role.ROLE_NODE, AgentState.AGENT_STATE_LOST)).isEqualTo(1);
    }

    @Test
    void silentStreamsAreClosed()
    {
        AgentRegistry registry = new AgentRegistry(store, clock, Duration.ofSeconds(15));
        RecordingConnection connection = new RecordingConnection();
        registry.connect(hello("k8s-node1", Role.ROLE_NODE), "10.0.20.101", "", connection);
        assertThat(registry.closeSilentSessions()).isZero();
        clock.advance(Duration.ofSeconds(16));
        assertThat(registry.closeSilentSessions()).isEqualTo(1);
        assertThat(connection.closedWith().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(registry.session("k8s-node1")).isEmpty();
        assertThat(state("k8s-node1", registry)).isEqualTo(AgentState.AGENT_STATE_LOST);
    }

    @Test
    void aNewerStreamReplacesTheOlderAndTheOldOnesEndChangesNothing()
    {
        AgentRegistry registry = new AgentRegistry(store, clock, Duration.ofSeconds(15));
        RecordingConnection older = new RecordingConnection();
        AgentSession first = registry.connect(hello("pve", Role.ROLE_HOST), "192.168.1.127", "", older);
        AgentSession second = registry.connect(hello("pve", Role.ROLE_HOST), "192.168.1.127", "", new RecordingConnection());

        assertThat(older.closedWith().getCode()).isEqualTo(Status.Code.ABORTED);
        registry.disconnected(first, "replaced");
        assertThat(registry.session("pve")).containsSame(second);
        assertThat(state("pve", registry)).isEqualTo(AgentState.AGENT_STATE_CONNECTED);
    }

    @Test
    void agentsAreRememberedAcrossRestarts()
    {
        AgentRegistry registry = new AgentRegistry(store, clock, Duration.ofSeconds(15));
        AgentSession session = registry.connect(hello("k8s-node2", Role.ROLE_NODE), "10.0.20.102", "http://10.0.20.102:9452/metrics", new RecordingConnection());
        clock.advance(Duration.ofSeconds(3));
        registry.seen(session);
        registry.disconnected(session, "agent stopped");

        AgentRegistry restarted = new AgentRegistry(store, clock, Duration.ofSeconds(15));
        AgentInfo remembered = restarted.agent("k8s-node2").orElseThrow();
        assertThat(remembered.getState()).isEqualTo(AgentState.AGENT_STATE_LOST);
        assertThat(remembered.getMetricsUrl()).isEqualTo("http://10.0.20.102:9452/metrics");
        assertThat(remembered.getVersion()).isEqualTo("0.1.0");
        assertThat(remembered.getLastSeen().getSeconds()).isEqualTo(Instant.parse("2026-11-24T12:00:03Z").getEpochSecond());
        assertThat(restarted.agents()).extracting(AgentInfo::getId).containsExactly("k8s-node2");
    }

    @Test
    void agentsAreListedHostFirstThenById()
    {
        AgentRegistry registry = new AgentRegistry(store, clock, Duration.ofSeconds(15));
        registry.connect(hello("k8s-node2", Role.ROLE_NODE), "a", "", new RecordingConnection());
        registry.connect(hello("k8s-master", Role.ROLE_NODE), "b", "", new RecordingConnection());
        registry.connect(hello("pve", Role.ROLE_HOST), "c", "", new RecordingConnection());
        assertThat(registry.agents()).extracting(AgentInfo::getId).containsExactly("pve", "k8s-master", "k8s-node2");
    }

    private static AgentState state(String id, AgentRegistry registry)
    {
        return registry.agent(id).orElseThrow().getState();
    }

    static Hello hello(String id, Role role)
    {
        return Hello.newBuilder().setAgentId(id).setRole(role).setVersion("0.1.0").addCapabilities("agent.ping").addCapabilities("inventory.refresh").build();
    }
}
