package io.rackpilot.hostagent.nfs;

import io.rackpilot.common.nfs.ExportPaths;
import io.rackpilot.common.nfs.NfsExportRules;
import io.rackpilot.proto.v1.NfsExportsApplyAction;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Checks a desired set of exports against the export roots, as text only (whether the paths exist
 * is the handler's business); each export's form by {@link NfsExportRules}, the rule plan validation
 * uses too. Every message names the field: {@code exports[1].clients[0].options[2]: ...}.
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
        for (int exportIndex = 0; exportIndex < action.getExportsCount(); exportIndex++) {
            String path = action.getExports(exportIndex).getPath();
            if (ExportPaths.problem(path).isEmpty() && exportRoots.stream().noneMatch(root -> ExportPaths.isUnder(path, root))) {
                problems.add("exports[" + exportIndex + "].path: '" + path + "' is not under an export root " + exportRoots);
            }
        }
        NfsExportRules.problems("exports", action.getExportsList()).forEach(problem -> problems.add(problem.toString()));
        return List.copyOf(problems);
    }
}
