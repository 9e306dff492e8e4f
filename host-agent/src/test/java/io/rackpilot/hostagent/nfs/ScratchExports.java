package io.rackpilot.hostagent.nfs;

import io.rackpilot.common.testing.SystemTools;
import io.rackpilot.proto.v1.NfsExport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The real exportfs on scratch files of this test's own in /etc/exports.d
 * ({@code rackpilot-test-<random>*.exports}), all removed again by {@link #close}, which re-runs
 * {@code exportfs -ra} and checks that {@code exportfs -v} says what it said before. exportfs needs
 * no NFS server for this: it keeps its table in /var/lib/nfs/etab. Needs root.
 *
 * <p>Exported directories go under {@link #directory}, whose path carries the same random name, so
 * that {@link #inForce} can leave out the exports of another build running these tests at the same time.
 */
final class ScratchExports
        implements AutoCloseable
{
    static final Path EXPORTS_DIRECTORY = Path.of("/etc/exports.d");

    private final Path binary;
    private static final String SCRATCH_NAME = "rackpilot-test-";

    private final String prefix = SCRATCH_NAME + UUID.randomUUID().toString().substring(0, 8);
    private final boolean createdDirectory;
    private final List<Path> files = new ArrayList<>();
    private final List<NfsExport> before;

    ScratchExports()
            throws IOException, InterruptedException
    {
        this.binary = SystemTools.require("exportfs");
        Path writable = Files.isDirectory(EXPORTS_DIRECTORY) ? EXPORTS_DIRECTORY : EXPORTS_DIRECTORY.getParent();
        if (!Files.isWritable(writable)) {
            String message = "the exportfs tests write scratch files to " + EXPORTS_DIRECTORY + " and need root";
            if ("1".equals(System.getenv(SystemTools.REQUIRE_VARIABLE))) {
                fail(message);
            }
            abort(message + "; skipping");
        }
        this.createdDirectory = !Files.isDirectory(EXPORTS_DIRECTORY);
        Files.createDirectories(EXPORTS_DIRECTORY);
        this.before = inForce();
    }

    Path binary()
    {
        return binary;
    }

    Exportfs exportfs()
    {
        return new Exportfs(binary, Duration.ofSeconds(30));
    }

    /**
     * A file name of this test's own, not created; removed on close if it gets created.
     */
    Path file(String suffix)
    {
        Path file = EXPORTS_DIRECTORY.resolve(prefix + suffix + ".exports");
        files.add(file);
        return file;
    }

    /**
     * A script standing in for exportfs, in {@code directory}.
     */
    static Path script(Path directory, String name, String body)
            throws IOException
    {
        Path script = directory.resolve(name);
        Files.writeString(script, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /**
     * A directory of this test's own to export from, under {@code temporary}.
     */
    Path directory(Path temporary)
            throws IOException
    {
        return Files.createDirectories(temporary.resolve(prefix)).toRealPath();
    }

    /**
     * What {@code exportfs -v} says is in force now, less the exports of other scratch instances.
     */
    List<NfsExport> inForce()
            throws IOException, InterruptedException
    {
        ExportfsRun run = exportfs().listVerbose();
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        return ExportfsVerbose.parse(run.stdout()).stream()
                .filter(export -> !export.getPath().contains("/" + SCRATCH_NAME) || export.getPath().contains("/" + prefix))
                .toList();
    }

    void reexport()
            throws IOException, InterruptedException
    {
        exportfs().reexportAll();
    }

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        try {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
            try (Stream<Path> leftovers = Files.list(EXPORTS_DIRECTORY)) {
                // AtomicFiles' temporary files, should a test have died between write and rename
                for (Path leftover : leftovers.filter(path -> path.getFileName().toString().startsWith("." + prefix)).toList()) {
                    Files.deleteIfExists(leftover);
                }
            }
            if (createdDirectory) {
                try (Stream<Path> entries = Files.list(EXPORTS_DIRECTORY)) {
                    if (entries.findAny().isEmpty()) {
                        Files.delete(EXPORTS_DIRECTORY);
                    }
                }
            }
        }
        finally {
            reexport();
        }
        assertThat(inForce()).as("exportfs -v after the test").isEqualTo(before);
    }
}
