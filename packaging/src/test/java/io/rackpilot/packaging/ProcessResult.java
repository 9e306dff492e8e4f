package io.rackpilot.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * What a command printed and how it ended.
 */
record ProcessResult(List<String> command, int exitCode, String output, String errors)
{
    ProcessResult
    {
        command = List.copyOf(command);
        requireNonNull(output, "output is null");
        requireNonNull(errors, "errors is null");
    }

    /**
     * Runs a command (never through a shell) with its input closed, waiting at most two minutes.
     */
    static ProcessResult run(List<String> command)
    {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> errors = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " ran longer than two minutes");
            }
            return new ProcessResult(command, process.exitValue(), output.join(), errors.join());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static ProcessResult run(String... command)
    {
        return run(List.of(command));
    }

    /**
     * Runs a command that must succeed, and returns what it printed on standard output.
     */
    static String check(String... command)
    {
        ProcessResult result = run(command);
        if (result.exitCode() != 0) {
            throw new AssertionError(result.describe());
        }
        return result.output();
    }

    String describe()
    {
        return String.join(" ", command) + " exited with " + exitCode + "\n--- stdout\n" + output + "--- stderr\n" + errors;
    }

    private static String read(InputStream stream)
    {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
