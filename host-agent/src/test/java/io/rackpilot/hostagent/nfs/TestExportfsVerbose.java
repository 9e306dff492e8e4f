package io.rackpilot.hostagent.nfs;

import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestExportfsVerbose
{
    static String resource(String name)
            throws IOException
    {
        try (InputStream stream = TestExportfsVerbose.class.getResourceAsStream("/nfs/" + name)) {
            assertThat(stream).as(name).isNotNull();
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesWrappedAndSingleLineEntries()
            throws IOException
    {
        List<NfsExport> exports = ExportfsVerbose.parse(resource("exportfs-v.txt"));
        assertThat(exports).extracting(NfsExport::getPath).containsExactly(
                "/srv/nfs", "/srv/nfs-ssd", "/srv/nfs-ssd/a/very/long/path/name/that/exportfs/wraps/onto/two/lines");
        assertThat(exports.get(0).getClientsList()).extracting(NfsClient::getSpec).containsExactly("10.0.20.0/24", "*");
        assertThat(exports.get(0).getClients(0).getOptionsList()).containsExactly(
                "sync", "wdelay", "hide", "no_subtree_check", "sec=sys", "rw", "no_root_squash", "no_all_squash");
        assertThat(exports.get(1).getClientsList()).extracting(NfsClient::getSpec).containsExactly("fd00::/64", "@cluster");
        assertThat(exports.get(1).getClients(1).getOptionsList()).contains("fsid=0", "sec=krb5p:sys", "anonuid=1000", "all_squash");
        assertThat(exports.get(2).getClients(0).getSpec()).isEqualTo("10.0.20.5");
        assertThat(exports.get(2).getClients(0).getOptionsList()).contains("rw", "root_squash");
    }

    @Test
    void keepsSpacesInsideAPath()
    {
        List<NfsExport> exports = ExportfsVerbose.parse("/srv/my share  \t10.0.20.0/24(sync,rw)\n/srv/a much longer shared path\n\t\tnas(ro)\n");
        assertThat(exports).extracting(NfsExport::getPath).containsExactly("/srv/a much longer shared path", "/srv/my share");
        assertThat(exports.get(1).getClients(0).getOptionsList()).containsExactly("sync", "rw");
    }

    @Test
    void emptyOutputMeansNoExports()
    {
        assertThat(ExportfsVerbose.parse("")).isEmpty();
        assertThat(ExportfsVerbose.parse("\n")).isEmpty();
    }

    @Test
    void rejectsOutputItCannotRead()
    {
        assertThatThrownBy(() -> ExportfsVerbose.parse("\t\tnas(ro)\n")).hasMessageContaining("line 1: client line without a path");
        assertThatThrownBy(() -> ExportfsVerbose.parse("/srv/nfs\n")).hasMessageContaining("ends with path '/srv/nfs'");
        assertThatThrownBy(() -> ExportfsVerbose.parse("/srv/nfs\n\t\tnas ro\n")).hasMessageContaining("line 2: expected client(options)");
    }
}
