package io.rackpilot.cli;

import io.rackpilot.cli.commands.AgentsCommand;
import io.rackpilot.cli.commands.CaCommand;
import io.rackpilot.cli.commands.CommandCommand;
import io.rackpilot.cli.commands.CommandsCommand;
import io.rackpilot.cli.commands.ExecCommand;
import io.rackpilot.cli.commands.GpuCommand;
import io.rackpilot.cli.commands.GpusCommand;
import io.rackpilot.cli.commands.PlanCommand;
import io.rackpilot.cli.commands.InventoryCommand;
import io.rackpilot.cli.commands.TargetsCommand;
import io.rackpilot.cli.dev.DevCommand;
import io.rackpilot.common.RackpilotVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * {@code rackctl}, the operator's CLI. Exit codes: 0 ok, 1 the command failed, 2 bad usage or bad
 * input, 3 the coordinator could not be reached.
 */
@Command(
        name = "rackctl",
        mixinStandardHelpOptions = true,
        // every subcommand, at any depth, inherits -h/--help, -V/--version and the exit codes
        scope = ScopeType.INHERIT,
        versionProvider = Rackctl.Version.class,
        description = "Operate a rackpilot homelab: agents, inventory, commands, and a simulated homelab for trying it out.",
        subcommands = {
                AgentsCommand.class,
                InventoryCommand.class,
                ExecCommand.class,
                CommandsCommand.class,
                CommandCommand.class,
                GpusCommand.class,
                GpuCommand.class,
                PlanCommand.class,
                TargetsCommand.class,
                CaCommand.class,
                DevCommand.class,
                CommandLine.HelpCommand.class,
        },
        exitCodeOnInvalidInput = ExitCodes.BAD_INPUT,
        exitCodeOnExecutionException = ExitCodes.FAILED)
public final class Rackctl
        implements Runnable
{
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;

    @CommandLine.Mixin
    private final ConnectionOptions connection = new ConnectionOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public Rackctl(PrintStream out, PrintStream err, Map<String, String> environment)
    {
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    public static void main(String[] arguments)
    {
        System.exit(run(arguments, System.out, System.err, System.getenv()));
    }

    public static int run(String[] arguments, PrintStream out, PrintStream err, Map<String, String> environment)
    {
        CommandLine commandLine = new CommandLine(new Rackctl(out, err, environment));
        // in the operator's words, not Java's ('abc' is not an int)
        commandLine.registerConverter(Integer.class, text -> (int) wholeNumber(text, Integer.MIN_VALUE, Integer.MAX_VALUE));
        commandLine.registerConverter(int.class, text -> (int) wholeNumber(text, Integer.MIN_VALUE, Integer.MAX_VALUE));
        commandLine.registerConverter(Long.class, text -> wholeNumber(text, Long.MIN_VALUE, Long.MAX_VALUE));
        commandLine.registerConverter(long.class, text -> wholeNumber(text, Long.MIN_VALUE, Long.MAX_VALUE));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            err.println("rackctl: " + exception.getMessage());
            return ExitCodes.FAILED;
        });
        return commandLine.execute(arguments);
    }

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see rackctl --help)");
    }

    private static long wholeNumber(String text, long minimum, long maximum)
    {
        long value;
        try {
            value = Long.parseLong(text.strip());
        }
        catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number (" + minimum + " to " + maximum + ")");
        }
        if (value < minimum || value > maximum) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number (" + minimum + " to " + maximum + ")");
        }
        return value;
    }

    public PrintStream out()
    {
        return out;
    }

    public PrintStream err()
    {
        return err;
    }

    public Map<String, String> environment()
    {
        return environment;
    }

    /**
     * The global options, wherever they were given on the command line.
     */
    public ConnectionOptions connection()
    {
        return connection;
    }

    public static final class Version
            implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            return new String[] {"rackctl " + RackpilotVersion.current()};
        }
    }
}
