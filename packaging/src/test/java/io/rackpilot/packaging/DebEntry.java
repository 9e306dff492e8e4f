package io.rackpilot.packaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One line of {@code dpkg-deb --contents}: {@code -rwxr-xr-x root/root 544 2026-11-24 20:32 ./usr/bin/rackctl},
 * or for a link {@code lrwxrwxrwx root/root 0 2026-11-24 20:32 ./usr/share/x/lib -> ../y/lib}.
 *
 * @param path absolute, without the leading dot and without a trailing slash
 * @param mode the permission bits (0755)
 */
record DebEntry(char type, int mode, String owner, String path, Optional<String> linkTarget)
{
    DebEntry
    {
        requireNonNull(owner, "owner is null");
        requireNonNull(path, "path is null");
        requireNonNull(linkTarget, "linkTarget is null");
    }

    boolean isRegularFile()
    {
        return type == '-';
    }

    boolean isDirectory()
    {
        return type == 'd';
    }

    boolean isSymbolicLink()
    {
        return type == 'l';
    }

    static List<DebEntry> parseContents(String listing)
    {
        List<DebEntry> entries = new ArrayList<>();
        for (String line : listing.split("\n")) {
            if (!line.isBlank()) {
                entries.add(parse(line));
            }
        }
        return List.copyOf(entries);
    }

    static DebEntry parse(String line)
    {
        // permissions, owner/group, size, date, time, then the name (which may hold " -> ")
        String[] fields = line.trim().split("\\s+", 6);
        if (fields.length != 6 || fields[0].length() != 10 || !fields[5].startsWith("./")) {
            throw new IllegalArgumentException("not a dpkg-deb --contents line: '" + line + "'");
        }
        String name = fields[5];
        Optional<String> target = Optional.empty();
        int arrow = name.indexOf(" -> ");
        if (fields[0].charAt(0) == 'l' && arrow >= 0) {
            target = Optional.of(name.substring(arrow + 4));
            name = name.substring(0, arrow);
        }
        String path = name.substring(1);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new DebEntry(fields[0].charAt(0), permissionBits(fields[0]), fields[1], path, target);
    }

    private static int permissionBits(String permissions)
    {
        int mode = 0;
        String symbols = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            char symbol = permissions.charAt(i + 1);
            mode <<= 1;
            if (symbol == symbols.charAt(i) || (symbol == 's' && symbols.charAt(i) == 'x') || (symbol == 't' && i == 8)) {
                mode |= 1;
            }
        }
        return mode;
    }
}
