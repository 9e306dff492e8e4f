package io.rackpilot.coordinator.relocation;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.coordinator.observed.HomelabObserver;
import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.coordinator.plan.PlanBook;
import io.rackpilot.coordinator.plan.StoredPlan;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanText;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.GpuStatus;
import io.rackpilot.proto.v1.GpuStatusResponse;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.StepState;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * GPU relocation's Move: one workflow for {@code rackctl gpu move} and for a plan whose GPU
 * assignment changed. A move is planned by {@link MovePlanner}, written to the store, and carried
 * out by a {@link MoveRunner} on a thread of its own; at most one move per GPU runs at a time, and
 * a restarted coordinator resumes the moves it finds unfinished.
 */
public final class GpuMoves
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(GpuMoves.class.getName());
    static final String MANUAL_REASON = "rackctl gpu move";

    private final MoveStore store;
    private final PlanBook plans;
    private final HomelabObserver observer;
    private final MovePlanner planner;
    private final MoveRunner runner;
    private final CommandService commands;
    private final Clock clock;
    private final ExecutorService threads;
    private final AtomicBoolean closed = new AtomicBoolean();

    public GpuMoves(MoveStore store, PlanBook plans, HomelabObserver observer, CommandService commands, MovePlanner planner, Clock clock, Consumer<GpuMove> finished, GpuConditions conditions)
    {
        this.store = requireNonNull(store, "store is null");
        this.plans = requireNonNull(plans, "plans is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.commands = requireNonNull(commands, "commands is null");
        this.planner = requireNonNull(planner, "planner is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.runner = new MoveRunner(store, commands, observer, plans, planner, clock, requireNonNull(finished, "finished is null"), requireNonNull(conditions, "conditions is null"));
        this.threads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "rackpilot-gpu-move");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Carries on with every move the store holds unfinished (after a restart).
     */
    public void resume()
    {
        for (GpuMove move : store.list()) {
            if (ObservedHomelab.isActive(move)) {
                log.info("resuming GPU move " + move.getId() + " of " + move.getGpuId() + " at " + move.getMessage());
                launch(move.getId());
            }
        }
    }

    /**
     * {@code rackctl gpu move DEVICE --to VM}: plans the move; unless it is a dry run, writes the new
     * placement into the plan (a new revision) and starts the move.
     *
     * @throws MoveRefusedException when the GPU or VM is unknown, a preflight check fails, or the
     *         GPU is being moved already
     */
    public synchronized GpuMove request(String device, String to, boolean dryRun, String requestedBy)
    {
        StoredPlan stored = plans.current().orElseThrow(() -> new MoveRefusedException(MoveRefusedException.Reason.PRECONDITION,
                "no plan has been applied yet: a move needs the plan's GPU (its mapping and host); run rackctl plan apply FILE first"));
        Gpu gpu = MovePlanner.resolveGpu(stored.plan(), device);
        VirtualMachine target = MovePlanner.resolveVm(stored.plan(), to);
        refuseIfMoving(gpu);
        ObservedHomelab observed = observer.observe();
        GpuMove planned = planner.plan(stored.plan(), stored.number(), observed, gpu, target);
        String reason = MANUAL_REASON + " " + gpu.id() + " --to " + target.vmid();
        if (dryRun) {
            return planned.toBuilder().setRequestedBy(requestedBy).setReason(reason).build();
        }
        long revision = stored.number();
        boolean planSaysSo = gpu.vm().isPresent() && gpu.vm().getAsInt() == target.vmid();
        if (!planSaysSo) {
            revision = plans.edit(stored.number(), text -> PlanText.withGpuAssignment(text, gpu.id(), target.vmid()), requestedBy, reason).revision().getRevision();
        }
        if (planned.getState() == MoveState.MOVE_STATE_UNCHANGED) {
            return planned.toBuilder().setRequestedBy(requestedBy).setReason(reason).setPlanRevision(revision).build();
        }
        return begin(planned.toBuilder().setRequestedBy(requestedBy).setReason(reason).setPlanRevision(revision).build());
    }

    /**
     * The reconciler's way in: the plan (revision {@code planRevision}) puts the GPU on {@code toVmid}.
     * Returns the move started; empty when one is running already or the GPU is there.
     */
    public synchronized Optional<GpuMove> startForPlan(String gpuId, int toVmid, long planRevision)
    {
        if (activeMove(gpuId).isPresent()) {
            return Optional.empty();
        }
        StoredPlan stored = plans.current().orElseThrow(() -> new MoveRefusedException(MoveRefusedException.Reason.PRECONDITION, "no plan"));
        if (stored.number() != planRevision) {
            throw new MoveRefusedException(MoveRefusedException.Reason.CONFLICT, "the plan moved on to revision " + stored.number());
        }
        HomelabPlan plan = stored.plan();
        Gpu gpu = plan.gpu(gpuId).orElseThrow(() -> new MoveRefusedException(MoveRefusedException.Reason.NOT_FOUND, "no GPU " + gpuId + " in the plan"));
        VirtualMachine target = plan.vm(toVmid).orElseThrow(() -> new MoveRefusedException(MoveRefusedException.Reason.NOT_FOUND, "no VM " + toVmid + " in the plan"));
        GpuMove planned = planner.plan(plan, planRevision, observer.observe(), gpu, target);
        if (planned.getState() == MoveState.MOVE_STATE_UNCHANGED) {
            return Optional.empty();
        }
        return Optional.of(begin(planned.toBuilder().setRequestedBy("reconciler").setReason("plan revision " + planRevision + " puts " + gpuId + " on VM " + toVmid).build()));
    }

    private GpuMove begin(GpuMove planned)
    {
        GpuMove move = planned.toBuilder()
                .setId("move-" + commands.newCommandId())
                .setState(MoveState.MOVE_STATE_RUNNING)
                .setCreatedAt(Timestamps.of(clock.instant()))
                .setMessage("starting")
                .build();
        store.save(move);
        log.info("GPU move " + move.getId() + ": " + move.getGpuId() + " from VM " + move.getFromVmid() + " to VM " + move.getToVmid() + " (" + move.getReason() + ")");
        launch(move.getId());
        return move;
    }

    private void refuseIfMoving(Gpu gpu)
    {
        Optional<GpuMove> running = activeMove(gpu.id());
        if (running.isPresent()) {
            String step = running.get().getStepsList().stream().filter(step1 -> step1.getState() == StepState.STEP_STATE_RUNNING).map(MoveStep::getName).findFirst().orElse("starting");
            throw new MoveRefusedException(MoveRefusedException.Reason.CONFLICT, "GPU " + gpu.id() + " is being moved to VM " + running.get().getToVmid()
                    + " already (move " + running.get().getId() + ", step " + step + "); see rackctl gpu status");
        }
    }

    private void launch(String moveId)
    {
        threads.execute(() -> {
            try {
                runner.run(moveId);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            catch (RuntimeException e) {
                if (!closed.get()) {
                    log.log(Level.SEVERE, "GPU move " + moveId + " stopped on an error; it resumes at the next start", e);
                }
            }
        });
    }

    public Optional<GpuMove> get(String moveId)
    {
        return store.get(moveId);
    }

    public List<GpuMove> list()
    {
        return store.list();
    }

    public Optional<GpuMove> activeMove(String gpuId)
    {
        return store.list().stream().filter(move -> move.getGpuId().equals(gpuId)).filter(ObservedHomelab::isActive).findFirst();
    }

    /**
     * Each planned GPU: where the plan puts it, which VM holds it, which node-agent sees it, and its
     * move in progress or its last one.
     */
    public GpuStatusResponse status()
    {
        GpuStatusResponse.Builder response = GpuStatusResponse.newBuilder();
        Optional<StoredPlan> stored = plans.current();
        if (stored.isEmpty()) {
            return response.build();
        }
        response.setPlanRevision(stored.get().number());
        HomelabPlan plan = stored.get().plan();
        ObservedHomelab observed = observer.observe();
        for (Gpu gpu : plan.spec().gpus()) {
            GpuStatus.Builder status = GpuStatus.newBuilder().setGpuId(gpu.id()).setPciAddress(gpu.pciAddress()).setMapping(gpu.mapping());
            gpu.vm().ifPresent(status::setPlannedVmid);
            Optional<Optional<ProxmoxVm>> holder = observed.gpuHolder(gpu);
            Optional<GpuMove> active = observed.activeMove(gpu.id());
            observed.lastMove(gpu.id()).ifPresent(status::setMove);
            if (holder.isPresent() && holder.get().isPresent()) {
                ProxmoxVm vm = holder.get().get();
                status.setVmid(vm.getVmid()).setVmName(vm.getName());
                Optional<VirtualMachine> planned = plan.vm(vm.getVmid());
                planned.flatMap(VirtualMachine::nodeName).ifPresent(status::setNode);
                Optional<ObservedAgent> agent = planned.flatMap(candidate -> observed.nodeAgentOf(candidate, Optional.of(vm)));
                agent.ifPresent(found -> {
                    status.setAgentId(found.id());
                    found.gpuReport().filter(gpus -> gpus.size() == 1).ifPresent(gpus -> status.setUuid(gpus.get(0).getUuid()).setName(gpus.get(0).getName()));
                });
            }
            boolean placed = holder.isPresent() && holder.get().map(ProxmoxVm::getVmid).equals(gpu.vm().isPresent() ? Optional.of(gpu.vm().getAsInt()) : Optional.empty());
            if (active.isPresent()) {
                String step = active.get().getStepsList().stream().filter(candidate -> candidate.getState() == StepState.STEP_STATE_RUNNING).map(MoveStep::getName).findFirst().orElse("starting");
                status.setState("moving").setMove(active.get())
                        .setDetail((active.get().getState() == MoveState.MOVE_STATE_ROLLING_BACK ? "rolling back the move to VM " : "moving to VM ") + active.get().getToVmid() + ": " + step);
            }
            else if (observed.gpuConditions().containsKey(gpu.id())) {
                io.rackpilot.proto.v1.GpuCondition condition = observed.gpuConditions().get(gpu.id());
                status.setState(condition.getState()).setDetail(condition.getReason() + "; reboot the Proxmox host (the state clears when the host-agent reports the new boot)");
            }
            else if (observed.pciDevice(gpu.host(), gpu.pciAddress()).filter(device -> !device.getDriver().equals(gpu.driver())).isPresent()) {
                io.rackpilot.proto.v1.PciDevice device = observed.pciDevice(gpu.host(), gpu.pciAddress()).orElseThrow();
                status.setState("driver-mismatch").setDetail("bound to " + (device.getDriver().isEmpty() ? "no driver" : device.getDriver()) + " on the host, not " + gpu.driver()
                        + (device.getHoldersList().isEmpty() ? "; the reconciler rebinds it" : "; held by " + String.join(", ", device.getHoldersList())));
            }
            else if (holder.isEmpty()) {
                status.setState("unknown").setDetail(observed.proxmoxUnreadable(gpu.host())
                        .map(reason -> "which VM holds it is not known: " + reason + "; nothing is moved or compared until it can read the API again")
                        .orElse("no host-agent reports the VMs of " + gpu.host()));
            }
            else if (placed) {
                status.setState("ok").setDetail(holder.get().map(vm -> "on VM " + vm.getVmid() + " (" + vm.getName() + ") as planned").orElse("on no VM, as planned"));
            }
            else {
                boolean byHand = gpu.vm().isPresent() && observed.settledPlacements().getOrDefault(gpu.id(), -1) == gpu.vm().getAsInt();
                status.setState("drift").setDetail("on " + holder.get().map(vm -> "VM " + vm.getVmid()).orElse("no VM") + ", the plan puts it on "
                        + (gpu.vm().isPresent() ? "VM " + gpu.vm().getAsInt() : "no VM") + (byHand ? " (moved by hand: not moved back on its own)" : ""));
            }
            response.addGpus(status);
        }
        return response.build();
    }

    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
