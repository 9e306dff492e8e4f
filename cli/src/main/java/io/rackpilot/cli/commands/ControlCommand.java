package io.rackpilot.cli.commands;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.Rackctl;
import io.rackpilot.cli.client.ClientSettings;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.proto.v1.AgentInfo;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * What every command that talks to the coordinator shares: the connection (rackctl's global
 * options, {@link io.rackpilot.cli.ConnectionOptions}), the output format, and the mapping of
 * failures to exit codes.
 */
abstract class ControlCommand
        implements Callable<Integer>
{
    enum Format
    {
        table, json
    }

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table (default) or json.")
    Format format = Format.table;

    @Override
    public final Integer call()
    {
        ClientSettings settings;
        try {
            settings = ClientSettings.resolve(rackctl().connection().coordinator(), rackctl().connection().tlsDirectory(), rackctl().environment());
        }
        catch (IllegalArgumentException e) {
            err().println("rackctl: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        ManagedChannel channel;
        try {
            channel = ControlClient.open(settings);
        }
        catch (IOException | IllegalArgumentException e) {
            err().println("rackctl: cannot use the client certificate in " + settings.tlsFiles().certificate().getParent() + ": " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        try {
            return run(new ControlClient(channel));
        }
        catch (IllegalArgumentException e) {
            err().println("rackctl: " + e.getMessage());
            return badInputExitCode();
        }
        catch (StatusRuntimeException e) {
            return report(e, settings);
        }
        finally {
            channel.shutdownNow();
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    abstract int run(ControlClient client);

    /**
     * rackctl itself, however deep the command sits ({@code rackctl plan diff}).
     */
    Rackctl rackctl()
    {
        return (Rackctl) spec.root().userObject();
    }

    PrintStream out()
    {
        return rackctl().out();
    }

    PrintStream err()
    {
        return rackctl().err();
    }

    /**
     * The exit code for bad input or a refusal; {@code rackctl plan diff} keeps 2 for drift.
     */
    int badInputExitCode()
    {
        return ExitCodes.BAD_INPUT;
    }

    boolean json()
    {
        return format == Format.json;
    }

    /**
     * The agent as the coordinator knows it now; empty when unknown or when the coordinator cannot say.
     */
    static Optional<AgentInfo> agent(ControlClient client, String agentId)
    {
        try {
            return client.agents().stream().filter(info -> info.getId().equals(agentId)).findFirst();
        }
        catch (StatusRuntimeException e) {
            return Optional.empty();
        }
    }

    private int report(StatusRuntimeException e, ClientSettings settings)
    {
        Status status = e.getStatus();
        String description = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> {
                String cause = status.getCause() != null && status.getCause().getMessage() != null ? " (" + status.getCause().getMessage() + ")" : "";
                err().println("rackctl: cannot reach the coordinator at " + settings.coordinator() + ": " + description + cause);
                return ExitCodes.UNREACHABLE;
            }
            case NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, ABORTED -> {
                err().println("rackctl: " + description);
                return badInputExitCode();
            }
            case RESOURCE_EXHAUSTED -> {
                // a full disk on the coordinator, or a request larger than it takes
                err().println("rackctl: " + (description.startsWith("gRPC message exceeds maximum size")
                        ? "the request is larger than the coordinator takes (" + description + " bytes; its limit is maxMessageBytes in its configuration)"
                        : description));
                return ExitCodes.FAILED;
            }
            default -> {
                err().println("rackctl: the coordinator answered " + status.getCode() + ": " + description);
                return ExitCodes.FAILED;
            }
        }
    }
}
