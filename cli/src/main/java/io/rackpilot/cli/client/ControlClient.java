package io.rackpilot.cli.client;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.common.tls.TlsContexts;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.ControlGrpc;
import io.rackpilot.proto.v1.GetCommandRequest;
import io.rackpilot.proto.v1.GetInventoryRequest;
import io.rackpilot.proto.v1.ListAgentsRequest;
import io.rackpilot.proto.v1.ListCommandsRequest;
import io.rackpilot.proto.v1.ListGpusRequest;
import io.rackpilot.proto.v1.ListGpusResponse;
import io.rackpilot.proto.v1.ListTargetsRequest;
import io.rackpilot.proto.v1.SubmitCommandRequest;
import io.rackpilot.proto.v1.Target;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import io.rackpilot.proto.v1.ApplyPlanRequest;
import io.rackpilot.proto.v1.ApplyPlanResponse;
import io.rackpilot.proto.v1.DiffPlanRequest;
import io.rackpilot.proto.v1.GetGpuMoveRequest;
import io.rackpilot.proto.v1.GetGpuStatusRequest;
import io.rackpilot.proto.v1.GetPlanRequest;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.GpuStatusResponse;
import io.rackpilot.proto.v1.MoveGpuRequest;
import io.rackpilot.proto.v1.PlanDiff;
import io.rackpilot.proto.v1.PlanRevision;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The coordinator's Control service as rackctl uses it. Takes a {@link Channel}; {@link #open}
 * makes the mTLS channel from {@link ClientSettings}.
 */
public final class ControlClient
{
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(15);

    private final ControlGrpc.ControlBlockingStub stub;
    private final Retries retries;

    /**
     * How often, and after which pauses, a submit that got UNAVAILABLE is sent again (with the same
     * request id, so it never makes a second command): {@code attempts} in all, the pause doubling
     * from {@code firstPause}.
     */
    public record Retries(int attempts, Duration firstPause)
    {
        /** Four attempts over about 3.5 s: a coordinator restarting under systemd is back by then. */
        public static final Retries DEFAULT = new Retries(4, Duration.ofMillis(500));

        public Retries
        {
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
            }
            requireNonNull(firstPause, "firstPause is null");
        }
    }

    public ControlClient(Channel channel)
    {
        this(channel, Retries.DEFAULT);
    }

    public ControlClient(Channel channel, Retries retries)
    {
        this.stub = ControlGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.retries = requireNonNull(retries, "retries is null");
    }

    public static ManagedChannel open(ClientSettings settings)
            throws IOException
    {
        return NettyChannelBuilder.forAddress(settings.coordinator().host(), settings.coordinator().port())
                .sslContext(TlsContexts.grpcClient(settings.tlsFiles()))
                .maxInboundMessageSize(16 * 1024 * 1024)
                .build();
    }

    public List<AgentInfo> agents()
    {
        return quick().listAgents(ListAgentsRequest.getDefaultInstance()).getAgentsList();
    }

    public AgentInventory inventory(String agentId)
    {
        return quick().getInventory(GetInventoryRequest.newBuilder().setAgentId(agentId).build());
    }

    /**
     * Submits a command under a new request id (a UUID), and sends the same request again when the
     * coordinator answers UNAVAILABLE (down, restarting, its store busy): the coordinator makes one
     * command per request id, so a retry never runs the action twice, even when the first try was
     * stored before the answer was lost.
     */
    public CommandRecord submit(String agentId, Action action, boolean dryRun, Optional<Duration> timeout, Optional<Duration> wait)
    {
        return submit(UUID.randomUUID().toString(), agentId, action, dryRun, timeout, wait);
    }

    public CommandRecord submit(String requestId, String agentId, Action action, boolean dryRun, Optional<Duration> timeout, Optional<Duration> wait)
    {
        SubmitCommandRequest.Builder request = SubmitCommandRequest.newBuilder()
                .setRequestId(requestId)
                .setAgentId(agentId)
                .setAction(action)
                .setDryRun(dryRun);
        timeout.ifPresent(value -> request.setTimeout(Timestamps.of(value)));
        wait.ifPresent(value -> request.setWait(Timestamps.of(value)));
        Duration pause = retries.firstPause();
        for (int attempt = 1; ; attempt++) {
            try {
                return withDeadline(wait.orElse(Duration.ZERO).plus(CALL_DEADLINE)).submitCommand(request.build());
            }
            catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt >= retries.attempts()) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pause.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Status.CANCELLED.withDescription("interrupted while waiting to retry").asRuntimeException();
            }
            pause = pause.multipliedBy(2);
        }
    }

    public CommandRecord command(String commandId, Optional<Duration> wait)
    {
        GetCommandRequest.Builder request = GetCommandRequest.newBuilder().setCommandId(commandId);
        wait.ifPresent(value -> request.setWait(Timestamps.of(value)));
        return withDeadline(wait.orElse(Duration.ZERO).plus(CALL_DEADLINE)).getCommand(request.build());
    }

    public List<CommandRecord> commands(Optional<String> agentId, int limit)
    {
        ListCommandsRequest.Builder request = ListCommandsRequest.newBuilder().setLimit(limit);
        agentId.ifPresent(request::setAgentId);
        return quick().listCommands(request.build()).getCommandsList();
    }

    public ApplyPlanResponse applyPlan(String text, String sourceName, boolean dryRun, OptionalLong expectRevision)
    {
        ApplyPlanRequest.Builder request = ApplyPlanRequest.newBuilder().setText(text).setSourceName(sourceName).setDryRun(dryRun);
        expectRevision.ifPresent(request::setExpectRevision);
        return quick().applyPlan(request.build());
    }

    public PlanRevision plan(OptionalLong revision)
    {
        GetPlanRequest.Builder request = GetPlanRequest.newBuilder();
        revision.ifPresent(request::setRevision);
        return quick().getPlan(request.build());
    }

    /**
     * The stored plan against the homelab, or the given plan (text and file name) when present.
     */
    public PlanDiff diffPlan(Optional<String> text, String sourceName)
    {
        DiffPlanRequest.Builder request = DiffPlanRequest.newBuilder().setSourceName(sourceName);
        text.ifPresent(request::setText);
        return quick().diffPlan(request.build());
    }

    public GpuMove moveGpu(String device, String to, boolean dryRun)
    {
        return quick().moveGpu(MoveGpuRequest.newBuilder().setDevice(device).setTo(to).setDryRun(dryRun).build());
    }

    public GpuMove gpuMove(String moveId)
    {
        return quick().getGpuMove(GetGpuMoveRequest.newBuilder().setMoveId(moveId).build());
    }

    public GpuStatusResponse gpuStatus()
    {
        return quick().getGpuStatus(GetGpuStatusRequest.getDefaultInstance());
    }

    public ListGpusResponse gpus()
    {
        return quick().listGpus(ListGpusRequest.getDefaultInstance());
    }

    public List<Target> targets()
    {
        return quick().listTargets(ListTargetsRequest.getDefaultInstance()).getTargetsList();
    }

    private ControlGrpc.ControlBlockingStub quick()
    {
        return withDeadline(CALL_DEADLINE);
    }

    private ControlGrpc.ControlBlockingStub withDeadline(Duration deadline)
    {
        return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }
}
