package io.rackpilot.agent.inventory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Finds the machine's SMBIOS system UUID (on a Proxmox VM: the {@code smbios1: uuid=} of its
 * config), in this order:
 * <ol>
 * <li>the override file, if it exists: the unit of an unprivileged agent copies the root-only
 * {@code product_uuid} there (e.g. {@code ExecStartPre=+cp /sys/class/dmi/id/product_uuid
 * /run/rackpilot/product_uuid}). An override file that exists is authoritative: if it does not hold
 * a UUID the answer is unknown, naming the file, rather than silently something else;</li>
 * <li>{@code <sysRoot>/class/dmi/id/product_uuid}, if readable (mode 0400: root only);</li>
 * <li>otherwise unknown, with the reason (no DMI at all, as in containers; not readable; ...).</li>
 * </ol>
 * A UUID is accepted in the 8-4-4-4-12 hex form, surrounding white space ignored, and reported in
 * lower case. The nil UUID and the all-ones UUID are placeholders some firmware reports, not
 * identities: they count as unknown.
 */
public final class SystemUuidSource
{
    public static final Path DEFAULT_SYS_ROOT = Path.of("/sys");
    public static final Path DEFAULT_OVERRIDE_FILE = Path.of("/run/rackpilot/product_uuid");

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final String NIL_UUID = "00000000-0000-0000-0000-000000000000";
    private static final String ALL_ONES_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff";
    private static final int MAXIMUM_SHOWN_CHARACTERS = 60;

    /**
     * Reads a whole small file; the seam through which tests play an unprivileged reader (tests
     * run as root, and root reads a 0400 file).
     */
    @FunctionalInterface
    interface FileReader
    {
        String read(Path file)
                throws IOException;
    }

    private final Path sysRoot;
    private final Optional<Path> overrideFile;
    private final FileReader reader;

    public SystemUuidSource(Path sysRoot, Optional<Path> overrideFile)
    {
        this(sysRoot, overrideFile, file -> Files.readString(file, StandardCharsets.UTF_8));
    }

    SystemUuidSource(Path sysRoot, Optional<Path> overrideFile, FileReader reader)
    {
        this.sysRoot = requireNonNull(sysRoot, "sysRoot is null");
        this.overrideFile = requireNonNull(overrideFile, "overrideFile is null");
        this.reader = requireNonNull(reader, "reader is null");
    }

    /**
     * {@code /sys} and {@code /run/rackpilot/product_uuid}.
     */
    public static SystemUuidSource standard()
    {
        return new SystemUuidSource(DEFAULT_SYS_ROOT, Optional.of(DEFAULT_OVERRIDE_FILE));
    }

    public Path dmiFile()
    {
        return sysRoot.resolve("class/dmi/id/product_uuid");
    }

    public SystemUuid read()
    {
        if (overrideFile.isPresent() && Files.exists(overrideFile.get())) {
            return readOverride(overrideFile.get());
        }
        return readDmi();
    }

    private SystemUuid readOverride(Path file)
    {
        String contents;
        try {
            contents = reader.read(file);
        }
        catch (AccessDeniedException e) {
            return SystemUuid.unknown(file + " not readable by this user");
        }
        catch (IOException e) {
            return SystemUuid.unknown("cannot read " + file + ": " + e);
        }
        return parse(contents, file, SystemUuid.FILE_SOURCE_PREFIX + file);
    }

    private SystemUuid readDmi()
    {
        Path file = dmiFile();
        Path dmiDirectory = file.getParent();
        if (!Files.isDirectory(dmiDirectory)) {
            return SystemUuid.unknown("no DMI on this machine (" + dmiDirectory + " does not exist)");
        }
        String contents;
        try {
            contents = reader.read(file);
        }
        catch (NoSuchFileException e) {
            return SystemUuid.unknown(file + " does not exist");
        }
        catch (AccessDeniedException e) {
            String hint = overrideFile.map(override -> "; copy it to " + override + " in the unit").orElse("");
            return SystemUuid.unknown(file + " not readable (root only)" + hint);
        }
        catch (IOException e) {
            return SystemUuid.unknown("cannot read " + file + ": " + e);
        }
        return parse(contents, file, SystemUuid.DMI_SOURCE);
    }

    private static SystemUuid parse(String contents, Path file, String source)
    {
        String value = contents.strip();
        if (value.isEmpty()) {
            return SystemUuid.unknown(file + " is empty");
        }
        if (!UUID.matcher(value).matches()) {
            return SystemUuid.unknown(file + " does not hold a UUID: '" + shorten(value) + "'");
        }
        String uuid = value.toLowerCase(Locale.ROOT);
        if (uuid.equals(NIL_UUID) || uuid.equals(ALL_ONES_UUID)) {
            return SystemUuid.unknown(file + " holds the placeholder UUID " + uuid + ", not an identity");
        }
        return SystemUuid.known(uuid, source);
    }

    private static String shorten(String value)
    {
        String firstLine = value.lines().findFirst().orElse("");
        if (firstLine.length() > MAXIMUM_SHOWN_CHARACTERS || !firstLine.equals(value)) {
            return firstLine.substring(0, Math.min(firstLine.length(), MAXIMUM_SHOWN_CHARACTERS)) + "...";
        }
        return firstLine;
    }
}
