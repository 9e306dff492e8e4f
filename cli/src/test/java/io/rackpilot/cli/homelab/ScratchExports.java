package io.rackpilot.cli.homelab;

import io.rackpilot.common.testing.SystemTools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A test's own managed exports file in /etc/exports.d (the real exportfs reads only there) and a
 * share to export, both removed afterwards with exportfs -ra. Needs root and exportfs: skips
 * without them, and fails instead when RACKPILOT_REQUIRE_SYSTEM_TESTS=1.
 */
final class ScratchExports
{
    private ScratchExports() {}

    interface Body
    {
        /**
         * @param share an empty directory to export, inside the homelab's temporary root
         * @param managed the exports file the host-agent is to manage (it does not exist yet)
         */
        void run(TestHomelab homelab, Path share, Path managed, Path exportfs)
                throws Exception;
    }

    static void with(Body body)
            throws Exception
    {
        Path exportfs = SystemTools.require("exportfs");
        if (!Files.isWritable(Path.of("/etc"))) {
            org.junit.jupiter.api.Assertions.assertNotEquals("1", System.getenv("RACKPILOT_REQUIRE_SYSTEM_TESTS"), "this test writes to /etc/exports.d and needs root");
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "this test writes to /etc/exports.d and needs root");
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Path managed = Path.of("/etc/exports.d/rackpilot-test-" + suffix + ".exports");
        boolean createdDirectory = !Files.exists(managed.getParent());
        try (TestHomelab homelab = new TestHomelab()) {
            Path share = homelab.root().resolve("rackpilot-test-" + suffix).resolve("nfs");
            Files.createDirectories(share);
            body.run(homelab, share, managed, exportfs);
        }
        finally {
            Files.deleteIfExists(managed);
            if (createdDirectory) {
                Files.deleteIfExists(managed.getParent());
            }
            exportfs(exportfs, "-ra");
        }
    }

    /**
     * Runs exportfs with one argument and returns what it printed.
     */
    static String exportfs(Path exportfs, String argument)
    {
        try {
            Process process = new ProcessBuilder(exportfs.toString(), argument).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            process.waitFor(30, TimeUnit.SECONDS);
            return output;
        }
        catch (Exception e) {
            throw new IllegalStateException("exportfs " + argument + " failed", e);
        }
    }
}
