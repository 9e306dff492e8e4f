package io.rackpilot.hostagent.proxmox;

import java.util.Locale;
import java.util.Optional;

/**
 * Reads {@code smbios1: uuid=...,manufacturer=...}.
 */
public final class Smbios1
{
    private Smbios1() {}

    /**
     * The UUID, lower case; empty when the value has none.
     */
    public static Optional<String> uuid(String value)
    {
        if (value == null) {
            return Optional.empty();
        }
        for (String part : value.split(",")) {
            String trimmed = part.strip();
            if (trimmed.startsWith("uuid=")) {
                String uuid = trimmed.substring("uuid=".length()).strip();
                return uuid.isEmpty() ? Optional.empty() : Optional.of(uuid.toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }
}
