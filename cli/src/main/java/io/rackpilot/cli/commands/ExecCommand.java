package io.rackpilot.cli.commands;

import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ActionParameters;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.common.config.DurationParser;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.CommandRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

@Command(name = "exec", description = "Send an action to an agent, e.g. `rackctl exec k8s-node1 agent.ping --set message=hi --wait`.")
public final class ExecCommand
        extends ControlCommand
{
    @Parameters(index = "0", paramLabel = "AGENT", description = "Agent id.")
    private String agentId;

    @Parameters(index = "1", paramLabel = "ACTION", description = "Action name, e.g. agent.ping or inventory.refresh.")
    private String actionName;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set one parameter of the action (repeatable; dotted keys for nested fields).")
    private List<String> assignments = new ArrayList<>();

    @Option(names = "--json", paramLabel = "MESSAGE", description = "The action's parameters as protobuf JSON, e.g. '{\"message\":\"hi\"}'.")
    private String json;

    @Option(names = "--dry-run", description = "Validate and report what would change, change nothing.")
    private boolean dryRun;

    @Option(names = "--wait", description = "Wait for the result; the exit code is then 1 unless the action succeeded.")
    private boolean waitForResult;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long the agent may take (e.g. 30s, 5m; default: the coordinator's).")
    private String timeout;

    @Override
    int run(ControlClient client)
    {
        Action action = ActionParameters.build(actionName, json, assignments);
        Optional<Duration> commandTimeout = Optional.ofNullable(timeout).map(value -> {
            try {
                return DurationParser.parse(value);
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--timeout: " + e.getMessage());
            }
        });
        Optional<Duration> wait = waitForResult ? Optional.of(commandTimeout.orElse(Duration.ofMinutes(5)).plusSeconds(5)) : Optional.empty();
        CommandRecord record = client.submit(agentId, action, dryRun, commandTimeout, wait);
        CommandPrinter.print(record, json(), out());
        if (!waitForResult) {
            return ExitCodes.OK;
        }
        if (!CommandPrinter.isFinished(record)) {
            err().println("rackctl: " + CommandPrinter.unfinished(record, agent(client, record.getAgentId()), wait.get()));
        }
        return CommandPrinter.exitCode(record);
    }
}
