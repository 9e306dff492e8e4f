package io.rackpilot.hostagent.nfs;

import io.rackpilot.proto.v1.NfsExport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Runs the exportfs binary (never through a shell): {@code exportfs -ra} to apply what
 * /etc/exports and /etc/exports.d/*.exports say, {@code exportfs -v} to read what is in force.
 */
public final class Exportfs
{
    public static final Path DEFAULT_BINARY = Path.of("/usr/sbin/exportfs");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Path binary;
    private final Duration timeout;

    public Exportfs(Path binary, Duration timeout)
    {
        this.binary = requireNonNull(binary, "binary is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    public static Exportfs standard()
    {
        return new Exportfs(DEFAULT_BINARY, DEFAULT_TIMEOUT);
    }

    public Path binary()
    {
        return binary;
    }

    /**
     * {@code exportfs -ra}: re-reads the exports files and brings the kernel's table in line.
     *
     * @throws IOException when exportfs cannot be started or runs past the timeout
     */
    ExportfsRun reexportAll()
            throws IOException, InterruptedException
    {
        return run("-ra");
    }

    /**
     * {@code exportfs -v}, as it ran.
     */
    ExportfsRun listVerbose()
            throws IOException, InterruptedException
    {
        return run("-v");
    }

    /**
     * The exports in force, from {@code exportfs -v}.
     *
     * @throws IOException when exportfs fails or prints something that cannot be read
     */
    public List<NfsExport> exportsInForce()
            throws IOException, InterruptedException
    {
        ExportfsRun run = listVerbose();
        if (!run.succeeded()) {
            throw new IOException(run.failure());
        }
        try {
            return ExportfsVerbose.parse(run.stdout());
        }
        catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private ExportfsRun run(String... arguments)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        }
        catch (IOException e) {
            throw new IOException("cannot run " + binary + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> stdout = readAll(process.getInputStream());
        CompletableFuture<String> stderr = readAll(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new ExportfsRun(command, process.exitValue(), stdout.get(), stderr.get());
        }
        catch (ExecutionException e) {
            throw new IOException("cannot read the output of " + String.join(" ", command) + ": " + e.getCause().getMessage(), e.getCause());
        }
        finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    // one thread per stream, so that a full stderr pipe cannot block the reading of stdout
    private static void startReader(Runnable reader)
    {
        Thread thread = new Thread(reader, "exportfs-output");
        thread.setDaemon(true);
        thread.start();
    }

    private static CompletableFuture<String> readAll(InputStream stream)
    {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Exportfs::startReader);
    }
}
