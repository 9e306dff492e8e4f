package io.rackpilot.cli.commands;

import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.cli.output.Table;
import io.rackpilot.proto.v1.Target;
import picocli.CommandLine.Command;

import java.util.List;

@Command(name = "targets", description = "List the metrics endpoints Prometheus discovers through the coordinator (http_sd at :9450/sd/prometheus).")
public final class TargetsCommand
        extends ControlCommand
{
    @Override
    int run(ControlClient client)
    {
        List<Target> targets = client.targets();
        if (json()) {
            out().println(ProtoJson.print(ProtoJson.array(targets)));
            return ExitCodes.OK;
        }
        Table table = new Table("AGENT", "ROLE", "STATE", "URL");
        for (Target target : targets) {
            table.row(target.getAgentId(), Cells.word(target.getRole()), Cells.word(target.getState()), target.getMetricsUrl());
        }
        table.print(out());
        return ExitCodes.OK;
    }
}
