package io.rackpilot.hostagent.nfs;

import io.rackpilot.common.nfs.Texts;
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code exportfs -v} prints: one line per path and client,
 * {@code /srv/nfs  \t10.0.20.0/24(sync,wdelay,...)}, or, for a long path, the path alone on a line
 * and the client on the next, indented. Options are kept as printed (defaults such as
 * {@code wdelay,root_squash,sec=sys} included); the world ({@code <world>}) becomes {@code *}.
 * Exports come sorted by path, clients in the order printed. Pure.
 */
final class ExportfsVerbose
{
    private static final Pattern CLIENT = Pattern.compile("(\\S+?)\\(([^()]*)\\)");
    private static final Pattern PATH_AND_CLIENT = Pattern.compile("(.*?)\\s+(\\S+?\\([^()]*\\))");

    private ExportfsVerbose() {}

    static List<NfsExport> parse(String output)
    {
        Map<String, List<NfsClient>> clientsByPath = new TreeMap<>();
        String pendingPath = null;
        int lineNumber = 0;
        for (String line : output.split("\n", -1)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                if (pendingPath == null) {
                    throw new IllegalArgumentException("exportfs -v output line " + lineNumber + ": client line without a path: '" + Texts.printable(line) + "'");
                }
                clientsByPath.computeIfAbsent(pendingPath, path -> new ArrayList<>()).add(client(line.strip(), lineNumber));
                pendingPath = null;
                continue;
            }
            Matcher matcher = PATH_AND_CLIENT.matcher(line.stripTrailing());
            if (matcher.matches()) {
                clientsByPath.computeIfAbsent(matcher.group(1), path -> new ArrayList<>()).add(client(matcher.group(2), lineNumber));
                pendingPath = null;
            }
            else {
                pendingPath = line.stripTrailing();
            }
        }
        if (pendingPath != null) {
            throw new IllegalArgumentException("exportfs -v output ends with path '" + pendingPath + "' and no client");
        }
        List<NfsExport> exports = new ArrayList<>();
        clientsByPath.forEach((path, clients) -> exports.add(NfsExport.newBuilder().setPath(path).addAllClients(clients).build()));
        return List.copyOf(exports);
    }

    private static NfsClient client(String text, int lineNumber)
    {
        Matcher matcher = CLIENT.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("exportfs -v output line " + lineNumber + ": expected client(options), got '" + Texts.printable(text) + "'");
        }
        String spec = matcher.group(1).equals("<world>") ? "*" : matcher.group(1);
        NfsClient.Builder client = NfsClient.newBuilder().setSpec(spec);
        for (String option : matcher.group(2).split(",")) {
            if (!option.isEmpty()) {
                client.addOptions(option);
            }
        }
        return client.build();
    }

    /**
     * The in-force exports keyed by path and then by client spec (lower case).
     */
    static Map<String, Map<String, NfsClient>> index(List<NfsExport> exports)
    {
        Map<String, Map<String, NfsClient>> index = new LinkedHashMap<>();
        for (NfsExport export : exports) {
            Map<String, NfsClient> clients = index.computeIfAbsent(export.getPath(), path -> new LinkedHashMap<>());
            for (NfsClient client : export.getClientsList()) {
                clients.putIfAbsent(client.getSpec().toLowerCase(java.util.Locale.ROOT), client);
            }
        }
        return index;
    }
}
