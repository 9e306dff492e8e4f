package io.rackpilot.cli.homelab;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.rackpilot.agent.Agent;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.agent.link.CoordinatorLink;
import io.rackpilot.cli.client.ClientSettings;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsContexts;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.proto.v1.AgentLinkGrpc;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Heartbeat;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.Report;
import io.rackpilot.proto.v1.Role;
import io.rackpilot.proto.v1.SystemInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Identity comes from certificates, and the coordinator refuses what does not fit: foreign
 * certificates, Hellos that disagree with their certificate, unknown roles, oversized messages.
 */
class TestSecurityAndProtocol
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
    void aClientCertificateFromAnotherCaIsRefusedInTheHandshake()
            throws Exception
    {
        Path foreign = homelab.root().resolve("foreign");
        CertificateAuthority other = CertificateAuthority.create("someone else's CA", Duration.ofDays(1));
        other.writeTo(foreign.resolve("ca.pem"), foreign.resolve("ca-key.pem"));
        // Trusts the right CA for the server, but presents a certificate the coordinator never issued.
        other.issue(new Identity(IdentityRole.ADMIN, "mallory"), List.of(), List.of(), Duration.ofDays(1))
                .writeTo(foreign.resolve("rackctl.pem"), foreign.resolve("rackctl-key.pem"));
        java.nio.file.Files.copy(homelab.root().resolve("client/ca.pem"), foreign.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Map<String, String> environment = new HashMap<>(homelab.clientEnvironment());
        environment.put("RACKPILOT_TLS_DIR", foreign.toString());
        TestHomelab.RackctlResult result = TestHomelab.rackctl(environment, "agents");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).contains("cannot reach the coordinator");
    }

    @Test
    void anAgentWithAForeignCertificateNeverRegisters()
            throws Exception
    {
        Path foreign = homelab.root().resolve("foreign-agent");
        CertificateAuthority other = CertificateAuthority.create("someone else's CA", Duration.ofDays(1));
        other.issue(new Identity(IdentityRole.NODE, "k8s-node1"), List.of(), List.of(), Duration.ofDays(1))
                .writeTo(foreign.resolve("node-agent.pem"), foreign.resolve("node-agent-key.pem"));
        java.nio.file.Files.copy(homelab.root().resolve("client/ca.pem"), foreign.resolve("ca.pem"));
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", homelab.grpcPort())
                .sslContext(TlsContexts.grpcClient(TlsFiles.inDirectory(foreign, "node-agent")))
                .build();
        try {
            RawStream stream = RawStream.open(channel);
            stream.send(hello("k8s-node1", Role.ROLE_NODE));
            Status status = stream.closed.get(10, TimeUnit.SECONDS);
            assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(homelab.coordinator().registry().agents()).isEmpty();
        }
        finally {
            channel.shutdownNow();
        }
    }

    @Test
    void anAgentCertificateCannotUseTheControlService()
            throws Exception
    {
        homelab.issue(new Identity(IdentityRole.NODE, "k8s-node1"), homelab.root().resolve("node-as-admin"), ClientSettings.CERTIFICATE_NAME);
        Map<String, String> environment = new HashMap<>(homelab.clientEnvironment());
        environment.put("RACKPILOT_TLS_DIR", homelab.root().resolve("node-as-admin").toString());
        TestHomelab.RackctlResult result = TestHomelab.rackctl(environment, "agents");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("PERMISSION_DENIED");
    }

    @Test
    void aHelloThatDisagreesWithItsCertificateIsRefused()
            throws Exception
    {
        ManagedChannel channel = agentChannel("k8s-node1");
        try {
            RawStream otherId = RawStream.open(channel);
            otherId.send(hello("k8s-node2", Role.ROLE_NODE));
            Status status = otherId.closed.get(10, TimeUnit.SECONDS);
            assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(status.getDescription()).isEqualTo("Hello says node/k8s-node2 but the certificate is node/k8s-node1");

            RawStream otherRole = RawStream.open(channel);
            otherRole.send(hello("k8s-node1", Role.ROLE_HOST));
            assertThat(otherRole.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);

            RawStream unknownRole = RawStream.open(channel);
            unknownRole.send(AgentMessage.newBuilder().setHello(Hello.newBuilder().setAgentId("k8s-node1").setRoleValue(7)).build());
            Status unknown = unknownRole.closed.get(10, TimeUnit.SECONDS);
            assertThat(unknown.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(unknown.getDescription()).contains("unknown role 7");

            RawStream noHello = RawStream.open(channel);
            noHello.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(1)).build());
            Status withoutHello = noHello.closed.get(10, TimeUnit.SECONDS);
            assertThat(withoutHello.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(withoutHello.getDescription()).contains("the first message on the stream must be Hello");

            assertThat(homelab.coordinator().registry().agents()).isEmpty();
        }
        finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aSecondLiveConnectionOfTheSameAgentReplacesTheOlder()
            throws Exception
    {
        ManagedChannel channel = agentChannel("k8s-node1");
        try {
            RawStream older = RawStream.open(channel);
            older.send(hello("k8s-node1", Role.ROLE_NODE));
            older.awaitWelcome();
            RawStream newer = RawStream.open(channel);
            newer.send(hello("k8s-node1", Role.ROLE_NODE));
            newer.awaitWelcome();

            Status status = older.closed.get(10, TimeUnit.SECONDS);
            assertThat(status.getCode()).isEqualTo(Status.Code.ABORTED);
            assertThat(status.getDescription()).isEqualTo("replaced by a newer connection of the same agent");
            assertThat(newer.closed).isNotDone();
            homelab.awaitConnected("k8s-node1");
        }
        finally {
            channel.shutdownNow();
        }
    }

    @Test
    void anOversizedMessageIsRefused()
            throws Exception
    {
        // this hand-driven stream sends no heartbeats: on a busy machine reading 5 MB can take longer
        // than three short heartbeat intervals, and the agent would be dropped as lost instead
        homelab.coordinator().close();
        homelab.startCoordinator(Duration.ofSeconds(5));
        ManagedChannel channel = agentChannel("k8s-node1");
        try {
            RawStream stream = RawStream.open(channel);
            stream.send(hello("k8s-node1", Role.ROLE_NODE));
            stream.awaitWelcome();
            String huge = "x".repeat(5 * 1024 * 1024);
            stream.send(AgentMessage.newBuilder()
                    .setReport(Report.newBuilder().setFull(true).setInventory(Inventory.newBuilder().setSystem(SystemInfo.newBuilder().setModel(huge))))
                    .build());
            Status status = stream.closed.get(10, TimeUnit.SECONDS);
            // The server fails the call with RESOURCE_EXHAUSTED and resets the stream; the client
            // sees the reset as CANCELLED.
            assertThat(status.getCode()).isIn(Status.Code.RESOURCE_EXHAUSTED, Status.Code.CANCELLED);
            TestHomelab.RackctlResult inventory = homelab.rackctl("inventory", "k8s-node1");
            assertThat(inventory.exitCode()).isEqualTo(2);
            assertThat(inventory.err()).contains("agent 'k8s-node1' has not reported an inventory yet");
        }
        finally {
            channel.shutdownNow();
        }
    }

    @Test
    void agentsKeepRunningWhileTheCoordinatorIsDownAndSaySo()
            throws Exception
    {
        homelab.coordinator().close();
        Agent agent = homelab.startAgent(AgentKind.NODE, "k8s-node1");
        TestHomelab.awaitCondition("waiting to reconnect", () -> agent.link().state() == CoordinatorLink.State.WAITING);
        assertThat(agent.link().statusLine()).startsWith("coordinator 127.0.0.1:" + homelab.grpcPort() + " unreachable");
        String metrics = io.rackpilot.common.testing.HttpGet.get("http://127.0.0.1:" + agent.metricsPort() + "/metrics").body();
        assertThat(metrics).contains("rackpilot_agent_connected 0.0");

        homelab.startCoordinator();
        homelab.awaitConnected("k8s-node1");
        // the coordinator sees the stream before the agent's Welcome arrives: wait for the agent's own view
        TestHomelab.awaitCondition("the agent says it is connected", () -> metricsOf(agent).contains("rackpilot_agent_connected 1.0"));
    }

    private ManagedChannel agentChannel(String id)
            throws Exception
    {
        TlsFiles tls = homelab.issue(new Identity(IdentityRole.NODE, id), homelab.root().resolve("raw-" + id), "node-agent");
        return NettyChannelBuilder.forAddress("127.0.0.1", homelab.grpcPort()).sslContext(TlsContexts.grpcClient(tls)).build();
    }

    private static AgentMessage hello(String id, Role role)
    {
        return AgentMessage.newBuilder().setHello(Hello.newBuilder().setAgentId(id).setRole(role).setVersion("test").addCapabilities("agent.ping")).build();
    }

    /**
     * An agent stream driven by hand.
     */
    private static final class RawStream
            implements StreamObserver<CoordinatorMessage>
    {
        private final List<CoordinatorMessage> received = new CopyOnWriteArrayList<>();
        private final CompletableFuture<Status> closed = new CompletableFuture<>();
        private StreamObserver<AgentMessage> requests;

        static RawStream open(ManagedChannel channel)
        {
            RawStream stream = new RawStream();
            stream.requests = AgentLinkGrpc.newStub(channel).connect(stream);
            return stream;
        }

        synchronized void send(AgentMessage message)
        {
            requests.onNext(message);
        }

        void awaitWelcome()
        {
            TestHomelab.awaitCondition("Welcome", () -> received.stream().anyMatch(CoordinatorMessage::hasWelcome));
        }

        @Override
        public void onNext(CoordinatorMessage message)
        {
            received.add(message);
        }

        @Override
        public void onError(Throwable error)
        {
            closed.complete(Status.fromThrowable(error));
        }

        @Override
        public void onCompleted()
        {
            closed.complete(Status.OK);
        }
    }

    private static String metricsOf(Agent agent)
    {
        return io.rackpilot.common.testing.HttpGet.get("http://127.0.0.1:" + agent.metricsPort() + "/metrics").body();
    }
}
