package io.rackpilot.cli.commands;

import com.google.protobuf.Message;
import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.CommandRecord;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.CommandTransition;

import java.io.PrintStream;

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
