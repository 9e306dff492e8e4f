package io.rackpilot.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.Rackctl;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.cli.output.Table;
import io.rackpilot.plan.validation.PlanFinding;
import io.rackpilot.plan.validation.PlanValidation;
import io.rackpilot.plan.validation.PlanValidator;
import io.rackpilot.proto.v1.ApplyPlanResponse;
import io.rackpilot.proto.v1.DriftItem;
import io.rackpilot.proto.v1.PlanDiff;
import io.rackpilot.proto.v1.PlanRevision;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

@Command(name = "plan", description = "The homelab plan: validate a file, apply it, show the stored one, and compare it with the homelab.",
        subcommands = {PlanCommand.Validate.class, PlanCommand.Apply.class, PlanCommand.Show.class, PlanCommand.Diff.class})
public final class PlanCommand
        implements Runnable
{
    /** Exit code of {@code rackctl plan diff} when the homelab differs from the plan, as {@code terraform plan -detailed-exitcode}. */
    public static final int DRIFT = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a plan command is required: validate, apply, show or diff");
    }

    @Command(name = "validate", description = "Check a plan file's shape and meaning without a coordinator. Errors (exit 1) and warnings name the file, line and field.")
    public static final class Validate
            implements Callable<Integer>
    {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The plan, e.g. docs/examples/homelab.yaml.")
        private Path file;

        @Override
        public Integer call()
        {
            Rackctl rackctl = (Rackctl) spec.root().userObject();
            PlanValidation validation = PlanValidator.validate(file);
            for (PlanFinding finding : validation.errors()) {
                rackctl.err().println(finding);
            }
            for (PlanFinding finding : validation.warnings()) {
                rackctl.err().println(finding);
            }
            String warnings = validation.warnings().size() == 1 ? "1 warning" : validation.warnings().size() + " warnings";
            if (!validation.valid()) {
                String errors = validation.errors().size() == 1 ? "1 error" : validation.errors().size() + " errors";
                rackctl.err().println(file + ": not valid: " + errors + ", " + warnings);
                return ExitCodes.FAILED;
            }
            rackctl.out().println(file + ": valid (" + warnings + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "apply", description = "Store FILE as the next revision of the plan; the coordinator then brings the homelab in line.")
    public static final class Apply
            extends ControlCommand
    {
        @Parameters(index = "0", paramLabel = "FILE")
        private Path file;

        @Option(names = "--dry-run", description = "Validate and show what would change; store nothing.")
        private boolean dryRun;

        @Option(names = "--expect-revision", paramLabel = "N", description = "Refuse unless the stored plan is at revision N (0: none yet), as Nomad's -check-index.")
        private Long expectRevision;

        @Override
        int run(ControlClient client)
        {
            String text = read(file);
            ApplyPlanResponse response = client.applyPlan(text, file.getFileName().toString(), dryRun,
                    expectRevision == null ? OptionalLong.empty() : OptionalLong.of(expectRevision));
            if (json()) {
                out().println(ProtoJson.print(ProtoJson.object(response)));
                return ExitCodes.OK;
            }
            response.getWarningsList().forEach(err()::println);
            printDiff(out(), response.getDiff());
            long revision = response.getRevision().getRevision();
            if (!response.getChanged()) {
                out().println("the plan is unchanged: it is revision " + revision + " already");
            }
            else if (dryRun) {
                out().println("dry run: would store revision " + revision + "; nothing stored");
            }
            else {
                out().println("stored plan revision " + revision);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", description = "Print the stored plan as applied (comments and all), or its record with -o json.")
    public static final class Show
            extends ControlCommand
    {
        @Option(names = "--revision", paramLabel = "N", description = "An earlier revision.")
        private Long revision;

        @Override
        int run(ControlClient client)
        {
            PlanRevision stored = client.plan(revision == null ? OptionalLong.empty() : OptionalLong.of(revision));
            if (stored.getRevision() == 0) {
                err().println("rackctl: no plan has been applied yet (rackctl plan apply FILE)");
                return ExitCodes.FAILED;
            }
            if (json()) {
                out().println(ProtoJson.print(ProtoJson.object(stored)));
                return ExitCodes.OK;
            }
            err().println("# revision " + stored.getRevision() + ", applied " + ProtoJson.value(stored.getAppliedAt()).asText() + " by " + stored.getAppliedBy() + " (" + stored.getReason() + ")");
            out().print(stored.getText());
            return ExitCodes.OK;
        }
    }

    @Command(name = "diff", description = "Compare the plan (the stored one, or FILE) with what the agents report. Exit 0: in sync; 2: drift; 1: error.")
    public static final class Diff
            extends ControlCommand
    {
        @Parameters(index = "0", paramLabel = "FILE", arity = "0..1", description = "A plan file to compare instead of the stored plan.")
        private Path file;

        @Override
        int run(ControlClient client)
        {
            PlanDiff diff = file == null
                    ? client.diffPlan(Optional.empty(), "")
                    : client.diffPlan(Optional.of(read(file)), file.getFileName().toString());
            if (json()) {
                ObjectNode object = ProtoJson.object(diff);
                object.put("inSync", diff.getItemsCount() == 0);
                out().println(ProtoJson.print(object));
            }
            else {
                printDiff(out(), diff);
            }
            return diff.getItemsCount() == 0 ? ExitCodes.OK : DRIFT;
        }

        @Override
        int badInputExitCode()
        {
            return ExitCodes.FAILED;
        }
    }

    static void printDiff(PrintStream out, PlanDiff diff)
    {
        String against = diff.getPlanRevision() == 0 ? "the plan given" : "plan revision " + diff.getPlanRevision();
        if (diff.getItemsCount() == 0) {
            out.println("in sync with " + against);
        }
        else {
            Table table = new Table("KIND", "SUBJECT", "PLAN", "HOMELAB", "ACTION");
            for (DriftItem item : diff.getItemsList()) {
                table.row(item.getKind(), item.getSubject(), item.getExpected(), item.getActual(),
                        (item.getEnforced() ? "enforced" : "reported") + (item.getDetail().isEmpty() ? "" : ": " + item.getDetail()));
            }
            table.print(out);
            out.println(diff.getItemsCount() + (diff.getItemsCount() == 1 ? " difference" : " differences") + " from " + against);
        }
        for (String unknown : diff.getUnknownList()) {
            out.println("not compared: " + unknown);
        }
    }

    static String read(Path file)
    {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
