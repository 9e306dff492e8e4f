package io.rackpilot.hostagent.nfs;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TestNfsExportsCollector
{
    @TempDir
    Path temporary;

    @Test
    void collectsWhatExportfsSaysIsInForce()
            throws Exception
    {
        try (ScratchExports scratch = new ScratchExports()) {
            Path share = Files.createDirectories(scratch.directory(temporary).resolve("share"));
            Files.writeString(scratch.file(""), share + " 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash) @cluster(ro,no_subtree_check)\n");
            scratch.reexport();

            Inventory.Builder inventory = Inventory.newBuilder();
            Path managed = temporary.resolve("rackpilot.exports");
            Files.writeString(managed, String.join("\n", ExportsFile.HEADER) + "\n" + share + "/a 10.0.20.0/24(rw)\n\n\"" + share + "/b\" nas(ro)\n");
            NfsExportsCollector collector = new NfsExportsCollector(scratch.exportfs(), managed);
            collector.collect(inventory);

            assertThat(collector.name()).isEqualTo("nfs_exports");
            NfsExports section = inventory.getNfsExports();
            assertThat(section.getError()).isEmpty();
            assertThat(section.getItemsList()).filteredOn(export -> export.getPath().equals(share.toString()))
                    .singleElement()
                    .satisfies(export -> assertThat(export.getClientsList()).extracting(client -> client.getSpec()).containsExactlyInAnyOrder("10.0.20.0/24", "@cluster"));
            assertThat(inventory.hasCpu()).as("only its own section").isFalse();
            // what rackpilot's own file exports, told apart from the other files
            assertThat(section.getManagedFile()).isEqualTo(managed.toString());
            assertThat(section.getManagedPathsList()).containsExactly(share + "/a", share + "/b");
        }
    }

    @Test
    void reportsAMissingExportfs()
            throws Exception
    {
        Path missing = temporary.resolve("no-exportfs");
        Inventory.Builder inventory = Inventory.newBuilder();
        new NfsExportsCollector(new Exportfs(missing, Duration.ofSeconds(5)), temporary.resolve("rackpilot.exports")).collect(inventory);

        assertThat(inventory.hasNfsExports()).isTrue();
        assertThat(inventory.getNfsExports().getItemsList()).isEmpty();
        assertThat(inventory.getNfsExports().getError()).startsWith("cannot run " + missing);
    }

    @Test
    void reportsAFailingExportfs()
            throws Exception
    {
        Path failing = ScratchExports.script(temporary, "exportfs", "echo 'exportfs: could not open /var/lib/nfs/etab' >&2\nexit 2");
        Inventory.Builder inventory = Inventory.newBuilder();
        new NfsExportsCollector(new Exportfs(failing, Duration.ofSeconds(5)), temporary.resolve("rackpilot.exports")).collect(inventory);

        assertThat(inventory.getNfsExports().getItemsList()).isEmpty();
        assertThat(inventory.getNfsExports().getError()).isEqualTo(failing + " -v exited with 2: could not open /var/lib/nfs/etab");
    }

    @Test
    void reportsAHangingExportfs()
            throws Exception
    {
        Path hanging = ScratchExports.script(temporary, "exportfs", "exec sleep 30");
        Inventory.Builder inventory = Inventory.newBuilder();
        new NfsExportsCollector(new Exportfs(hanging, Duration.ofMillis(300)), temporary.resolve("rackpilot.exports")).collect(inventory);

        assertThat(inventory.getNfsExports().getError()).isEqualTo(hanging + " -v did not finish within PT0.3S");
    }

    @Test
    void reportsOutputItCannotRead()
            throws Exception
    {
        Path garbled = ScratchExports.script(temporary, "exportfs", "echo '/srv/nfs'");
        Inventory.Builder inventory = Inventory.newBuilder();
        new NfsExportsCollector(new Exportfs(garbled, Duration.ofSeconds(5)), temporary.resolve("rackpilot.exports")).collect(inventory);

        assertThat(inventory.getNfsExports().getItemsList()).extracting(NfsExport::getPath).isEmpty();
        assertThat(inventory.getNfsExports().getError()).contains("ends with path '/srv/nfs'");
    }
}
