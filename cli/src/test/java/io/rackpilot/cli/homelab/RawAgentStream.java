package io.rackpilot.cli.homelab;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsContexts;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.proto.v1.AgentLinkGrpc;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Heartbeat;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Role;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An agent stream driven by hand over real mTLS with a node certificate: says Hello with the
 * capabilities it is given, records what the coordinator sends, and can drop the connection.
 */
final class RawAgentStream
        implements StreamObserver<CoordinatorMessage>, AutoCloseable
{
    private final ManagedChannel channel;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    private final List<CoordinatorMessage> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    private StreamObserver<AgentMessage> requests;

    private RawAgentStream(ManagedChannel channel)
    {
        this.channel = channel;
    }

    /**
     * A node-agent {@code id} that lists {@code capabilities} in its Hello; returns once welcomed.
     */
    static RawAgentStream connectNode(TestHomelab homelab, String id, String... capabilities)
            throws IOException
    {
        TlsFiles tls = homelab.issue(new Identity(IdentityRole.NODE, id), homelab.root().resolve("raw-" + id), "node-agent");
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", homelab.grpcPort())
                .sslContext(TlsContexts.grpcClient(tls))
                .maxInboundMessageSize(16 * 1024 * 1024)
                .build();
        RawAgentStream stream = new RawAgentStream(channel);
        stream.requests = AgentLinkGrpc.newStub(channel).connect(stream);
        stream.send(AgentMessage.newBuilder().setHello(Hello.newBuilder().setAgentId(id).setRole(Role.ROLE_NODE).setVersion("test").addAllCapabilities(List.of(capabilities))).build());
        TestHomelab.awaitCondition("Welcome", () -> stream.received.stream().anyMatch(CoordinatorMessage::hasWelcome));
        AtomicLong sequence = new AtomicLong();
        stream.heartbeats.scheduleWithFixedDelay(() -> stream.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setSequence(sequence.incrementAndGet())).build()),
                0, TestHomelab.HEARTBEAT.toMillis() / 3, TimeUnit.MILLISECONDS);
        return stream;
    }

    synchronized void send(AgentMessage message)
    {
        if (!closed.isDone()) {
            requests.onNext(message);
        }
    }

    List<Command> commands()
    {
        return received.stream().filter(CoordinatorMessage::hasCommand).map(CoordinatorMessage::getCommand).toList();
    }

    Command awaitCommand(int count)
    {
        TestHomelab.awaitCondition(count + " commands", () -> commands().size() >= count);
        return commands().get(count - 1);
    }

    /** Drops the connection without a goodbye, as a machine that goes away does. */
    void drop()
    {
        heartbeats.shutdownNow();
        channel.shutdownNow();
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

    @Override
    public void close()
    {
        drop();
    }
}
