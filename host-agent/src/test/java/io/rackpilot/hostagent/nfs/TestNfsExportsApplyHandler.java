package io.rackpilot.hostagent.nfs;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExportsApplyAction;
import io.rackpilot.proto.v1.NfsExportsApplyResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static io.rackpilot.hostagent.nfs.TestNfsExportsValidation.export;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Against the real exportfs, on a scratch managed file; see {@link ScratchExports}.
 */
class TestNfsExportsApplyHandler
{
    private static final List<String> SEED_OPTIONS = List.of("rw", "sync", "no_subtree_check", "no_root_squash");

    @TempDir
    Path temporary;

    private ScratchExports scratch;
    private Path root;
    private Path managedFile;
    private NfsExportsApplyHandler handler;

    @BeforeEach
    void setUp()
            throws IOException, InterruptedException
    {
        scratch = new ScratchExports();
        root = Files.createDirectories(scratch.directory(temporary).resolve("srv"));
        Files.createDirectories(root.resolve("nfs"));
        Files.createDirectories(root.resolve("nfs-ssd"));
        managedFile = scratch.file("");
        handler = new NfsExportsApplyHandler(managedFile, List.of(root), scratch.exportfs());
    }

    @AfterEach
    void tearDown()
            throws IOException, InterruptedException
    {
        scratch.close();
    }

    private static Action action(NfsExport... exports)
    {
        return Action.newBuilder().setNfsExportsApply(NfsExportsApplyAction.newBuilder().addAllExports(List.of(exports))).build();
    }

    private NfsExport seed(String name)
    {
        return export(root.resolve(name).toString(), "10.0.20.0/24", SEED_OPTIONS.toArray(String[]::new));
    }

    /**
     * What the framework does for a real run: prepare, and apply unless already in place.
     */
    private NfsExportsApplyResult run(Action action)
            throws ActionException, InterruptedException
    {
        PreparedAction prepared = handler.prepare(action);
        if (prepared.alreadyInPlace()) {
            return prepared.preview().getNfsExportsApply();
        }
        PreparedAction.Applied applied = prepared.apply();
        assertThat(applied.changed()).isTrue();
        return applied.result().getNfsExportsApply();
    }

    private List<NfsExport> inForce(String path)
            throws IOException, InterruptedException
    {
        return scratch.inForce().stream().filter(export -> export.getPath().equals(path)).toList();
    }

    @Test
    void appliesChangesAndReappliesWithoutTouchingTheFile()
            throws Exception
    {
        String nfs = root.resolve("nfs").toString();
        String ssd = root.resolve("nfs-ssd").toString();
        NfsExportsApplyResult first = run(action(seed("nfs-ssd"), seed("nfs")));
        assertThat(Files.readAllLines(managedFile)).isEqualTo(first.getLinesList()).containsExactly(
                ExportsFile.HEADER.get(0),
                ExportsFile.HEADER.get(1),
                nfs + " 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)",
                ssd + " 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(managedFile))).isEqualTo("rw-r--r--");
        assertThat(inForce(nfs)).singleElement().satisfies(export -> {
            assertThat(export.getClientsList()).extracting(NfsClient::getSpec).containsExactly("10.0.20.0/24");
            assertThat(export.getClients(0).getOptionsList()).contains("rw", "sync", "no_subtree_check", "no_root_squash");
        });
        assertThat(first.getInForceList()).extracting(NfsExport::getPath).contains(nfs, ssd);

        // change: nfs-ssd goes, nfs becomes read-only for the VLAN and gains a second client
        NfsExport changed = NfsExport.newBuilder()
                .setPath(nfs)
                .addClients(NfsClient.newBuilder().setSpec("10.0.20.0/24").addAllOptions(List.of("ro", "sync", "no_subtree_check")))
                .addClients(NfsClient.newBuilder().setSpec("10.0.30.7").addAllOptions(List.of("rw", "async", "no_subtree_check", "all_squash", "anonuid=1000")))
                .build();
        run(action(changed));
        assertThat(inForce(ssd)).isEmpty();
        assertThat(inForce(nfs)).singleElement().satisfies(export -> {
            assertThat(export.getClientsList()).extracting(NfsClient::getSpec).containsExactlyInAnyOrder("10.0.20.0/24", "10.0.30.7");
            for (NfsClient client : export.getClientsList()) {
                if (client.getSpec().equals("10.0.20.0/24")) {
                    assertThat(client.getOptionsList()).contains("ro", "root_squash").doesNotContain("rw");
                }
                else {
                    assertThat(client.getOptionsList()).contains("rw", "async", "all_squash", "anonuid=1000");
                }
            }
        });

        // the same again: nothing to do, the file is not rewritten
        Files.setLastModifiedTime(managedFile, FileTime.fromMillis(1_000_000_000_000L));
        List<NfsExport> inForce = scratch.inForce();
        PreparedAction again = handler.prepare(action(changed));
        assertThat(again.alreadyInPlace()).isTrue();
        assertThat(again.summary()).contains("already");
        assertThat(again.preview().getNfsExportsApply().getLinesList()).isEqualTo(Files.readAllLines(managedFile));
        assertThat(Files.getLastModifiedTime(managedFile).toMillis()).isEqualTo(1_000_000_000_000L);
        assertThat(scratch.inForce()).isEqualTo(inForce);
    }

    @Test
    void noExportsLeaveTheHeaderAlone()
            throws Exception
    {
        String nfs = root.resolve("nfs").toString();
        assertThat(handler.prepare(action()).alreadyInPlace()).as("no file and nothing to export").isTrue();
        assertThat(managedFile).doesNotExist();

        run(action(seed("nfs")));
        assertThat(inForce(nfs)).hasSize(1);
        NfsExportsApplyResult emptied = run(action());
        assertThat(Files.readAllLines(managedFile)).isEqualTo(ExportsFile.HEADER).isEqualTo(emptied.getLinesList());
        assertThat(inForce(nfs)).isEmpty();
        assertThat(handler.prepare(action()).alreadyInPlace()).isTrue();
    }

    @Test
    void exportfsRefusingRollsBackToThePreviousFile()
            throws Exception
    {
        // another file already exports nfs-ssd to 10.0.21.0/24 read-write; asking for read-only there too
        // passes our validation, but exportfs refuses the incompatible duplicate
        String ssd = root.resolve("nfs-ssd").toString();
        Path other = scratch.file("-other");
        Files.writeString(other, ssd + " 10.0.21.0/24(rw,no_subtree_check)\n");
        scratch.reexport();
        run(action(seed("nfs")));
        byte[] previous = Files.readAllBytes(managedFile);
        List<NfsExport> inForce = scratch.inForce();

        PreparedAction prepared = handler.prepare(action(seed("nfs"), export(ssd, "10.0.21.0/24", "ro", "no_subtree_check")));
        assertThat(prepared.alreadyInPlace()).isFalse();
        assertThatThrownBy(prepared::apply)
                .isInstanceOfSatisfying(ActionException.class, e -> assertThat(e.kind()).isEqualTo(ActionException.Kind.FAILED))
                .hasMessageContaining("exportfs -ra exited with 1")
                .hasMessageContaining("duplicated export entries")
                .hasMessageContaining("previous " + managedFile + " restored and re-applied");
        assertThat(Files.readAllBytes(managedFile)).isEqualTo(previous);
        assertThat(scratch.inForce()).isEqualTo(inForce);
        assertThat(Files.readString(other)).isEqualTo(ssd + " 10.0.21.0/24(rw,no_subtree_check)\n");
    }

    @Test
    void failingExportfsRemovesTheNewFileWhenThereWasNone()
            throws Exception
    {
        List<NfsExport> inForce = scratch.inForce();
        Path failing = ScratchExports.script(temporary, "exportfs",
                "if [ \"$1\" = \"-ra\" ]; then echo 'exportfs: " + managedFile + ":2: simulated failure' >&2; exit 1; fi\n"
                        + "exec " + scratch.binary() + " \"$@\"");
        NfsExportsApplyHandler failingHandler = new NfsExportsApplyHandler(managedFile, List.of(root), new Exportfs(failing, Duration.ofSeconds(30)));

        PreparedAction prepared = failingHandler.prepare(action(seed("nfs")));
        assertThatThrownBy(prepared::apply)
                .isInstanceOf(ActionException.class)
                .hasMessageContaining(managedFile + " line 2: simulated failure")
                .hasMessageContaining(managedFile + " removed (there was none before)");
        assertThat(managedFile).doesNotExist();
        assertThat(scratch.inForce()).isEqualTo(inForce);
    }

    @Test
    void exportsMissingAfterwardsRollBack()
            throws Exception
    {
        run(action(seed("nfs")));
        byte[] previous = Files.readAllBytes(managedFile);
        List<NfsExport> inForce = scratch.inForce();
        // exportfs -ra really runs; exportfs -v claims nothing is exported
        Path blind = ScratchExports.script(temporary, "exportfs",
                "if [ \"$1\" = \"-v\" ]; then exit 0; fi\nexec " + scratch.binary() + " \"$@\"");
        NfsExportsApplyHandler blindHandler = new NfsExportsApplyHandler(managedFile, List.of(root), new Exportfs(blind, Duration.ofSeconds(30)));

        PreparedAction prepared = blindHandler.prepare(action(seed("nfs"), seed("nfs-ssd")));
        assertThatThrownBy(prepared::apply)
                .isInstanceOf(ActionException.class)
                .hasMessageContaining("exportfs -v does not show 10.0.20.0/24:" + root.resolve("nfs"))
                .hasMessageContaining("restored and re-applied");
        assertThat(Files.readAllBytes(managedFile)).isEqualTo(previous);
        assertThat(scratch.inForce()).isEqualTo(inForce);
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndChangesNothing()
            throws Exception
    {
        run(action(seed("nfs")));
        byte[] previous = Files.readAllBytes(managedFile);
        List<NfsExport> inForce = scratch.inForce();
        Path outside = Files.createDirectories(temporary.resolve("outside"));
        Files.createSymbolicLink(root.resolve("escape"), outside);

        assertRejected(action(seed("nfs"), export("srv/nfs", "10.0.20.0/24", "rw")), "exports[1].path: path 'srv/nfs' is not absolute");
        assertRejected(action(export(root + "/nfs/../../outside", "10.0.20.0/24", "rw")), "exports[0].path: path '" + root + "/nfs/../../outside' has a '..' segment");
        assertRejected(action(export(outside.toString(), "10.0.20.0/24", "rw")), "exports[0].path: '" + outside + "' is not under an export root [" + root + "]");
        assertRejected(action(export(root.resolve("missing").toString(), "10.0.20.0/24", "rw")), "exports[0].path: '" + root.resolve("missing") + "' does not exist");
        assertRejected(action(export(root.resolve("escape").toString(), "10.0.20.0/24", "rw")), "exports[0].path: '" + root.resolve("escape") + "' resolves to '" + outside.toRealPath() + "'");
        assertRejected(action(export(root + "/nfs\n/etc", "*", "rw")), "exports[0].path: path '" + root + "/nfs\\n/etc' contains whitespace or a control character");
        assertRejected(action(export(root + "/nfs", "10.0.20.0/24 10.0.21.0/24", "rw")), "exports[0].clients[0].spec: client spec '10.0.20.0/24 10.0.21.0/24' contains whitespace");
        assertRejected(action(export(root + "/nfs", "10.0.20.0/24", "rw", "sync", "no_root_sqash")), "exports[0].clients[0].options[2]: unknown export option 'no_root_sqash'");
        assertRejected(action(export(root + "/nfs", "10.0.20.0/24", "rw", "ro")), "exports[0].clients[0].options[1]: option 'ro' contradicts 'rw'");
        assertThatThrownBy(() -> handler.prepare(Action.newBuilder().setPing(io.rackpilot.proto.v1.PingAction.getDefaultInstance()).build()))
                .hasMessageContaining("expected an nfs.exports.apply action");

        assertThat(Files.readAllBytes(managedFile)).isEqualTo(previous);
        assertThat(scratch.inForce()).isEqualTo(inForce);
    }

    private void assertRejected(Action action, String message)
    {
        assertThatThrownBy(() -> handler.prepare(action))
                .isInstanceOfSatisfying(ActionException.class, e -> assertThat(e.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void dryRunChangesNothing()
            throws Exception
    {
        List<NfsExport> inForce = scratch.inForce();
        PreparedAction prepared = handler.prepare(action(seed("nfs"), seed("nfs-ssd")));
        assertThat(prepared.alreadyInPlace()).isFalse();
        assertThat(prepared.summary()).isEqualTo("would write 2 export(s) to " + managedFile + " and run exportfs -ra");
        NfsExportsApplyResult preview = prepared.preview().getNfsExportsApply();
        assertThat(preview.getLinesList()).hasSize(4).contains(root.resolve("nfs") + " 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
        assertThat(preview.getInForceList()).extracting(NfsExport::getPath).doesNotContain(root.resolve("nfs").toString());
        assertThat(managedFile).doesNotExist();
        assertThat(scratch.inForce()).isEqualTo(inForce);
    }

    @Test
    void managedFileMustBeAnExportsFile()
    {
        assertThatThrownBy(() -> new NfsExportsApplyHandler(Path.of("/etc/exports.d/rackpilot"), List.of(Path.of("/srv")), Exportfs.standard()))
                .hasMessageContaining("ending in .exports");
        assertThatThrownBy(() -> new NfsExportsApplyHandler(Path.of("rackpilot.exports"), List.of(Path.of("/srv")), Exportfs.standard()))
                .hasMessageContaining("absolute");
        assertThat(new NfsExportsApplyHandler(NfsExportsApplyHandler.DEFAULT_MANAGED_FILE, NfsExportsApplyHandler.DEFAULT_EXPORT_ROOTS, Exportfs.standard()).kind())
                .isEqualTo(Action.KindCase.NFS_EXPORTS_APPLY);
    }
}
