package io.rackpilot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * rackctl's command line itself: help everywhere, global options anywhere, values refused in plain words.
 */
class TestRackctl
{
    @TempDir
    Path directory;

    @Test
    void everyCommandAndSubcommandAnswersHelp()
    {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Rackctl(System.out, System.err, Map.of())), new ArrayList<>(), commands);
        assertThat(commands).as("the walk reaches the nested commands")
                .contains(List.of(), List.of("ca"), List.of("ca", "issue"), List.of("plan", "diff"), List.of("gpu", "move"), List.of("dev"), List.of("agents"));

        for (List<String> command : commands) {
            for (String help : List.of("--help", "-h")) {
                List<String> arguments = new ArrayList<>(command);
                arguments.add(help);
                Result result = rackctl(Map.of(), arguments.toArray(String[]::new));
                assertThat(result.exitCode()).as("rackctl %s: %s", arguments, result.err()).isZero();
                assertThat(result.out()).as("rackctl %s", arguments).contains("Usage: " + String.join(" ", Stream.concat(Stream.of("rackctl"), command.stream()).toList()));
                assertThat(result.err()).as("rackctl %s", arguments).isEmpty();
            }
        }
    }

    @Test
    void globalOptionsWorkBeforeAndAfterTheCommand()
            throws IOException
    {
        Path ca = directory.resolve("ca");
        Path tls = directory.resolve("alice");
        assertThat(rackctl(Map.of(), "ca", "init", "--dir", ca.toString()).exitCode()).isZero();
        assertThat(rackctl(Map.of(), "ca", "issue", "--ca-dir", ca.toString(), "--role", "admin", "alice", "--out", tls.toString()).exitCode()).isZero();
        int port = closedPort();
        String coordinator = "127.0.0.1:" + port;

        List<List<String>> placements = List.of(
                List.of("--coordinator", coordinator, "--tls-dir", tls.toString(), "agents"),
                List.of("agents", "--coordinator", coordinator, "--tls-dir", tls.toString()),
                List.of("--coordinator=" + coordinator, "agents", "--tls-dir", tls.toString()),
                List.of("--tls-dir", tls.toString(), "plan", "diff", "--coordinator", coordinator),
                List.of("plan", "--coordinator", coordinator, "diff", "--tls-dir", tls.toString()),
                List.of("--coordinator", coordinator, "--tls-dir", tls.toString(), "gpu", "status", "-o", "json"));
        for (List<String> arguments : placements) {
            Result result = rackctl(Map.of(), arguments.toArray(String[]::new));
            assertThat(result.err()).as("rackctl %s", arguments).startsWith("rackctl: cannot reach the coordinator at " + coordinator + ": ");
            assertThat(result.exitCode()).as("rackctl %s", arguments).isEqualTo(ExitCodes.UNREACHABLE);
        }

        // the flag wins over the environment, wherever it is
        Result flagOverEnvironment = rackctl(Map.of("RACKPILOT_COORDINATOR", "nowhere.invalid:1", "RACKPILOT_TLS_DIR", tls.toString()), "--coordinator", coordinator, "agents");
        assertThat(flagOverEnvironment.err()).startsWith("rackctl: cannot reach the coordinator at " + coordinator + ": ");
    }

    @Test
    void numbersInOptionsAreRefusedInPlainWords()
    {
        Result days = rackctl(Map.of(), "ca", "init", "--days", "abc", "--dir", directory.resolve("ca").toString());
        assertThat(days.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(days.err()).startsWith("Invalid value for option '--days': 'abc' is not a whole number (-2147483648 to 2147483647)");

        Result revision = rackctl(Map.of(), "plan", "show", "--revision", "1.5");
        assertThat(revision.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(revision.err()).startsWith("Invalid value for option '--revision': '1.5' is not a whole number (-9223372036854775808 to 9223372036854775807)");

        Result limit = rackctl(Map.of(), "commands", "--limit", "99999999999");
        assertThat(limit.err()).startsWith("Invalid value for option '--limit': '99999999999' is not a whole number");
    }

    @Test
    void unknownOptionsAreStillRefused()
    {
        Result result = rackctl(Map.of(), "--coordinatr", "x:1", "agents");
        assertThat(result.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(result.err()).startsWith("Unknown option");
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> into)
    {
        into.add(List.copyOf(path));
        for (Map.Entry<String, CommandLine> subcommand : command.getSubcommands().entrySet()) {
            if (!subcommand.getKey().equals(subcommand.getValue().getCommandName())) {
                continue; // an alias
            }
            List<String> deeper = new ArrayList<>(path);
            deeper.add(subcommand.getKey());
            collect(subcommand.getValue(), deeper, into);
        }
    }

    private static int closedPort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Result rackctl(Map<String, String> environment, String... arguments)
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = Rackctl.run(arguments, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), environment);
        return new Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {}
}
