package io.rackpilot.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.cli.output.Table;
import io.rackpilot.common.config.DurationParser;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.GpuStatus;
import io.rackpilot.proto.v1.GpuStatusResponse;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.StepState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

@Command(name = "gpu", description = "The plan's GPUs: where each is, and moving one to another VM.",
        subcommands = {GpuCommand.Move.class, GpuCommand.Status.class})
public final class GpuCommand
        implements Runnable
{
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a gpu command is required: move or status");
    }

    @Command(name = "move", description = "Move a GPU to another VM: preflight, cordon and drain the old node, shut its VM down, detach, attach, start the VMs, "
            + "wait for the card to report, let the taints follow, uncordon. The plan is updated to match.")
    public static final class Move
            extends ControlCommand
    {
        @Parameters(index = "0", paramLabel = "DEVICE", description = "The plan's GPU id (tesla-t4) or its PCI address (0000:06:00.0).")
        private String device;

        @Option(names = "--to", required = true, paramLabel = "VM", description = "The VM: a vmid (202), a VM name or a Kubernetes node name (k8s-node2).")
        private String to;

        @Option(names = "--dry-run", description = "Run the preflight and print the steps; change nothing.")
        private boolean dryRun;

        @Option(names = "--wait", description = "Follow the move until it ends; exit 1 unless it succeeded.")
        private boolean waitForEnd;

        @Option(names = "--wait-timeout", paramLabel = "DURATION", description = "How long --wait follows the move (default 30m).")
        private String waitTimeout = "30m";

        @Override
        int run(ControlClient client)
        {
            Duration limit;
            try {
                limit = DurationParser.parse(waitTimeout);
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--wait-timeout: " + e.getMessage(), e);
            }
            GpuMove move = client.moveGpu(device, to, dryRun);
            if (!waitForEnd || dryRun || move.getState() == MoveState.MOVE_STATE_UNCHANGED) {
                if (json()) {
                    out().println(ProtoJson.print(ProtoJson.object(move)));
                }
                else {
                    describe(out(), move);
                }
                return ExitCodes.OK;
            }
            if (!json()) {
                out().println("move " + move.getId() + ": GPU " + move.getGpuId() + " from VM " + move.getFromVmid() + " to VM " + move.getToVmid());
                move.getWarningsList().forEach(warning -> out().println("warning: " + warning));
            }
            Instant deadline = Instant.now().plus(limit);
            Map<String, StepState> shown = new HashMap<>();
            while (true) {
                if (!json()) {
                    for (MoveStep step : move.getStepsList()) {
                        String key = (step.getUndo() ? "undo " : "") + step.getName() + "#" + move.getStepsList().indexOf(step);
                        if (step.getState() != StepState.STEP_STATE_PENDING && shown.put(key, step.getState()) != step.getState()) {
                            out().println("  " + stepLine(step));
                        }
                    }
                }
                if (finished(move.getState())) {
                    break;
                }
                if (Instant.now().isAfter(deadline)) {
                    err().println("rackctl: the move is still " + word(move.getState()) + " after " + waitTimeout + "; follow it with rackctl gpu status");
                    return ExitCodes.FAILED;
                }
                sleep();
                move = client.gpuMove(move.getId());
            }
            if (json()) {
                out().println(ProtoJson.print(ProtoJson.object(move)));
            }
            else {
                out().println(word(move.getState()) + ": " + move.getMessage());
            }
            return move.getState() == MoveState.MOVE_STATE_SUCCEEDED ? ExitCodes.OK : ExitCodes.FAILED;
        }

        private static void sleep()
        {
            try {
                Thread.sleep(300);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    @Command(name = "status", description = "Each GPU of the plan: where the plan puts it, which VM holds it, which node sees it, and its move in progress or its last one.")
    public static final class Status
            extends ControlCommand
    {
        @Override
        int run(ControlClient client)
        {
            GpuStatusResponse response = client.gpuStatus();
            if (json()) {
                ArrayNode array = JsonNodeFactory.instance.arrayNode();
                for (GpuStatus status : response.getGpusList()) {
                    array.add(ProtoJson.object(status));
                }
                out().println(ProtoJson.print(array));
                return ExitCodes.OK;
            }
            if (response.getPlanRevision() == 0) {
                err().println("rackctl: no plan has been applied yet (rackctl plan apply FILE); rackctl gpus lists what NVML reports");
                return ExitCodes.FAILED;
            }
            Table table = new Table("GPU", "PCI", "PLAN", "VM", "NODE", "UUID", "STATE", "DETAIL");
            for (GpuStatus status : response.getGpusList()) {
                table.row(status.getGpuId(), status.getPciAddress(), status.hasPlannedVmid() ? status.getPlannedVmid() : "-",
                        status.hasVmid() ? status.getVmid() + " " + status.getVmName() : "-", status.getNode(), status.getUuid(), status.getState(), status.getDetail());
            }
            table.print(out());
            for (GpuStatus status : response.getGpusList()) {
                if (status.hasMove()) {
                    out().println();
                    describe(out(), status.getMove());
                }
            }
            return ExitCodes.OK;
        }
    }

    static boolean finished(MoveState state)
    {
        return state != MoveState.MOVE_STATE_RUNNING && state != MoveState.MOVE_STATE_ROLLING_BACK;
    }

    static void describe(PrintStream out, GpuMove move)
    {
        String id = move.getId().isEmpty() ? "" : " " + move.getId();
        out.println("move" + id + ": GPU " + move.getGpuId() + " (" + move.getPciAddress() + ", mapping " + move.getMapping() + ") from "
                + (move.getFromVmid() == 0 ? "no VM" : "VM " + move.getFromVmid() + " (" + move.getFromNode() + ")") + " to VM " + move.getToVmid() + " (" + move.getToNode() + "): "
                + word(move.getState()) + (move.getMessage().isEmpty() ? "" : ": " + move.getMessage()));
        move.getWarningsList().forEach(warning -> out.println("  warning: " + warning));
        for (MoveStep step : move.getStepsList()) {
            out.println("  " + stepLine(step));
        }
    }

    static String stepLine(MoveStep step)
    {
        String took = "";
        if (step.hasStartedAt() && step.hasFinishedAt()) {
            Duration duration = Duration.between(Timestamps.toInstant(step.getStartedAt()), Timestamps.toInstant(step.getFinishedAt()));
            took = String.format(Locale.ROOT, " (%.1f s)", duration.toMillis() / 1000.0);
        }
        String state = switch (step.getState()) {
            case STEP_STATE_PENDING -> "pending";
            case STEP_STATE_RUNNING -> "running";
            case STEP_STATE_DONE -> "done";
            case STEP_STATE_SKIPPED -> "skipped";
            case STEP_STATE_FAILED -> "FAILED";
            default -> "?";
        };
        String detail = step.getDetail().isEmpty() ? step.getDescription() : step.getDetail();
        if (step.getDetail().isEmpty() && !step.getAgentId().isEmpty()) {
            detail += step.hasAction() ? " (" + step.getAgentId() + ": " + ActionNames.of(step.getAction()) + ")" : " (" + step.getAgentId() + ")";
        }
        return String.format(Locale.ROOT, "%-8s %-5s %-19s %s%s", state, step.getUndo() ? "undo" : "", step.getName(), detail, took);
    }

    static String word(MoveState state)
    {
        return state.name().replaceFirst("^MOVE_STATE_", "").toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
