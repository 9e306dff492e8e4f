package io.rackpilot.hostagent.nfs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what {@code exportfs} writes to stderr into one message per complaint, each naming the
 * file and line where exportfs says which: {@code /etc/exports.d/rackpilot.exports line 3: unknown keyword "bogus"}.
 * exportfs spells the place three ways ({@code FILE:3:}, {@code FILE: 3:}, {@code FILE [3]:});
 * indented lines continue the complaint before them. Pure.
 */
final class ExportfsDiagnostics
{
    private static final Pattern PREFIX = Pattern.compile("^(?:\\S*/)?exportfs: ");
    private static final Pattern PLACE = Pattern.compile("(/\\S*?)(?::\\s?(\\d+)|\\s\\[(\\d+)\\]):\\s*(.*)");

    private ExportfsDiagnostics() {}

    static List<String> messages(String stderr)
    {
        List<String> messages = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Matcher prefix = PREFIX.matcher(line);
            if (prefix.find()) {
                messages.add(place(line.substring(prefix.end()).strip()));
            }
            else if (!messages.isEmpty() && Character.isWhitespace(line.charAt(0))) {
                int last = messages.size() - 1;
                messages.set(last, messages.get(last) + " " + line.strip());
            }
            else {
                messages.add(line.strip());
            }
        }
        return List.copyOf(messages);
    }

    private static String place(String text)
    {
        Matcher matcher = PLACE.matcher(text);
        if (!matcher.matches()) {
            return text;
        }
        String line = matcher.group(2) != null ? matcher.group(2) : matcher.group(3);
        return matcher.group(1) + " line " + line + ": " + matcher.group(4);
    }
}
