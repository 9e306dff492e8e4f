package io.rackpilot.coordinator.control;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityInterceptor;
import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.agents.GpuDirectory;
import io.rackpilot.coordinator.agents.InventoryBook;
import io.rackpilot.coordinator.commands.CommandRejectedException;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.coordinator.discovery.PrometheusTargets;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.ControlGrpc;
import io.rackpilot.proto.v1.GetCommandRequest;
import io.rackpilot.proto.v1.GetInventoryRequest;
import io.rackpilot.proto.v1.ListAgentsRequest;
import io.rackpilot.proto.v1.ListAgentsResponse;
import io.rackpilot.proto.v1.ListCommandsRequest;
import io.rackpilot.proto.v1.ListGpusRequest;
import io.rackpilot.proto.v1.ListGpusResponse;
import io.rackpilot.proto.v1.ListCommandsResponse;
import io.rackpilot.proto.v1.ListTargetsRequest;
import io.rackpilot.proto.v1.ListTargetsResponse;
import io.rackpilot.proto.v1.SubmitCommandRequest;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * What rackctl talks to. Thin: each call checks its request and delegates. Only admin
 * certificates reach it (see the server's interceptors).
 */
public final class ControlService
        extends ControlGrpc.ControlImplBase
{
    private static final Duration MAXIMUM_WAIT = Duration.ofMinutes(30);

    private final AgentRegistry registry;
    private final InventoryBook inventory;
    private final CommandService commands;
    private final PrometheusTargets targets;
    private final GpuDirectory gpus;

    public ControlService(AgentRegistry registry, InventoryBook inventory, CommandService commands, PrometheusTargets targets, GpuDirectory gpus)
    {
        this.gpus = requireNonNull(gpus, "gpus is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
        this.commands = requireNonNull(commands, "commands is null");
        this.targets = requireNonNull(targets, "targets is null");
    }

    @Override
    public void listAgents(ListAgentsRequest request, StreamObserver<ListAgentsResponse> responses)
    {
        responses.onNext(ListAgentsResponse.newBuilder().addAllAgents(registry.agents()).build());
        responses.onCompleted();
    }

    @Override
    public void getInventory(GetInventoryRequest request, StreamObserver<AgentInventory> responses)
    {
        if (registry.agent(request.getAgentId()).isEmpty()) {
            responses.onError(Status.NOT_FOUND.withDescription("no agent '" + request.getAgentId() + "' is known").asRuntimeException());
            return;
        }
        Optional<AgentInventory> found = inventory.get(request.getAgentId());
        if (found.isEmpty()) {
            responses.onError(Status.NOT_FOUND.withDescription("agent '" + request.getAgentId() + "' has not reported an inventory yet").asRuntimeException());
            return;
        }
        responses.onNext(found.get());
        responses.onCompleted();
    }

    @Override
    public void submitCommand(SubmitCommandRequest request, StreamObserver<CommandRecord> responses)
    {
        Identity caller = IdentityInterceptor.current();
        CommandRecord record;
        try {
            Optional<Duration> timeout = request.hasTimeout() ? Optional.of(Timestamps.toDuration(request.getTimeout())) : Optional.empty();
            record = commands.submit(request.getAgentId(), request.getAction(), request.getDryRun(), timeout, caller.toString());
        }
        catch (CommandRejectedException e) {
            responses.onError(toStatus(e).asRuntimeException());
            return;
        }
        if (!request.hasWait()) {
            responses.onNext(record);
            responses.onCompleted();
            return;
        }
        answerWhenFinished(record.getId(), Timestamps.toDuration(request.getWait()), responses);
    }

    @Override
    public void getCommand(GetCommandRequest request, StreamObserver<CommandRecord> responses)
    {
        try {
            CommandRecord record = commands.require(request.getCommandId());
            if (!request.hasWait()) {
                responses.onNext(record);
                responses.onCompleted();
                return;
            }
        }
        catch (CommandRejectedException e) {
            responses.onError(toStatus(e).asRuntimeException());
            return;
        }
        answerWhenFinished(request.getCommandId(), Timestamps.toDuration(request.getWait()), responses);
    }

    @Override
    public void listCommands(ListCommandsRequest request, StreamObserver<ListCommandsResponse> responses)
    {
        int limit = request.getLimit() == 0 ? 100 : request.getLimit();
        Optional<String> agent = request.getAgentId().isEmpty() ? Optional.empty() : Optional.of(request.getAgentId());
        responses.onNext(ListCommandsResponse.newBuilder().addAllCommands(commands.list(agent, limit)).build());
        responses.onCompleted();
    }

    @Override
    public void listTargets(ListTargetsRequest request, StreamObserver<ListTargetsResponse> responses)
    {
        responses.onNext(ListTargetsResponse.newBuilder().addAllTargets(targets.targets()).build());
        responses.onCompleted();
    }

    @Override
    public void listGpus(ListGpusRequest request, StreamObserver<ListGpusResponse> responses)
    {
        responses.onNext(gpus.list());
        responses.onCompleted();
    }

    private void answerWhenFinished(String commandId, Duration wait, StreamObserver<CommandRecord> responses)
    {
        if (wait.isNegative() || wait.compareTo(MAXIMUM_WAIT) > 0) {
            responses.onError(Status.INVALID_ARGUMENT.withDescription("wait must be between 0 and 30 min").asRuntimeException());
            return;
        }
        CompletableFuture<CommandRecord> finished = commands.whenFinished(commandId);
        finished.completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS).whenComplete((record, error) -> {
            if (error != null) {
                responses.onError(Status.INTERNAL.withDescription(error.getMessage()).asRuntimeException());
                return;
            }
            // null: the wait ran out; answer with the command as it stands now.
            responses.onNext(record != null ? record : commands.require(commandId));
            responses.onCompleted();
        });
    }

    private static Status toStatus(CommandRejectedException e)
    {
        return switch (e.reason()) {
            case UNKNOWN_AGENT, UNKNOWN_COMMAND -> Status.NOT_FOUND.withDescription(e.getMessage());
            case INVALID -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        };
    }
}
