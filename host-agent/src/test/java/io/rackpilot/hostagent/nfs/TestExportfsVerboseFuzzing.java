package io.rackpilot.hostagent.nfs;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the reader of {@code exportfs -v} output with Jazzer (see
 * docs/testing.md). The input is what exportfs printed. The reader answers with the exports or an
 * {@link IllegalArgumentException} that says which line is wrong. Regression inputs:
 * {@code src/test/resources/io/rackpilot/hostagent/nfs/TestExportfsVerboseFuzzingInputs/parseExportfsVerbose}.
 */
final class TestExportfsVerboseFuzzing
{
    @FuzzTest(maxDuration = "30s")
    void parseExportfsVerbose(byte[] input)
    {
        List<NfsExport> exports;
        try {
            exports = ExportfsVerbose.parse(new String(input, StandardCharsets.UTF_8));
        }
        catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("exportfs -v output");
            return;
        }
        for (NfsExport export : exports) {
            assertThat(export.getPath()).isNotBlank();
            assertThat(export.getClientsList()).isNotEmpty();
            for (NfsClient client : export.getClientsList()) {
                assertThat(client.getSpec()).isNotEmpty();
            }
        }
        assertThat(ExportfsVerbose.index(exports)).hasSize(exports.size());
    }
}
