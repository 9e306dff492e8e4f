package io.rackpilot.hostagent.nfs;

import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The managed exports file: a header saying rackpilot manages it, then one line per export, sorted
 * by path; clients and options in the order given (the NFS server takes the first client that matches).
 * Pure.
 *
 * <pre>
 * # Managed by rackpilot (nfs.exports.apply); edits here are overwritten.
 * # Exports in /etc/exports and other files of /etc/exports.d are not touched.
 * /srv/nfs 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)
 * </pre>
 *
 * <p>No exports gives the header alone: the file stays, managing nothing.
 */
final class ExportsFile
{
    static final List<String> HEADER = List.of(
            "# Managed by rackpilot (nfs.exports.apply); edits here are overwritten.",
            "# Exports in /etc/exports and other files of /etc/exports.d are not touched.");

    private ExportsFile() {}

    /**
     * The file's lines for exports that passed {@link NfsExportsValidation}.
     */
    static List<String> lines(List<NfsExport> exports)
    {
        List<String> lines = new ArrayList<>(HEADER);
        exports.stream()
                .sorted(Comparator.comparing(NfsExport::getPath))
                .map(ExportsFile::line)
                .forEach(lines::add);
        return List.copyOf(lines);
    }

    static String content(List<NfsExport> exports)
    {
        return String.join("\n", lines(exports)) + "\n";
    }

    static String line(NfsExport export)
    {
        StringBuilder line = new StringBuilder(export.getPath());
        for (NfsClient client : export.getClientsList()) {
            line.append(' ').append(client.getSpec());
            if (client.getOptionsCount() > 0) {
                line.append('(').append(String.join(",", client.getOptionsList())).append(')');
            }
        }
        return line.toString();
    }
}
