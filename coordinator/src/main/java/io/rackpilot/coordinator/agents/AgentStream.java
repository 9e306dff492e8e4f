package io.rackpilot.coordinator.agents;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Role;
import io.rackpilot.proto.v1.Welcome;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * One agent stream as the coordinator sees it. The first message must be a Hello whose id and
 * role equal the identity in the agent's certificate; after that, reports, heartbeats and command
 * results are handed to the domain classes.
 */
final class AgentStream
        implements StreamObserver<AgentMessage>
{
    private static final Logger log = Logger.getLogger(AgentStream.class.getName());

    private final Identity identity;
    private final SocketAddress remote;
    private final AgentConnection connection;
    private final AgentRegistry registry;
    private final InventoryBook inventory;
    private final CommandService commands;
    private final Duration heartbeatInterval;
    private AgentSession session;
    private boolean ended;

    AgentStream(Identity identity, SocketAddress remote, AgentConnection connection, AgentRegistry registry, InventoryBook inventory, CommandService commands, Duration heartbeatInterval)
    {
        this.identity = requireNonNull(identity, "identity is null");
        this.remote = remote;
        this.connection = requireNonNull(connection, "connection is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.commands = requireNonNull(commands, "commands is null");
        this.heartbeatInterval = requireNonNull(heartbeatInterval, "heartbeatInterval is null");
    }

    @Override
    public void onNext(AgentMessage message)
    {
        if (ended) {
            return;
        }
        if (session == null) {
            if (message.getBodyCase() != AgentMessage.BodyCase.HELLO) {
                refuse(Status.FAILED_PRECONDITION.withDescription("the first message on the stream must be Hello, got " + message.getBodyCase()));
                return;
            }
            hello(message.getHello());
            return;
        }
        registry.seen(session);
        try {
            switch (message.getBodyCase()) {
                case HELLO -> refuse(Status.FAILED_PRECONDITION.withDescription("Hello was already sent on this stream"));
                case REPORT -> inventory.report(session.agentId(), message.getReport());
                case HEARTBEAT -> {
                    // registry.seen above is all a heartbeat does
                }
                case COMMAND_ACK -> commands.acknowledged(session.agentId(), message.getCommandAck().getCommandId());
                case COMMAND_RESULT -> commands.resultArrived(session.agentId(), message.getCommandResult());
                case BODY_NOT_SET -> refuse(Status.INVALID_ARGUMENT.withDescription("empty message (unknown message type from a newer agent?)"));
            }
        }
        catch (RuntimeException e) {
            // One message that cannot be handled (a store that refuses it, say) is dropped; the stream
            // stays up. Ending it would only bring the agent back with the same message, in a loop.
            log.log(Level.WARNING, "cannot handle a " + message.getBodyCase() + " message (" + message.getSerializedSize() + " bytes) of agent "
                    + session.agentId() + "; dropped it, the stream stays up: " + e.getMessage(), e);
        }
    }

    private void hello(Hello hello)
    {
        Role claimed = hello.getRole();
        if (claimed != Role.ROLE_HOST && claimed != Role.ROLE_NODE) {
            refuse(Status.INVALID_ARGUMENT.withDescription("unknown role " + hello.getRoleValue() + " in Hello (expected host or node)"));
            return;
        }
        IdentityRole certified = identity.role();
        Role certifiedRole = certified == IdentityRole.HOST ? Role.ROLE_HOST : certified == IdentityRole.NODE ? Role.ROLE_NODE : Role.ROLE_UNSPECIFIED;
        if (certifiedRole == Role.ROLE_UNSPECIFIED) {
            refuse(Status.PERMISSION_DENIED.withDescription("certificate " + identity + " is not an agent certificate (host or node)"));
            return;
        }
        if (certifiedRole != claimed || !identity.id().equals(hello.getAgentId())) {
            refuse(Status.PERMISSION_DENIED.withDescription("Hello says " + roleName(claimed) + "/" + hello.getAgentId()
                    + " but the certificate is " + identity));
            return;
        }
        if (hello.getMetricsPort() > 65535) {
            refuse(Status.INVALID_ARGUMENT.withDescription("metrics_port " + hello.getMetricsPort() + " is outside 0..65535"));
            return;
        }
        String address = hostOf(remote);
        String metricsUrl = "";
        if (hello.getMetricsPort() > 0) {
            String host = hello.getMetricsHost().isEmpty() ? address : hello.getMetricsHost();
            metricsUrl = "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + hello.getMetricsPort() + "/metrics";
        }
        session = registry.connect(hello, address, metricsUrl, connection);
        connection.send(CoordinatorMessage.newBuilder()
                .setWelcome(Welcome.newBuilder()
                        .setHeartbeatInterval(Timestamps.of(heartbeatInterval))
                        .setCoordinatorVersion(io.rackpilot.common.RackpilotVersion.current()))
                .build());
        commands.agentConnected(session);
    }

    @Override
    public void onError(Throwable error)
    {
        end(Status.fromThrowable(error).getCode() + ": " + Status.fromThrowable(error).getDescription());
    }

    @Override
    public void onCompleted()
    {
        end("the agent closed the stream");
        connection.close(Status.OK);
    }

    private void end(String reason)
    {
        if (ended) {
            return;
        }
        ended = true;
        if (session != null) {
            registry.disconnected(session, reason);
        }
    }

    private void refuse(Status status)
    {
        log.warning("refusing the stream of " + identity + " from " + hostOf(remote) + ": " + status.getDescription());
        connection.close(status);
        end(status.getDescription());
    }

    private static String roleName(Role role)
    {
        return role == Role.ROLE_HOST ? "host" : role == Role.ROLE_NODE ? "node" : "unknown";
    }

    private static String hostOf(SocketAddress address)
    {
        if (address instanceof InetSocketAddress inet) {
            InetAddress inetAddress = inet.getAddress();
            return inetAddress == null ? inet.getHostString() : inetAddress.getHostAddress();
        }
        return address == null ? "unknown" : address.toString();
    }
}
