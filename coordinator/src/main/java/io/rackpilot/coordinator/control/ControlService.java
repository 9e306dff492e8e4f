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

import io.rackpilot.coordinator.plan.PlanBook;
import io.rackpilot.coordinator.plan.PlanRejectedException;
import io.rackpilot.coordinator.plan.StoredPlan;
import io.rackpilot.coordinator.reconcile.ReconcileLoop;
import io.rackpilot.coordinator.reconcile.Reconciliation;
import io.rackpilot.coordinator.relocation.GpuMoves;
import io.rackpilot.coordinator.relocation.MoveRefusedException;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.validation.PlanValidation;
import io.rackpilot.plan.validation.PlanValidator;
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

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.stream.Collectors;
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
    private final PlanBook plans;
    private final GpuMoves moves;
    private final ReconcileLoop reconcile;

    public ControlService(AgentRegistry registry, InventoryBook inventory, CommandService commands, PrometheusTargets targets, GpuDirectory gpus, PlanBook plans, GpuMoves moves, ReconcileLoop reconcile)
    {
        this.plans = requireNonNull(plans, "plans is null");
        this.moves = requireNonNull(moves, "moves is null");
        this.reconcile = requireNonNull(reconcile, "reconcile is null");
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
            record = request.getRequestId().isEmpty()
                    ? commands.submit(request.getAgentId(), request.getAction(), request.getDryRun(), timeout, caller.toString())
                    : commands.submitOnce(request.getRequestId(), request.getAgentId(), request.getAction(), request.getDryRun(), timeout, caller.toString());
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

    @Override
    public void applyPlan(ApplyPlanRequest request, StreamObserver<ApplyPlanResponse> responses)
    {
        Identity caller = IdentityInterceptor.current();
        try {
            String sourceName = request.getSourceName().isEmpty() ? "plan.yaml" : request.getSourceName();
            OptionalLong expect = request.hasExpectRevision() ? OptionalLong.of(request.getExpectRevision()) : OptionalLong.empty();
            PlanBook.Applied applied = plans.apply(request.getText(), sourceName, request.getDryRun(), expect, caller.toString(), "rackctl plan apply " + sourceName);
            PlanDiff diff = diff(applied.plan(), applied.revision().getRevision());
            responses.onNext(ApplyPlanResponse.newBuilder()
                    .setRevision(applied.revision())
                    .setChanged(applied.changed())
                    .addAllWarnings(applied.warnings())
                    .setDiff(diff)
                    .build());
            responses.onCompleted();
        }
        catch (PlanRejectedException e) {
            responses.onError(toStatus(e).asRuntimeException());
        }
    }

    @Override
    public void getPlan(GetPlanRequest request, StreamObserver<PlanRevision> responses)
    {
        if (request.hasRevision()) {
            Optional<PlanRevision> revision = plans.revision(request.getRevision());
            if (revision.isEmpty()) {
                responses.onError(Status.NOT_FOUND.withDescription("no plan revision " + request.getRevision() + " (the current one is " + plans.currentRevision() + ")").asRuntimeException());
                return;
            }
            responses.onNext(revision.get());
        }
        else {
            responses.onNext(plans.current().map(StoredPlan::revision).orElse(PlanRevision.getDefaultInstance()));
        }
        responses.onCompleted();
    }

    @Override
    public void diffPlan(DiffPlanRequest request, StreamObserver<PlanDiff> responses)
    {
        if (!request.getText().isEmpty()) {
            String sourceName = request.getSourceName().isEmpty() ? "plan.yaml" : request.getSourceName();
            PlanValidation validation = PlanValidator.validate(request.getText(), sourceName);
            if (validation.plan().isEmpty()) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription("the plan is not valid:\n"
                        + validation.errors().stream().map(Object::toString).collect(Collectors.joining("\n"))).asRuntimeException());
                return;
            }
            responses.onNext(diff(validation.plan().get(), 0));
            responses.onCompleted();
            return;
        }
        Optional<StoredPlan> stored = plans.current();
        if (stored.isEmpty()) {
            responses.onError(Status.FAILED_PRECONDITION.withDescription("no plan has been applied yet: give a FILE, or run rackctl plan apply FILE").asRuntimeException());
            return;
        }
        responses.onNext(diff(stored.get().plan(), stored.get().number()));
        responses.onCompleted();
    }

    private PlanDiff diff(HomelabPlan plan, long revision)
    {
        Reconciliation result = reconcile.diff(plan, revision);
        return PlanDiff.newBuilder()
                .setPlanRevision(revision)
                .addAllItems(result.drift())
                .addAllUnknown(result.unknown())
                .setComputedAt(Timestamps.of(Instant.now()))
                .build();
    }

    @Override
    public void moveGpu(MoveGpuRequest request, StreamObserver<GpuMove> responses)
    {
        Identity caller = IdentityInterceptor.current();
        try {
            responses.onNext(moves.request(request.getDevice(), request.getTo(), request.getDryRun(), caller.toString()));
            responses.onCompleted();
        }
        catch (MoveRefusedException e) {
            Status status = switch (e.reason()) {
                case NOT_FOUND -> Status.NOT_FOUND;
                case PRECONDITION, CONFLICT -> Status.FAILED_PRECONDITION;
            };
            responses.onError(status.withDescription(e.getMessage()).asRuntimeException());
        }
        catch (PlanRejectedException e) {
            responses.onError(toStatus(e).asRuntimeException());
        }
    }

    @Override
    public void getGpuMove(GetGpuMoveRequest request, StreamObserver<GpuMove> responses)
    {
        Optional<GpuMove> move = moves.get(request.getMoveId());
        if (move.isEmpty()) {
            responses.onError(Status.NOT_FOUND.withDescription("no GPU move '" + request.getMoveId() + "'").asRuntimeException());
            return;
        }
        responses.onNext(move.get());
        responses.onCompleted();
    }

    @Override
    public void getGpuStatus(GetGpuStatusRequest request, StreamObserver<GpuStatusResponse> responses)
    {
        responses.onNext(moves.status());
        responses.onCompleted();
    }

    private static Status toStatus(PlanRejectedException e)
    {
        return switch (e.reason()) {
            case INVALID -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
            case CONFLICT -> Status.ABORTED.withDescription(e.getMessage());
            case NOT_FOUND -> Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        };
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
            case WRONG_ROLE -> Status.FAILED_PRECONDITION.withDescription(e.getMessage());
        };
    }
}
