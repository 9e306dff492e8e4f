package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.VmPowerResult;

import java.time.Duration;
import java.util.List;

import static io.rackpilot.hostagent.proxmox.ProxmoxActions.call;
import static java.util.Objects.requireNonNull;

/**
 * {@code vm.start}, {@code vm.shutdown}, {@code vm.stop}, {@code vm.reboot}: asks Proxmox for the
 * power change and follows its task to the end. Starting a running VM, or stopping or shutting down a
 * stopped one, is already in place.
 */
public final class VmPowerHandler
        implements ActionHandler
{
    public enum Operation
    {
        START(Action.KindCase.VM_START, Duration.ofMinutes(2)),
        SHUTDOWN(Action.KindCase.VM_SHUTDOWN, Duration.ofMinutes(3)),
        STOP(Action.KindCase.VM_STOP, Duration.ofMinutes(2)),
        REBOOT(Action.KindCase.VM_REBOOT, Duration.ofMinutes(3));

        private final Action.KindCase kind;
        private final Duration defaultTimeout;

        Operation(Action.KindCase kind, Duration defaultTimeout)
        {
            this.kind = kind;
            this.defaultTimeout = defaultTimeout;
        }
    }

    private final ProxmoxClient client;
    private final Operation operation;

    public VmPowerHandler(ProxmoxClient client, Operation operation)
    {
        this.client = requireNonNull(client, "client is null");
        this.operation = requireNonNull(operation, "operation is null");
    }

    public static List<ActionHandler> all(ProxmoxClient client)
    {
        return List.of(
                new VmPowerHandler(client, Operation.START),
                new VmPowerHandler(client, Operation.SHUTDOWN),
                new VmPowerHandler(client, Operation.STOP),
                new VmPowerHandler(client, Operation.REBOOT));
    }

    @Override
    public Action.KindCase kind()
    {
        return operation.kind;
    }

    @Override
    public Duration timeout()
    {
        // Shutdown may wait out the guest and then force a stop.
        return Duration.ofMinutes(15);
    }

    private record Request(int vmid, Duration timeout, boolean forceStop) {}

    private Request request(Action action)
            throws ActionException
    {
        return switch (operation) {
            case START -> new Request(action.getVmStart().getVmid(), ProxmoxActions.duration(action.getVmStart().hasTimeout(), action.getVmStart().getTimeout(), operation.defaultTimeout, "timeout"), false);
            case SHUTDOWN -> new Request(action.getVmShutdown().getVmid(), ProxmoxActions.duration(action.getVmShutdown().hasTimeout(), action.getVmShutdown().getTimeout(), operation.defaultTimeout, "timeout"), action.getVmShutdown().getForceStop());
            case STOP -> new Request(action.getVmStop().getVmid(), ProxmoxActions.duration(action.getVmStop().hasTimeout(), action.getVmStop().getTimeout(), operation.defaultTimeout, "timeout"), false);
            case REBOOT -> new Request(action.getVmReboot().getVmid(), ProxmoxActions.duration(action.getVmReboot().hasTimeout(), action.getVmReboot().getTimeout(), operation.defaultTimeout, "timeout"), false);
        };
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        if (action.getKindCase() != operation.kind) {
            throw ActionException.rejected("expected a " + operation.kind + " action, got " + action.getKindCase());
        }
        Request request = request(action);
        int vmid = request.vmid();
        String statusBefore;
        try {
            ProxmoxActions.requireVm(client, vmid);
            statusBefore = call(client, "read the status of VM " + vmid, () -> client.vmStatus(vmid));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActionException.failed("interrupted while reading VM " + vmid, e);
        }
        boolean running = statusBefore.equals("running");
        boolean inPlace = switch (operation) {
            case START -> running;
            case SHUTDOWN, STOP -> statusBefore.equals("stopped");
            case REBOOT -> false;
        };
        if (operation == Operation.REBOOT && !running) {
            throw ActionException.rejected("vmid: VM " + vmid + " is " + statusBefore + ", a reboot needs it running (use vm.start)");
        }
        String verb = operation.name().toLowerCase(java.util.Locale.ROOT);
        String summary = inPlace ? "VM " + vmid + " is already " + statusBefore : "would " + verb + " VM " + vmid + " (now " + statusBefore + ")"
                + (operation == Operation.SHUTDOWN ? ", waiting " + request.timeout().toSeconds() + "s for the guest" + (request.forceStop() ? ", then stopping it" : "") : "");
        ActionResult preview = result(VmPowerResult.newBuilder().setStatusBefore(statusBefore).setStatusAfter(inPlace ? statusBefore : expectedStatus(statusBefore)).build());
        return PreparedAction.of(summary, inPlace, preview, () -> {
            String upid = call(client, verb + " VM " + vmid, () -> switch (operation) {
                case START -> client.start(vmid);
                case SHUTDOWN -> client.shutdown(vmid, request.timeout(), request.forceStop());
                case STOP -> client.stop(vmid);
                case REBOOT -> client.reboot(vmid);
            });
            // A shutdown task runs for up to its timeout, then the stop.
            Duration wait = request.timeout().plus(Duration.ofSeconds(30));
            TaskStatus task = call(client, "follow task " + upid, () -> client.awaitTask(upid, wait));
            String statusAfter = call(client, "read the status of VM " + vmid, () -> client.vmStatus(vmid));
            if (!task.succeeded()) {
                throw ActionException.failed(verb + " of VM " + vmid + " failed: task " + upid + " ended with \"" + task.exitStatus().orElse("?") + "\" (VM now " + statusAfter + ")", null);
            }
            String message = verb + " of VM " + vmid + ": " + statusBefore + " -> " + statusAfter + (task.exitStatus().orElse("OK").equals("OK") ? "" : " (" + task.exitStatus().get() + ")");
            return new PreparedAction.Applied(true, message, result(VmPowerResult.newBuilder().setStatusBefore(statusBefore).setStatusAfter(statusAfter).setUpid(upid).build()));
        });
    }

    private String expectedStatus(String statusBefore)
    {
        return switch (operation) {
            case START, REBOOT -> "running";
            case SHUTDOWN, STOP -> "stopped";
        };
    }

    private ActionResult result(VmPowerResult power)
    {
        ActionResult.Builder builder = ActionResult.newBuilder();
        switch (operation) {
            case START -> builder.setVmStart(power);
            case SHUTDOWN -> builder.setVmShutdown(power);
            case STOP -> builder.setVmStop(power);
            case REBOOT -> builder.setVmReboot(power);
        }
        return builder.build();
    }
}
