package io.rackpilot.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs Prometheus' {@code promtool} on what the tests produce.
 */
public final class Promtool
{
    private static final long TIMEOUT_SECONDS = 60;

    private Promtool() {}

    /**
     * Fails the test when {@code promtool check metrics} (the exposition on its standard input) reports any
     * problem; skips it when promtool is missing, under the rule of {@link SystemTools#require}.
     */
    public static void checkMetrics(String exposition)
    {
        requireNonNull(exposition, "exposition is null");
        Path promtool = SystemTools.require("promtool");
        Result result = run(List.of(promtool.toString(), "check", "metrics"), exposition);
        if (result.exitCode() != 0 || !result.output().isBlank()) {
            fail("promtool check metrics reported problems (exit code " + result.exitCode() + "):\n"
                    + result.output()
                    + "\n--- exposition checked ---\n"
                    + exposition);
        }
    }

    /**
     * Fails the test when {@code promtool check rules} rejects {@code rules} (a rules file's YAML); skips it when promtool is missing, under the rule of
     * {@link SystemTools#require}.
     */
    public static void checkRules(String rules)
    {
        requireNonNull(rules, "rules is null");
        Path promtool = SystemTools.require("promtool");
        Path file;
        try {
            file = java.nio.file.Files.createTempFile("rackpilot-rules-", ".yml");
            java.nio.file.Files.writeString(file, rules);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Result result;
        try {
            result = run(List.of(promtool.toString(), "check", "rules", file.toString()), "");
        }
        finally {
            try {
                java.nio.file.Files.deleteIfExists(file);
            }
            catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
        if (result.exitCode() != 0) {
            fail("promtool check rules reported problems (exit code " + result.exitCode() + "):\n" + result.output() + "\n--- rules checked ---\n" + rules);
        }
    }

    /**
     * Runs a command with {@code input} on its standard input; returns its exit code and its standard output and error together.
     */
    static Result run(List<String> command, String input)
    {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        catch (IOException e) {
            // the tool stopped reading; its output says why
        }
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail(command + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), output.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        }
        catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return fail("cannot read the output of " + command, e);
        }
    }

    private static String readAll(InputStream stream)
    {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Result(int exitCode, String output) {}
}
