package io.rackpilot.cli.commands;

import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.cli.output.Table;
import io.rackpilot.proto.v1.AgentInfo;
import picocli.CommandLine.Command;

import java.time.Instant;
import java.util.List;

@Command(name = "agents", description = "List every agent the coordinator knows, connected or lost.")
public final class AgentsCommand
        extends ControlCommand
{
    @Override
    int run(ControlClient client)
    {
        List<AgentInfo> agents = client.agents();
        if (json()) {
            out().println(ProtoJson.print(ProtoJson.array(agents)));
            return ExitCodes.OK;
        }
        Instant now = Instant.now();
        Table table = new Table("ID", "ROLE", "STATE", "VERSION", "ADDRESS", "LAST SEEN", "METRICS");
        for (AgentInfo agent : agents) {
            table.row(agent.getId(), Cells.word(agent.getRole()), Cells.word(agent.getState()), agent.getVersion(), agent.getAddress(),
                    Cells.ago(agent.getLastSeen(), now), agent.getMetricsUrl());
        }
        table.print(out());
        return ExitCodes.OK;
    }
}
