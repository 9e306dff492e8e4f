package io.rackpilot.cli.commands;

import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.proto.v1.CommandRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.Optional;

@Command(name = "command", description = "Show one command with its result and state history.")
public final class CommandCommand
        extends ControlCommand
{
    @Parameters(index = "0", paramLabel = "ID", description = "Command id.")
    private String commandId;

    @Option(names = "--wait", description = "Wait (up to 5 minutes) until the command is finished; the exit code is then 1 unless it succeeded.")
    private boolean waitForResult;

    @Override
    int run(ControlClient client)
    {
        Duration wait = Duration.ofMinutes(5);
        CommandRecord record = client.command(commandId, waitForResult ? Optional.of(wait) : Optional.empty());
        CommandPrinter.print(record, json(), out());
        if (!waitForResult) {
            return ExitCodes.OK;
        }
        if (!CommandPrinter.isFinished(record)) {
            err().println("rackctl: " + CommandPrinter.unfinished(record, agent(client, record.getAgentId()), wait));
        }
        return CommandPrinter.exitCode(record);
    }
}
