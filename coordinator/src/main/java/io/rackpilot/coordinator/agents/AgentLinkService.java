package io.rackpilot.coordinator.agents;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityInterceptor;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.coordinator.server.RemoteAddressInterceptor;
import io.rackpilot.proto.v1.AgentLinkGrpc;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.CoordinatorMessage;

import java.net.SocketAddress;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * The gRPC face of the agent stream: hands each new stream to an {@link AgentStream}.
 */
public final class AgentLinkService
        extends AgentLinkGrpc.AgentLinkImplBase
{
    private final AgentRegistry registry;
    private final InventoryBook inventory;
    private final CommandService commands;
    private final Duration heartbeatInterval;

    public AgentLinkService(AgentRegistry registry, InventoryBook inventory, CommandService commands, Duration heartbeatInterval)
    {
        this.registry = requireNonNull(registry, "registry is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.commands = requireNonNull(commands, "commands is null");
        this.heartbeatInterval = requireNonNull(heartbeatInterval, "heartbeatInterval is null");
    }

    @Override
    public StreamObserver<AgentMessage> connect(StreamObserver<CoordinatorMessage> responseObserver)
    {
        Identity identity = IdentityInterceptor.current();
        SocketAddress remote = RemoteAddressInterceptor.current();
        ServerCallStreamObserver<CoordinatorMessage> responses = (ServerCallStreamObserver<CoordinatorMessage>) responseObserver;
        return new AgentStream(identity, remote, new StreamConnection(responses), registry, inventory, commands, heartbeatInterval);
    }

    /**
     * Serialises writes to one stream: gRPC stream observers are not thread-safe.
     */
    private static final class StreamConnection
            implements AgentConnection
    {
        private final ServerCallStreamObserver<CoordinatorMessage> responses;
        private boolean closed;

        StreamConnection(ServerCallStreamObserver<CoordinatorMessage> responses)
        {
            this.responses = responses;
            responses.setOnCancelHandler(() -> {
                synchronized (this) {
                    closed = true;
                }
            });
        }

        @Override
        public synchronized boolean send(CoordinatorMessage message)
        {
            if (closed || responses.isCancelled()) {
                return false;
            }
            try {
                responses.onNext(message);
                return true;
            }
            catch (RuntimeException e) {
                closed = true;
                return false;
            }
        }

        @Override
        public synchronized void close(Status status)
        {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (status.isOk()) {
                    responses.onCompleted();
                }
                else {
                    responses.onError(status.asRuntimeException());
                }
            }
            catch (RuntimeException ignored) {
                // already cancelled by the peer
            }
        }
    }
}
