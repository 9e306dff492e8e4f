package io.rackpilot.hostagent.nfs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestExportfsDiagnostics
{
    @Test
    void namesFileAndLineForEachComplaint()
            throws IOException
    {
        assertThat(ExportfsDiagnostics.messages(TestExportfsVerbose.resource("exportfs-ra-stderr.txt"))).containsExactly(
                "/etc/exports.d/rackpilot.exports line 3: unknown keyword \"bogus\"",
                "/etc/exports.d/other.exports line 1: bad anonuid \"anonuid=abc\"",
                "/etc/exports line 2: Neither 'subtree_check' or 'no_subtree_check' specified for export \"*.lan:/srv/nfs\"."
                        + " Assuming default behaviour ('no_subtree_check'). NOTE: this default has changed since nfs-utils version 1.0.x",
                "Failed to stat /srv/gone: No such file or directory");
    }

    @Test
    void failureSaysCommandExitCodeAndComplaints()
    {
        ExportfsRun run = new ExportfsRun(List.of("/usr/sbin/exportfs", "-ra"), 1, "", "exportfs: /etc/exports.d/x.exports:2: unknown keyword \"bogus\"\n");
        assertThat(run.succeeded()).isFalse();
        assertThat(run.failure()).isEqualTo("/usr/sbin/exportfs -ra exited with 1: /etc/exports.d/x.exports line 2: unknown keyword \"bogus\"");
        assertThat(new ExportfsRun(List.of("exportfs", "-v"), 2, "", "").failure()).isEqualTo("exportfs -v exited with 2: no message");
        assertThat(ExportfsDiagnostics.messages("something odd\n")).containsExactly("something odd");
    }
}
