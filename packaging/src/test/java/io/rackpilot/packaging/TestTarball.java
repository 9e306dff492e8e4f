package io.rackpilot.packaging;

import io.rackpilot.common.testing.SystemTools;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The .tar.gz for distributions without dpkg holds the packages' files, at the same paths and with
 * the same modes (the coordinator's lib/ as a directory of its own rather than a link).
 */
final class TestTarball
{
    @Test
    void holdsEveryPackagedFileWithItsMode()
    {
        SystemTools.require("tar");
        SystemTools.require("dpkg-deb");
        Map<String, Integer> tarred = new HashMap<>();
        for (String line : ProcessResult.check("tar", "--list", "--verbose", "--gzip", "--file", BuiltPackages.tarball().toString()).split("\n")) {
            if (line.startsWith("-")) {
                // -rwxr-xr-x 0/0 476 2026-11-24 20:32 usr/bin/rackctl
                DebEntry entry = DebEntry.parse(line.replaceFirst("(\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+)", "$1./"));
                tarred.put(entry.path(), entry.mode());
            }
        }
        assertThat(tarred.keySet()).allMatch(path -> path.startsWith("/usr/") || path.startsWith("/lib/") || path.startsWith("/etc/"));
        int packaged = 0;
        for (String daemon : BuiltPackages.DAEMONS) {
            for (DebEntry entry : TestDebianPackages.contents(daemon)) {
                if (entry.isRegularFile()) {
                    assertThat(tarred).as("in the tarball").containsEntry(entry.path(), entry.mode());
                    packaged++;
                }
            }
        }
        for (String jar : TestDebianPackages.jarsIn("coordinator/target/lib")) {
            assertThat(tarred).containsEntry("/usr/share/rackpilot/coordinator/lib/" + jar, 0644);
        }
        assertThat(tarred).hasSize(packaged + TestDebianPackages.jarsIn("coordinator/target/lib").size());
    }
}
