package io.rackpilot.cli.commands;

import com.google.protobuf.Message;
import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.CommandTransition;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;

/**
 * How one command looks in rackctl's output.
 */
final class CommandPrinter
{
    private static final com.fasterxml.jackson.databind.ObjectMapper COMPACT = new com.fasterxml.jackson.databind.ObjectMapper();

    private CommandPrinter() {}

    static void print(CommandRecord record, boolean json, PrintStream out)
    {
        if (json) {
            out.println(ProtoJson.print(ProtoJson.object(record)));
            return;
        }
        out.println("Command:    " + record.getId());
        out.println("Agent:      " + record.getAgentId());
        out.println("Action:     " + record.getActionName() + (record.getDryRun() ? " (dry run)" : "") + " " + parameters(record));
        out.println("Requested:  " + Cells.time(record.getCreatedAt()) + " by " + record.getRequestedBy());
        out.println("State:      " + Cells.word(record.getState()));
        if (record.hasResult()) {
            out.println("Changed:    " + (record.getResult().getChanged() ? "yes" : "no"));
            out.println("Message:    " + record.getResult().getMessage());
            if (record.getResult().hasResult() && record.getResult().getResult().getKindCase() != ActionResult.KindCase.KIND_NOT_SET) {
                out.println("Result:     " + parameters(record.getResult().getResult()));
            }
        }
        out.println("History:");
        for (CommandTransition transition : record.getHistoryList()) {
            out.println("  " + Cells.time(transition.getAt()) + "  " + Cells.word(transition.getState()) + (transition.getDetail().isEmpty() ? "" : "  " + transition.getDetail()));
        }
    }

    /**
     * What to tell the operator when {@code --wait} ran out before the command finished: where the
     * command stands, why (its agent is not connected, say), what the coordinator will do, and how
     * to follow it. {@code agent} is empty when the coordinator could not say.
     */
    static String unfinished(CommandRecord record, Optional<AgentInfo> agent, Duration waited)
    {
        String state = Cells.word(record.getState());
        String follow = "; follow it with: rackctl command " + record.getId() + " --wait";
        String agentId = record.getAgentId();
        boolean connected = agent.isPresent() && agent.get().getState() == AgentState.AGENT_STATE_CONNECTED;
        String lastSeen = agent.map(info -> " (last seen " + Cells.time(info.getLastSeen()) + ")").orElse("");
        if (agent.isPresent() && !connected) {
            if (record.getState() == CommandState.COMMAND_STATE_QUEUED) {
                return "command " + record.getId() + " is still queued: " + agentId + " is not connected" + lastSeen
                        + "; the coordinator sends it when " + agentId + " connects, or marks it expired at its deadline "
                        + Cells.time(record.getDeadline()) + follow;
            }
            return agentId + " disconnected while command " + record.getId() + " was " + state + lastSeen + ", and no result has arrived;"
                    + " the coordinator sends it again when " + agentId + " reconnects, and the agent answers from its journal"
                    + " without running it twice" + follow;
        }
        return "command " + record.getId() + " is still " + state + " on " + agentId + " after waiting " + waited.toSeconds() + " s"
                + (connected ? " (" + agentId + " is connected; the command's deadline is " + Cells.time(record.getDeadline()) + ")" : "")
                + follow;
    }

    static boolean isFinished(CommandRecord record)
    {
        return switch (record.getState()) {
            case COMMAND_STATE_SUCCEEDED, COMMAND_STATE_FAILED, COMMAND_STATE_REJECTED, COMMAND_STATE_TIMED_OUT, COMMAND_STATE_EXPIRED -> true;
            default -> false;
        };
    }

    static int exitCode(CommandRecord record)
    {
        // Not succeeded: failed, rejected, timed out, expired, or still unfinished when the wait ran out.
        return record.getState() == CommandState.COMMAND_STATE_SUCCEEDED ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static String parameters(CommandRecord record)
    {
        return parameters(record.getAction());
    }

    private static String parameters(Message oneofHolder)
    {
        try {
            for (com.google.protobuf.Descriptors.FieldDescriptor field : oneofHolder.getDescriptorForType().getFields()) {
                if (oneofHolder.hasField(field)) {
                    return COMPACT.writeValueAsString(ProtoJson.object((Message) oneofHolder.getField(field)));
                }
            }
            return "{}";
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "";
        }
    }
}
