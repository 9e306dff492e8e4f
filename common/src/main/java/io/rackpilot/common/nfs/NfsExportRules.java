package io.rackpilot.common.nfs;

import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The one rule for an NFS export as text, used by plan validation and by the host-agent before it
 * writes its exports file, so a plan that validates is not refused later for its form: the path is
 * absolute and normalised (no {@code .} or {@code ..} segment, no empty segment, no trailing
 * {@code /}) with nothing exports(5) would need to escape; at least one client, each a valid host,
 * network, wildcard or netgroup given once; options exports(5) knows, none given twice or
 * contradicting another. What only the host knows (its export roots, whether the directory exists)
 * the host-agent checks on top. Pure.
 */
public final class NfsExportRules
{
    private NfsExportRules() {}

    /**
     * One problem: the field it is about ({@code exports[0].clients[1].spec}) and what is wrong.
     */
    public record Problem(String field, String message)
    {
        public Problem
        {
            requireNonNull(field, "field is null");
            requireNonNull(message, "message is null");
        }

        @Override
        public String toString()
        {
            return field + ": " + message;
        }
    }

    /**
     * Everything wrong with a list of exports ({@code listField} {@code exports} gives
     * {@code exports[1].path}): each export's problems, and a path exported twice.
     */
    public static List<Problem> problems(String listField, List<NfsExport> exports)
    {
        requireNonNull(listField, "listField is null");
        List<Problem> problems = new ArrayList<>();
        Map<String, Integer> paths = new HashMap<>();
        for (int index = 0; index < exports.size(); index++) {
            NfsExport export = exports.get(index);
            String field = listField + "[" + index + "]";
            if (ExportPaths.problem(export.getPath()).isEmpty()) {
                Integer earlier = paths.putIfAbsent(export.getPath(), index);
                if (earlier != null) {
                    problems.add(new Problem(field + ".path", "'" + export.getPath() + "' is exported twice (also " + listField + "[" + earlier + "]); put all its clients in one export"));
                }
            }
            problems.addAll(problems(field, export));
        }
        return List.copyOf(problems);
    }

    /**
     * Everything wrong with one export, each problem's field starting with {@code field}
     * ({@code exports[0]} gives {@code exports[0].path}, {@code exports[0].clients[1].options[2]}).
     */
    public static List<Problem> problems(String field, NfsExport export)
    {
        requireNonNull(field, "field is null");
        requireNonNull(export, "export is null");
        List<Problem> problems = new ArrayList<>();
        ExportPaths.problem(export.getPath()).ifPresent(problem -> problems.add(new Problem(field + ".path", problem)));
        if (export.getClientsCount() == 0) {
            problems.add(new Problem(field + ".clients", "an export needs at least one client"));
        }
        Map<String, Integer> specs = new HashMap<>();
        for (int clientIndex = 0; clientIndex < export.getClientsCount(); clientIndex++) {
            NfsClient client = export.getClients(clientIndex);
            String clientField = field + ".clients[" + clientIndex + "]";
            Optional<String> specProblem = ClientSpecs.problem(client.getSpec());
            if (specProblem.isPresent()) {
                problems.add(new Problem(clientField + ".spec", specProblem.get()));
            }
            else {
                Integer earlier = specs.putIfAbsent(client.getSpec().toLowerCase(Locale.ROOT), clientIndex);
                if (earlier != null) {
                    problems.add(new Problem(clientField + ".spec", "client '" + client.getSpec() + "' is given twice (also " + field + ".clients[" + earlier + "])"));
                }
            }
            problems.addAll(ExportOptions.findings(clientField + ".options", client.getOptionsList()));
        }
        return List.copyOf(problems);
    }
}
