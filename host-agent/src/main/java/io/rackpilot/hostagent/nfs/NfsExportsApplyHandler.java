package io.rackpilot.hostagent.nfs;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.common.io.AtomicFiles;
import io.rackpilot.common.nfs.ExportOptions;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExportsApplyAction;
import io.rackpilot.proto.v1.NfsExportsApplyResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code nfs.exports.apply}: makes the managed exports file (default
 * {@code /etc/exports.d/rackpilot.exports}) say exactly the desired exports, applies it with
 * {@code exportfs -ra} and checks with {@code exportfs -v} that each desired path and client is in
 * force with the access ({@code rw}/{@code ro}) and root squashing asked for. On any failure the
 * previous file is put back (or the new one removed when there was none) and {@code exportfs -ra}
 * runs again. Other files in /etc/exports.d and /etc/exports are never written.
 *
 * <p>An empty list of exports writes the header alone: the file stays and exports nothing. Where
 * there is no managed file yet, an empty list is already in place and creates none.
 *
 * <p>Because {@code exportfs -ra} reads every exports file, a broken line in another file makes
 * the action fail (and roll back) too; the message names that file and line.
 */
public final class NfsExportsApplyHandler
        implements ActionHandler
{
    public static final Path DEFAULT_MANAGED_FILE = Path.of("/etc/exports.d/rackpilot.exports");
    public static final List<Path> DEFAULT_EXPORT_ROOTS = List.of(Path.of("/srv"));

    private final Path managedFile;
    private final NfsExportsValidation validation;
    private final Exportfs exportfs;

    /**
     * @param managedFile the file rackpilot owns; its name must end in {@code .exports} for exportfs to read it
     * @param exportRoots absolute, normalised directories every export must be in
     */
    public NfsExportsApplyHandler(Path managedFile, List<Path> exportRoots, Exportfs exportfs)
    {
        this.managedFile = requireNonNull(managedFile, "managedFile is null");
        if (!managedFile.isAbsolute() || !managedFile.getFileName().toString().endsWith(".exports")) {
            throw new IllegalArgumentException("managedFile must be an absolute path ending in .exports: " + managedFile);
        }
        this.validation = new NfsExportsValidation(requireNonNull(exportRoots, "exportRoots is null").stream().map(Path::toString).toList());
        this.exportfs = requireNonNull(exportfs, "exportfs is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.NFS_EXPORTS_APPLY;
    }

    /**
     * Up to four exportfs runs (apply, check, and on failure re-apply), each with its own timeout.
     */
    @Override
    public Duration timeout()
    {
        return Duration.ofMinutes(2);
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        if (action.getKindCase() != Action.KindCase.NFS_EXPORTS_APPLY) {
            throw ActionException.rejected("expected an nfs.exports.apply action, got " + action.getKindCase());
        }
        NfsExportsApplyAction desired = action.getNfsExportsApply();
        List<String> problems = new ArrayList<>(validation.problems(desired));
        if (problems.isEmpty()) {
            problems.addAll(directoryProblems(desired.getExportsList()));
        }
        if (!problems.isEmpty()) {
            throw ActionException.rejected("nfs.exports.apply: " + String.join("; ", problems));
        }
        List<NfsExport> exports = List.copyOf(desired.getExportsList());
        String content = ExportsFile.content(exports);
        Optional<String> current = read(managedFile);
        boolean inPlace = current.map(content::equals).orElse(exports.isEmpty());
        // with no managed file and nothing to export there is no file, and no lines
        List<String> lines = current.isEmpty() && inPlace ? List.of() : ExportsFile.lines(exports);
        return new Prepared(exports, lines, content, inPlace);
    }

    private List<String> directoryProblems(List<NfsExport> exports)
            throws ActionException
    {
        List<String> problems = new ArrayList<>();
        for (int index = 0; index < exports.size(); index++) {
            String field = "exports[" + index + "].path";
            Path path = Path.of(exports.get(index).getPath());
            if (!Files.exists(path)) {
                problems.add(field + ": '" + path + "' does not exist");
                continue;
            }
            if (!Files.isDirectory(path)) {
                problems.add(field + ": '" + path + "' is not a directory");
                continue;
            }
            try {
                // a symbolic link inside a root must not lead out of every root
                Path real = path.toRealPath();
                boolean inside = false;
                for (String root : validation.exportRoots()) {
                    Path rootPath = Path.of(root);
                    if (Files.exists(rootPath) && real.startsWith(rootPath.toRealPath())) {
                        inside = true;
                    }
                }
                if (!inside) {
                    problems.add(field + ": '" + path + "' resolves to '" + real + "', which is not under an export root " + validation.exportRoots());
                }
            }
            catch (IOException e) {
                throw ActionException.rejected(field + ": cannot resolve '" + path + "': " + e.getMessage());
            }
        }
        return problems;
    }

    private static Optional<String> read(Path file)
            throws ActionException
    {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (NoSuchFileException e) {
            return Optional.empty();
        }
        catch (IOException e) {
            throw ActionException.failed("cannot read the managed exports file " + file + ": " + e.getMessage(), e);
        }
    }

    private final class Prepared
            implements PreparedAction
    {
        private final List<NfsExport> exports;
        private final List<String> lines;
        private final String content;
        private final boolean inPlace;

        private Prepared(List<NfsExport> exports, List<String> lines, String content, boolean inPlace)
        {
            this.exports = exports;
            this.lines = lines;
            this.content = content;
            this.inPlace = inPlace;
        }

        @Override
        public String summary()
        {
            if (inPlace) {
                return managedFile + " already has the " + exports.size() + " export(s) asked for";
            }
            return "would write " + exports.size() + " export(s) to " + managedFile + " and run exportfs -ra";
        }

        @Override
        public boolean alreadyInPlace()
        {
            return inPlace;
        }

        @Override
        public ActionResult preview()
        {
            List<NfsExport> inForce;
            try {
                inForce = exportfs.exportsInForce();
            }
            catch (IOException e) {
                inForce = List.of();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                inForce = List.of();
            }
            return result(lines, inForce);
        }

        @Override
        public Applied apply()
                throws ActionException, InterruptedException
        {
            Optional<byte[]> previous = previousContent();
            try {
                write(content.getBytes(StandardCharsets.UTF_8));
            }
            catch (IOException e) {
                throw rollBack(previous, "cannot write " + managedFile + ": " + e.getMessage(), e);
            }
            List<NfsExport> inForce;
            try {
                ExportfsRun reexport = exportfs.reexportAll();
                if (!reexport.succeeded()) {
                    throw rollBack(previous, reexport.failure(), null);
                }
                inForce = exportfs.exportsInForce();
            }
            catch (IOException e) {
                throw rollBack(previous, e.getMessage(), e);
            }
            catch (InterruptedException e) {
                rollBack(previous, "interrupted", e);
                throw e;
            }
            List<String> missing = missing(exports, inForce);
            if (!missing.isEmpty()) {
                throw rollBack(previous, "exportfs -ra succeeded but exportfs -v does not show " + String.join("; ", missing), null);
            }
            return new Applied(true, "wrote " + exports.size() + " export(s) to " + managedFile + " and applied them", result(lines, inForce));
        }

        private void write(byte[] bytes)
                throws IOException
        {
            AtomicFiles.write(managedFile, bytes);
            // exports files are world-readable, as /etc/exports is
            Files.setPosixFilePermissions(managedFile, PosixFilePermissions.fromString("rw-r--r--"));
        }

        private Optional<byte[]> previousContent()
                throws ActionException
        {
            try {
                return Optional.of(Files.readAllBytes(managedFile));
            }
            catch (NoSuchFileException e) {
                return Optional.empty();
            }
            catch (IOException e) {
                throw ActionException.failed("cannot read the managed exports file " + managedFile + ": " + e.getMessage(), e);
            }
        }

        /**
         * Puts the previous file back, re-applies, and gives the exception to throw.
         */
        private ActionException rollBack(Optional<byte[]> previous, String reason, Throwable cause)
                throws InterruptedException
        {
            String restored;
            try {
                if (previous.isPresent()) {
                    write(previous.get());
                    restored = "previous " + managedFile + " restored";
                }
                else {
                    Files.deleteIfExists(managedFile);
                    restored = managedFile + " removed (there was none before)";
                }
                ExportfsRun reexport = exportfs.reexportAll();
                restored += reexport.succeeded() ? " and re-applied" : ", but re-applying failed: " + reexport.failure();
            }
            catch (IOException e) {
                restored = "rolling back failed too: " + e.getMessage();
            }
            return ActionException.failed("nfs.exports.apply failed: " + reason + " (" + restored + ")", cause);
        }
    }

    /**
     * The desired path and client pairs that {@code exportfs -v} does not show, or shows with
     * another access or root squashing.
     */
    static List<String> missing(List<NfsExport> desired, List<NfsExport> inForce)
    {
        Map<String, Map<String, NfsClient>> index = ExportfsVerbose.index(inForce);
        List<String> missing = new ArrayList<>();
        for (NfsExport export : desired) {
            Map<String, NfsClient> clients = index.getOrDefault(export.getPath(), Map.of());
            for (NfsClient client : export.getClientsList()) {
                NfsClient actual = clients.get(client.getSpec().toLowerCase(Locale.ROOT));
                String name = client.getSpec() + ":" + export.getPath();
                if (actual == null) {
                    missing.add(name);
                    continue;
                }
                String access = ExportOptions.access(client.getOptionsList());
                String squash = ExportOptions.rootSquash(client.getOptionsList());
                if (!actual.getOptionsList().contains(access) || !actual.getOptionsList().contains(squash)) {
                    missing.add(name + " with " + access + "," + squash + " (in force: " + String.join(",", actual.getOptionsList()) + ")");
                }
            }
        }
        return List.copyOf(missing);
    }

    private static ActionResult result(List<String> lines, List<NfsExport> inForce)
    {
        return ActionResult.newBuilder()
                .setNfsExportsApply(NfsExportsApplyResult.newBuilder().addAllLines(lines).addAllInForce(inForce))
                .build();
    }
}
