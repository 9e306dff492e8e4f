package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.List;

/**
 * @param exports the directories the host exports, each path once
 */
public record Nfs(List<NfsExport> exports)
{
    public static final Nfs NONE = new Nfs(List.of());

    public Nfs
    {
        exports = ConfigValues.list(exports, "exports");
        for (int index = 0; index < exports.size(); index++) {
            for (int earlier = 0; earlier < index; earlier++) {
                if (exports.get(earlier).path().equals(exports.get(index).path())) {
                    throw ConfigValueException.at(List.of("exports", index, "path"), "\"" + exports.get(index).path() + "\" is already exported by exports[" + earlier + "]");
                }
            }
        }
    }
}
