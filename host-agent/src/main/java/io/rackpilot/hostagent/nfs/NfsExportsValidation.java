package io.rackpilot.hostagent.nfs;

import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExportsApplyAction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Checks a desired set of exports against the export roots, as text only (whether the paths exist
 * is the handler's business). Every message names the field: {@code exports[1].clients[0].options[2]: ...}.
 */
final class NfsExportsValidation
{
    private final List<String> exportRoots;

    NfsExportsValidation(List<String> exportRoots)
    {
        requireNonNull(exportRoots, "exportRoots is null");
        if (exportRoots.isEmpty()) {
            throw new IllegalArgumentException("exportRoots is empty");
        }
        for (String root : exportRoots) {
            Optional<String> problem = ExportPaths.problem(root);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("export root: " + problem.get());
            }
        }
        this.exportRoots = List.copyOf(exportRoots);
    }

    List<String> exportRoots()
    {
        return exportRoots;
    }

    /**
     * Everything wrong with {@code action}, empty when it may be applied.
     */
    List<String> problems(NfsExportsApplyAction action)
    {
        List<String> problems = new ArrayList<>();
        Map<String, Integer> paths = new HashMap<>();
        for (int exportIndex = 0; exportIndex < action.getExportsCount(); exportIndex++) {
            NfsExport export = action.getExports(exportIndex);
            String field = "exports[" + exportIndex + "]";
            Optional<String> pathProblem = ExportPaths.problem(export.getPath());
            if (pathProblem.isPresent()) {
                problems.add(field + ".path: " + pathProblem.get());
            }
            else if (exportRoots.stream().noneMatch(root -> ExportPaths.isUnder(export.getPath(), root))) {
                problems.add(field + ".path: '" + export.getPath() + "' is not under an export root " + exportRoots);
            }
            else {
                Integer earlier = paths.putIfAbsent(export.getPath(), exportIndex);
                if (earlier != null) {
                    problems.add(field + ".path: '" + export.getPath() + "' is exported twice (also exports[" + earlier + "]); put all its clients in one export");
                }
            }
            if (export.getClientsCount() == 0) {
                problems.add(field + ".clients: an export needs at least one client");
            }
            Map<String, Integer> specs = new HashMap<>();
            for (int clientIndex = 0; clientIndex < export.getClientsCount(); clientIndex++) {
                NfsClient client = export.getClients(clientIndex);
                String clientField = field + ".clients[" + clientIndex + "]";
                Optional<String> specProblem = ClientSpecs.problem(client.getSpec());
                if (specProblem.isPresent()) {
                    problems.add(clientField + ".spec: " + specProblem.get());
                }
                else {
                    Integer earlier = specs.putIfAbsent(client.getSpec().toLowerCase(Locale.ROOT), clientIndex);
                    if (earlier != null) {
                        problems.add(clientField + ".spec: client '" + client.getSpec() + "' is given twice (also " + field + ".clients[" + earlier + "])");
                    }
                }
                problems.addAll(ExportOptions.problems(clientField + ".options", client.getOptionsList()));
            }
        }
        return List.copyOf(problems);
    }
}
