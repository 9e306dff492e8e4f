package io.rackpilot.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.ControlGrpc;
import io.rackpilot.proto.v1.PingAction;
import io.rackpilot.proto.v1.SubmitCommandRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * rackctl's submit carries a request id and sends the same request again after UNAVAILABLE, against
 * a scripted Control server on loopback.
 */
class TestControlClientRetries
{
    private static final Action PING = Action.newBuilder().setPing(PingAction.newBuilder().setMessage("hi")).build();

    private final ScriptedControl control = new ScriptedControl();
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void tearDown()
            throws InterruptedException
    {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSubmitThatGotUnavailableIsSentAgainWithTheSameRequestId()
            throws IOException
    {
        control.failures.add(Status.UNAVAILABLE.withDescription("restarting"));
        control.failures.add(Status.UNAVAILABLE.withDescription("restarting"));
        ControlClient client = start(new ControlClient.Retries(4, Duration.ofMillis(10)));

        CommandRecord record = client.submit("k8s-node1", PING, false, Optional.empty(), Optional.empty());

        assertThat(record.getId()).isEqualTo("01JD3X7K9M4Q8R2T6V0W1Y3Z5A");
        assertThat(control.requests).hasSize(3);
        String requestId = control.requests.get(0).getRequestId();
        assertThat(requestId).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(control.requests).extracting(SubmitCommandRequest::getRequestId).containsOnly(requestId);

        client.submit("k8s-node1", PING, false, Optional.empty(), Optional.empty());
        assertThat(control.requests.get(3).getRequestId()).as("a new invocation, a new id").isNotEqualTo(requestId);
    }

    @Test
    void retriesAreBoundedAndOtherRefusalsAreNotRetried()
            throws IOException
    {
        for (int i = 0; i < 5; i++) {
            control.failures.add(Status.UNAVAILABLE.withDescription("down"));
        }
        ControlClient client = start(new ControlClient.Retries(3, Duration.ofMillis(10)));
        assertThatThrownBy(() -> client.submit("k8s-node1", PING, false, Optional.empty(), Optional.empty()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(control.requests).hasSize(3);

        control.failures.clear();
        control.requests.clear();
        control.failures.add(Status.INVALID_ARGUMENT.withDescription("no agent 'k8s-node9' is known"));
        assertThatThrownBy(() -> client.submit("k8s-node9", PING, false, Optional.empty(), Optional.empty()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(control.requests).hasSize(1);
    }

    private ControlClient start(ControlClient.Retries retries)
            throws IOException
    {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(control).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        return new ControlClient(channel, retries);
    }

    /**
     * Answers each submit with the next scripted failure, and with a command once none is left.
     */
    private static final class ScriptedControl
            extends ControlGrpc.ControlImplBase
    {
        final Deque<Status> failures = new ArrayDeque<>();
        final List<SubmitCommandRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public void submitCommand(SubmitCommandRequest request, StreamObserver<CommandRecord> responses)
        {
            requests.add(request);
            Status failure;
            synchronized (failures) {
                failure = failures.poll();
            }
            if (failure != null) {
                responses.onError(failure.asRuntimeException());
                return;
            }
            responses.onNext(CommandRecord.newBuilder().setId("01JD3X7K9M4Q8R2T6V0W1Y3Z5A").setRequestId(request.getRequestId()).build());
            responses.onCompleted();
        }
    }
}
