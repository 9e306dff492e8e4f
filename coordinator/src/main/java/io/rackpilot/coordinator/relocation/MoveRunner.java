package io.rackpilot.coordinator.relocation;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.commands.CommandRejectedException;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.coordinator.observed.HomelabObserver;
import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.coordinator.plan.PlanBook;
import io.rackpilot.coordinator.plan.StoredPlan;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.GpuNodePolicy;
import io.rackpilot.plan.Taint;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.StepState;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Carries out one GPU move, step by step, writing the move down after every change: a step's
 * command id is stored before the command is submitted, so a coordinator that restarts in the
 * middle waits for that command's result instead of sending a second one. A step that fails before
 * the card has arrived rolls the move back with the steps {@link MovePlanner#undoSteps} lays out.
 */
final class MoveRunner
{
    private static final Logger log = Logger.getLogger(MoveRunner.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration COMMAND_MARGIN = Duration.ofMinutes(1);

    private final MoveStore store;
    private final CommandService commands;
    private final HomelabObserver observer;
    private final PlanBook plans;
    private final MovePlanner planner;
    private final Clock clock;
    private final Consumer<GpuMove> finished;
    private final GpuConditions conditions;

    MoveRunner(MoveStore store, CommandService commands, HomelabObserver observer, PlanBook plans, MovePlanner planner, Clock clock, Consumer<GpuMove> finished, GpuConditions conditions)
    {
        this.conditions = requireNonNull(conditions, "conditions is null");
        this.store = requireNonNull(store, "store is null");
        this.commands = requireNonNull(commands, "commands is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.plans = requireNonNull(plans, "plans is null");
        this.planner = requireNonNull(planner, "planner is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.finished = requireNonNull(finished, "finished is null");
    }

    /**
     * Runs the move from where it stands until it ends; returns early, leaving the move as written,
     * when the thread is interrupted (the coordinator is stopping).
     */
    void run(String moveId)
            throws InterruptedException
    {
        GpuMove move = store.get(moveId).orElseThrow(() -> new IllegalStateException("no GPU move " + moveId));
        int index = 0;
        while (index < move.getStepsCount()) {
            MoveStep step = move.getSteps(index);
            if (step.getState() == StepState.STEP_STATE_DONE || step.getState() == StepState.STEP_STATE_SKIPPED || step.getState() == StepState.STEP_STATE_FAILED) {
                index++;
                continue;
            }
            if (step.getState() == StepState.STEP_STATE_PENDING) {
                step = step.toBuilder().setState(StepState.STEP_STATE_RUNNING).setStartedAt(Timestamps.of(clock.instant())).build();
                if (step.hasAction()) {
                    step = step.toBuilder().setCommandId(commands.newCommandId()).build();
                }
                GpuMove.Builder updated = move.toBuilder().setSteps(index, step);
                if (move.getState() == MoveState.MOVE_STATE_RUNNING) {
                    // While rolling back, the message keeps saying what failed.
                    updated.setMessage(step.getName() + ": " + step.getDescription());
                }
                move = save(updated.build());
            }
            Optional<String> interference = step.getUndo() ? Optional.empty() : MoveGuard.interference(move, index, observer.observe());
            Outcome outcome = interference.isPresent() ? new Outcome(false, interference.get(), Stop.BY_PERSON) : execute(move, step);
            MoveStep ended = step.toBuilder()
                    .setState(outcome.done() ? StepState.STEP_STATE_DONE : StepState.STEP_STATE_FAILED)
                    .setFinishedAt(Timestamps.of(clock.instant()))
                    .setDetail(outcome.detail())
                    .build();
            move = save(move.toBuilder().setSteps(index, ended).build());
            if (!outcome.done() && outcome.stop() == Stop.BY_PERSON) {
                move = stopped(move, ended, outcome);
                finish(move);
                return;
            }
            if (!outcome.done() && outcome.stop() == Stop.NEEDS_HOST_REBOOT) {
                move = stopped(move, ended, outcome);
                index++;
                continue;
            }
            if (!outcome.done()) {
                move = failed(move, ended);
                if (move.getState() != MoveState.MOVE_STATE_ROLLING_BACK && move.getState() != MoveState.MOVE_STATE_RUNNING) {
                    finish(move);
                    return;
                }
            }
            index++;
        }
        GpuMove.Builder end = move.toBuilder().setFinishedAt(Timestamps.of(clock.instant()));
        if (move.getState() == MoveState.MOVE_STATE_ROLLING_BACK) {
            boolean clean = move.getStepsList().stream().filter(MoveStep::getUndo).allMatch(step -> step.getState() == StepState.STEP_STATE_DONE);
            String failure = move.getMessage();
            if (clean) {
                end.setState(MoveState.MOVE_STATE_ROLLED_BACK).setMessage(failure + "; rolled back: GPU " + move.getGpuId() + " is on VM " + move.getFromVmid() + " again");
                revertPlanEdit(move);
            }
            else {
                end.setState(MoveState.MOVE_STATE_FAILED).setMessage(failure + "; the rollback did not finish either: "
                        + move.getStepsList().stream().filter(MoveStep::getUndo).filter(step -> step.getState() != StepState.STEP_STATE_DONE)
                        .map(step -> step.getName() + " (" + step.getDetail() + ")").reduce((first, second) -> first + ", " + second).orElse("")
                        + " is left to do by hand");
            }
        }
        else {
            end.setState(MoveState.MOVE_STATE_SUCCEEDED).setMessage("GPU " + move.getGpuId() + " moved from VM " + move.getFromVmid() + " to VM " + move.getToVmid()
                    + " in " + seconds(Duration.between(Timestamps.toInstant(move.getCreatedAt()), clock.instant())));
        }
        finish(save(end.build()));
    }

    /**
     * A person changed what the move works on (started a VM it had stopped, edited hostpci, shut a VM
     * down), or Proxmox named a VM that holds the card: the move stops where it is and says so,
     * rather than fighting the person. A card that could not be reset or powered up is marked
     * needs-host-reboot, and the move rolls back what it can.
     */
    private GpuMove stopped(GpuMove move, MoveStep step, Outcome outcome)
    {
        if (outcome.stop() == Stop.NEEDS_HOST_REBOOT) {
            String hostAgent = move.getStepsList().stream().filter(candidate -> candidate.getName().equals(MovePlanner.ATTACH_NEW)).map(MoveStep::getAgentId).findFirst().orElse("");
            String bootId = observer.observe().agent(hostAgent).map(agent -> agent.info().getBootId()).orElse("");
            conditions.set(io.rackpilot.proto.v1.GpuCondition.newBuilder()
                    .setGpuId(move.getGpuId())
                    .setState(GpuConditions.NEEDS_HOST_REBOOT)
                    .setReason(step.getName() + ": " + step.getDetail())
                    .setSince(Timestamps.of(clock.instant()))
                    .setHostBootId(bootId)
                    .setHostAgentId(hostAgent)
                    .setMoveId(move.getId())
                    .build());
            GpuMove rolling = failed(move, step);
            return save(rolling.toBuilder().setMessage(rolling.getMessage() + "; the card could not be reset or powered up: GPU " + move.getGpuId()
                    + " needs a host reboot (rackctl gpu status)").build());
        }
        GpuMove.Builder stop = move.toBuilder().setState(MoveState.MOVE_STATE_FAILED).setFinishedAt(Timestamps.of(clock.instant()))
                .setMessage("stopped at " + step.getName() + ": " + step.getDetail() + "; nothing was undone, so as not to fight that: look at rackctl gpu status and finish by hand");
        for (int index = 0; index < stop.getStepsCount(); index++) {
            if (stop.getSteps(index).getState() == StepState.STEP_STATE_PENDING) {
                stop.setSteps(index, stop.getSteps(index).toBuilder().setState(StepState.STEP_STATE_SKIPPED).setDetail("not run: the move stopped at " + step.getName()));
            }
        }
        return save(stop.build());
    }

    private GpuMove failed(GpuMove move, MoveStep step)
    {
        String message = step.getName() + " failed: " + step.getDetail();
        if (step.getUndo()) {
            log.warning("GPU move " + move.getId() + ": undo step " + message);
            return move;
        }
        boolean arrived = move.getStepsList().stream().anyMatch(candidate -> candidate.getName().equals(MovePlanner.WAIT_GPU) && candidate.getState() == StepState.STEP_STATE_DONE);
        if (arrived) {
            return save(move.toBuilder().setState(MoveState.MOVE_STATE_FAILED).setFinishedAt(Timestamps.of(clock.instant()))
                    .setMessage(message + " (GPU " + move.getGpuId() + " is on VM " + move.getToVmid() + " and works; finish the rest by hand)").build());
        }
        GpuMove.Builder rollback = move.toBuilder().setState(MoveState.MOVE_STATE_ROLLING_BACK).setMessage(message);
        // Steps after the failed one never ran.
        for (int index = 0; index < rollback.getStepsCount(); index++) {
            if (rollback.getSteps(index).getState() == StepState.STEP_STATE_PENDING) {
                rollback.setSteps(index, rollback.getSteps(index).toBuilder().setState(StepState.STEP_STATE_SKIPPED).setDetail("not run: " + step.getName() + " failed"));
            }
        }
        Optional<StoredPlan> plan = plans.current();
        Optional<Gpu> gpu = plan.flatMap(stored -> stored.plan().gpu(move.getGpuId()));
        String hostAgent = move.getStepsList().stream().filter(candidate -> candidate.getName().equals(MovePlanner.ATTACH_NEW)).map(MoveStep::getAgentId).findFirst().orElse("");
        if (gpu.isPresent()) {
            rollback.addAllSteps(planner.undoSteps(rollback.build(), gpu.get(), hostAgent));
        }
        log.warning("GPU move " + move.getId() + ": " + message + "; rolling back");
        return save(rollback.build());
    }

    private Outcome execute(GpuMove move, MoveStep step)
            throws InterruptedException
    {
        if (step.hasAction()) {
            return command(move, step);
        }
        return switch (step.getName()) {
            case MovePlanner.PREFLIGHT -> new Outcome(true, step.getDescription());
            case MovePlanner.WAIT_GPU -> waitForGpu(move, step);
            case MovePlanner.WAIT_TAINTS -> waitForTaints(move, step);
            case MovePlanner.WAIT_ALLOCATABLE -> waitForAllocatable(move, step);
            default -> new Outcome(false, "unknown step " + step.getName());
        };
    }

    private Outcome command(GpuMove move, MoveStep step)
            throws InterruptedException
    {
        Duration timeout = commandTimeout(step);
        CommandRecord record;
        try {
            record = commands.submit(step.getCommandId(), step.getAgentId(), step.getAction(), false, Optional.of(timeout), "gpu move " + move.getId());
        }
        catch (CommandRejectedException e) {
            return new Outcome(false, e.getMessage());
        }
        try {
            record = commands.whenFinished(record.getId()).get(timeout.plus(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException e) {
            return new Outcome(false, "waiting for command " + record.getId() + " failed: " + e.getCause());
        }
        catch (TimeoutException e) {
            return new Outcome(false, "command " + record.getId() + " had no result within " + seconds(timeout));
        }
        String message = record.hasResult() ? record.getResult().getMessage() : "";
        if (record.getState() == CommandState.COMMAND_STATE_SUCCEEDED) {
            return new Outcome(true, "command " + record.getId() + (message.isEmpty() ? "" : ": " + message));
        }
        String state = record.getState().name().replaceFirst("^COMMAND_STATE_", "").toLowerCase(java.util.Locale.ROOT);
        String detail = "command " + record.getId() + " " + state + (message.isEmpty() ? "" : ": " + message);
        return new Outcome(false, detail, StartFailures.classify(step, message));
    }

    private Duration commandTimeout(MoveStep step)
    {
        RelocationTimeouts timeouts = planner.timeouts();
        return switch (step.getAction().getKindCase()) {
            case KUBERNETES_NODE_DRAIN -> timeouts.drain().plus(COMMAND_MARGIN);
            case VM_SHUTDOWN -> timeouts.shutdown().plus(COMMAND_MARGIN);
            default -> timeouts.vmTask().plus(COMMAND_MARGIN);
        };
    }

    private Outcome waitForGpu(GpuMove move, MoveStep step)
            throws InterruptedException
    {
        Instant deadline = clock.instant().plus(planner.timeouts().gpuReport());
        String wanted = move.getGpuUuid();
        while (true) {
            ObservedHomelab observed = observer.observe();
            Optional<ObservedAgent> agent = observed.agent(step.getAgentId());
            Optional<List<io.rackpilot.proto.v1.Gpu>> gpus = agent.filter(ObservedAgent::connected).flatMap(ObservedAgent::gpuReport);
            if (gpus.isPresent()) {
                Optional<io.rackpilot.proto.v1.Gpu> found = gpus.get().stream().filter(gpu -> wanted.isEmpty() || gpu.getUuid().equals(wanted)).findFirst();
                if (found.isPresent()) {
                    return new Outcome(true, step.getAgentId() + " reports " + found.get().getUuid() + " (" + found.get().getName() + ") through NVML");
                }
            }
            Optional<String> shutDown = shutDownByPerson(move, observed);
            if (shutDown.isPresent()) {
                return new Outcome(false, shutDown.get(), Stop.BY_PERSON);
            }
            if (!clock.instant().isBefore(deadline)) {
                return new Outcome(false, step.getAgentId() + " did not report " + (wanted.isEmpty() ? "a GPU" : wanted) + " through NVML within " + seconds(planner.timeouts().gpuReport())
                        + (agent.map(ObservedAgent::connected).orElse(false) ? "" : " (the agent is not connected)"));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private Outcome waitForTaints(GpuMove move, MoveStep step)
            throws InterruptedException
    {
        Instant deadline = clock.instant().plus(planner.timeouts().taints());
        Optional<String> oldAgent = move.getStepsList().stream().filter(candidate -> candidate.getName().equals(MovePlanner.CORDON_OLD)).map(MoveStep::getAgentId).findFirst();
        while (true) {
            GpuNodePolicy policy = plans.current().map(stored -> stored.plan().spec().gpuNodePolicy()).orElse(GpuNodePolicy.NONE);
            ObservedHomelab observed = observer.observe();
            Optional<KubernetesNodeInfo> newNode = observed.agent(step.getAgentId()).flatMap(ObservedAgent::kubernetesNode);
            Optional<KubernetesNodeInfo> oldNode = oldAgent.flatMap(observed::agent).flatMap(ObservedAgent::kubernetesNode);
            boolean newHas = newNode.map(node -> hasAll(node, policy)).orElse(false);
            boolean oldClear = oldAgent.isEmpty() || oldNode.map(node -> hasNone(node, policy)).orElse(false);
            Optional<String> shutDown = shutDownByPerson(move, observed);
            if (shutDown.isPresent()) {
                return new Outcome(false, shutDown.get(), Stop.BY_PERSON);
            }
            if (newHas && oldClear) {
                return new Outcome(true, "the GPU node policy is on " + newNode.get().getNodeName() + (oldNode.map(node -> " and off " + node.getNodeName()).orElse("")));
            }
            if (!clock.instant().isBefore(deadline)) {
                return new Outcome(false, "the GPU node policy did not follow within " + seconds(planner.timeouts().taints()) + ": "
                        + (newHas ? "" : step.getAgentId() + "'s node lacks it; ") + (oldClear ? "" : oldAgent.orElse("") + "'s node still has it"));
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * The new VM stopped after the move had started it (powered off in the guest, or by hand), as
     * the host-agent reports after that.
     */
    private static Optional<String> shutDownByPerson(GpuMove move, ObservedHomelab observed)
    {
        Optional<MoveStep> started = move.getStepsList().stream()
                .filter(step -> !step.getUndo() && (step.getName().equals(MovePlanner.RESTART_NEW) || step.getName().equals(MovePlanner.START_NEW)))
                .filter(step -> step.getState() == StepState.STEP_STATE_DONE && step.hasFinishedAt())
                .findFirst();
        if (started.isEmpty()) {
            return Optional.empty();
        }
        Optional<ObservedAgent> host = observed.agent(started.get().getAgentId());
        Instant startedAt = Timestamps.toInstant(started.get().getFinishedAt());
        if (host.isEmpty() || host.get().collectedAt().map(collected -> !collected.isAfter(startedAt)).orElse(true)) {
            return Optional.empty();
        }
        return host.get().inventory().getProxmox().getVmsList().stream()
                .filter(vm -> vm.getVmid() == move.getToVmid() && vm.getStatus().equals("stopped"))
                .findFirst()
                .map(vm -> "VM " + move.getToVmid() + " was shut down during the move (in the guest, or by hand)");
    }

    private Outcome waitForAllocatable(GpuMove move, MoveStep step)
            throws InterruptedException
    {
        Instant deadline = clock.instant().plus(planner.timeouts().gpuReport());
        while (true) {
            ObservedHomelab observed = observer.observe();
            Optional<KubernetesNodeInfo> node = observed.agent(step.getAgentId()).flatMap(ObservedAgent::kubernetesNode);
            Optional<String> shutDown = shutDownByPerson(move, observed);
            if (shutDown.isPresent()) {
                return new Outcome(false, shutDown.get(), Stop.BY_PERSON);
            }
            if (node.isPresent() && node.get().getGpuAllocatable() > 0) {
                return new Outcome(true, node.get().getNodeName() + " shows allocatable " + node.get().getGpuResource() + " " + node.get().getGpuAllocatable()
                        + " (capacity " + node.get().getGpuCapacity() + ")");
            }
            if (!clock.instant().isBefore(deadline)) {
                return new Outcome(false, node.map(found -> found.getNodeName() + " still shows allocatable " + found.getGpuResource() + " " + found.getGpuAllocatable())
                        .orElse(step.getAgentId() + " does not report its Node") + " after " + seconds(planner.timeouts().gpuReport())
                        + ": is the NVIDIA device plugin running there? (kubectl -n kube-system get pods -o wide)");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    static boolean hasAll(KubernetesNodeInfo node, GpuNodePolicy policy)
    {
        for (Taint taint : policy.taints()) {
            boolean present = node.getTaintsList().stream().anyMatch(actual -> actual.getKey().equals(taint.key())
                    && actual.getEffect().equals(taint.effect().kubernetesName()) && actual.getValue().equals(taint.value()));
            if (!present) {
                return false;
            }
        }
        for (Map.Entry<String, String> label : policy.labels().entrySet()) {
            if (!label.getValue().equals(node.getLabelsMap().get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    static boolean hasNone(KubernetesNodeInfo node, GpuNodePolicy policy)
    {
        for (Taint taint : policy.taints()) {
            if (node.getTaintsList().stream().anyMatch(actual -> actual.getKey().equals(taint.key()) && actual.getEffect().equals(taint.effect().kubernetesName()))) {
                return false;
            }
        }
        return policy.labels().keySet().stream().noneMatch(node.getLabelsMap()::containsKey);
    }

    /**
     * A move asked for with {@code rackctl gpu move} wrote the new placement into the plan; when it
     * rolls back, the plan goes back too (if nobody changed it since), so that plan and homelab agree.
     */
    private void revertPlanEdit(GpuMove move)
    {
        if (!move.getReason().startsWith(GpuMoves.MANUAL_REASON) || move.getFromVmid() == 0) {
            return;
        }
        try {
            if (plans.currentRevision() == move.getPlanRevision()) {
                plans.edit(move.getPlanRevision(), text -> io.rackpilot.plan.PlanText.withGpuAssignment(text, move.getGpuId(), move.getFromVmid()),
                        "gpu move " + move.getId(), "rollback of GPU move " + move.getId() + ": " + move.getGpuId() + " back on VM " + move.getFromVmid());
            }
        }
        catch (RuntimeException e) {
            log.log(Level.WARNING, "could not put GPU " + move.getGpuId() + " back on VM " + move.getFromVmid() + " in the plan", e);
        }
    }

    private GpuMove save(GpuMove move)
    {
        store.save(move);
        return move;
    }

    private void finish(GpuMove move)
    {
        log.info("GPU move " + move.getId() + " ended " + move.getState() + ": " + move.getMessage());
        finished.accept(move);
    }

    static String seconds(Duration duration)
    {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /**
     * How a failed step ends the move: roll back, stop where it is (a person is at work, or Proxmox
     * named a VM holding the card), or roll back and mark the card needs-host-reboot.
     */
    enum Stop
    {
        ROLL_BACK,
        BY_PERSON,
        NEEDS_HOST_REBOOT,
    }

    private record Outcome(boolean done, String detail, Stop stop)
    {
        Outcome(boolean done, String detail)
        {
            this(done, detail, Stop.ROLL_BACK);
        }
    }
}
