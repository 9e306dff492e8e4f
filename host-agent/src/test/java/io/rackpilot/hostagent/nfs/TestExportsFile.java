package io.rackpilot.hostagent.nfs;

import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.rackpilot.hostagent.nfs.TestNfsExportsValidation.export;
import static org.assertj.core.api.Assertions.assertThat;

class TestExportsFile
{
    @Test
    void rendersOneSortedLinePerExportAfterTheHeader()
    {
        List<NfsExport> exports = List.of(
                export("/srv/nfs-ssd", "10.0.20.0/24", "rw", "sync", "no_subtree_check", "no_root_squash"),
                NfsExport.newBuilder()
                        .setPath("/srv/nfs")
                        .addClients(NfsClient.newBuilder().setSpec("10.0.20.0/24").addAllOptions(List.of("rw", "sync", "no_subtree_check", "no_root_squash")))
                        .addClients(NfsClient.newBuilder().setSpec("*.lan").addOptions("ro"))
                        .addClients(NfsClient.newBuilder().setSpec("@backup"))
                        .build());
        assertThat(ExportsFile.lines(exports)).containsExactly(
                "# Managed by rackpilot (nfs.exports.apply); edits here are overwritten.",
                "# Exports in /etc/exports and other files of /etc/exports.d are not touched.",
                "/srv/nfs 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash) *.lan(ro) @backup",
                "/srv/nfs-ssd 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
        assertThat(ExportsFile.content(exports))
                .endsWith("/srv/nfs-ssd 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)\n")
                .isEqualTo(ExportsFile.content(List.of(exports.get(1), exports.get(0))));
    }

    @Test
    void noExportsGiveTheHeaderAlone()
    {
        assertThat(ExportsFile.lines(List.of())).isEqualTo(ExportsFile.HEADER);
        assertThat(ExportsFile.content(List.of())).isEqualTo(String.join("\n", ExportsFile.HEADER) + "\n");
    }
}
