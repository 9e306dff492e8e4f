package io.rackpilot.agent.inventory;

import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The SMBIOS system UUID, if known, and where it came from: {@code file:<path>}, {@code dmi}, or
 * {@code unknown: <reason>}.
 */
public record SystemUuid(Optional<String> uuid, String source)
{
    public static final String DMI_SOURCE = "dmi";
    public static final String FILE_SOURCE_PREFIX = "file:";
    public static final String UNKNOWN_SOURCE_PREFIX = "unknown: ";

    private static final Pattern CANONICAL = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public SystemUuid
    {
        requireNonNull(uuid, "uuid is null");
        requireNonNull(source, "source is null");
        uuid.ifPresent(value -> {
            if (!CANONICAL.matcher(value).matches()) {
                throw new IllegalArgumentException("not a lower-case UUID: '" + value + "'");
            }
        });
        if (uuid.isPresent() == source.startsWith(UNKNOWN_SOURCE_PREFIX)) {
            throw new IllegalArgumentException("a known UUID needs a source other than 'unknown', an unknown one a reason: " + source);
        }
    }

    public static SystemUuid known(String uuid, String source)
    {
        return new SystemUuid(Optional.of(uuid), source);
    }

    public static SystemUuid unknown(String reason)
    {
        return new SystemUuid(Optional.empty(), UNKNOWN_SOURCE_PREFIX + requireNonNull(reason, "reason is null"));
    }
}
