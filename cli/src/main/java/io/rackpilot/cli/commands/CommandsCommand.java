package io.rackpilot.cli.commands;

import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.cli.output.Table;
import io.rackpilot.proto.v1.CommandRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Optional;

@Command(name = "commands", description = "List commands, newest first.")
public final class CommandsCommand
        extends ControlCommand
{
    @Option(names = "--agent", paramLabel = "AGENT", description = "Only this agent's commands.")
    private String agentId;

    @Option(names = "--limit", paramLabel = "N", description = "At most N commands (default 50).")
    private int limit = 50;

    @Override
    int run(ControlClient client)
    {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1");
        }
        List<CommandRecord> commands = client.commands(Optional.ofNullable(agentId), limit);
        if (json()) {
            out().println(ProtoJson.print(ProtoJson.array(commands)));
            return ExitCodes.OK;
        }
        Table table = new Table("ID", "AGENT", "ACTION", "STATE", "CREATED", "BY", "MESSAGE");
        for (CommandRecord command : commands) {
            table.row(command.getId(), command.getAgentId(), command.getActionName() + (command.getDryRun() ? " (dry run)" : ""),
                    Cells.word(command.getState()), Cells.time(command.getCreatedAt()), command.getRequestedBy(), command.getResult().getMessage());
        }
        table.print(out());
        return ExitCodes.OK;
    }
}
