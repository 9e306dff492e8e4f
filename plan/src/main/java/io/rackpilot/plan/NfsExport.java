package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One exported directory, as a line of an exports file.
 *
 * @param path the absolute directory on the host ({@code /srv/nfs})
 * @param clients who may mount it and with which options; at least one
 */
public record NfsExport(String path, List<NfsClient> clients)
{
    public NfsExport
    {
        path = ConfigValues.requiredText(path, "path");
        if (!path.startsWith("/") || path.chars().anyMatch(character -> Character.isWhitespace(character) || Character.isISOControl(character))) {
            throw new ConfigValueException("path", "expected an absolute path without spaces, got \"" + path + "\"");
        }
        clients = ConfigValues.list(clients, "clients");
        if (clients.isEmpty()) {
            throw ConfigValueException.missing("clients");
        }
    }

    /**
     * The export as {@code exportfs} reads it: {@code /srv/nfs 10.0.20.0/24(rw,sync)}.
     */
    public String exportsLine()
    {
        return path + " " + clients.stream().map(NfsClient::toString).collect(Collectors.joining(" "));
    }
}
