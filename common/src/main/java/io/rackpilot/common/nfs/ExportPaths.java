package io.rackpilot.common.nfs;

import java.util.Optional;

/**
 * Checks an export path as text: absolute, normalised, and free of characters that exports(5)
 * would need to escape or that would end the line. Pure.
 */
public final class ExportPaths
{
    public static final int MAXIMUM_LENGTH = 1024;

    private ExportPaths() {}

    /**
     * Why {@code path} is not an acceptable export path, or empty when it is.
     */
    public static Optional<String> problem(String path)
    {
        if (path.isEmpty()) {
            return Optional.of("path is empty");
        }
        for (int index = 0; index < path.length(); index++) {
            char character = path.charAt(index);
            if (Character.isWhitespace(character) || Character.isISOControl(character) || Character.isSpaceChar(character)) {
                return Optional.of("path '" + Texts.printable(path) + "' contains whitespace or a control character");
            }
            if ("'\"`\\#()".indexOf(character) >= 0) {
                return Optional.of("path '" + path + "' contains '" + character + "'");
            }
        }
        if (!path.startsWith("/")) {
            return Optional.of("path '" + path + "' is not absolute");
        }
        if (path.length() > MAXIMUM_LENGTH) {
            return Optional.of("path is longer than " + MAXIMUM_LENGTH + " characters");
        }
        if (path.equals("/")) {
            return Optional.empty();
        }
        if (path.endsWith("/") || path.contains("//")) {
            return Optional.of("path '" + path + "' is not normalised (empty segment or trailing '/')");
        }
        for (String segment : path.substring(1).split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("path '" + path + "' has a '" + segment + "' segment");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code path} is {@code root} or below it, segment by segment; both already acceptable.
     */
    public static boolean isUnder(String path, String root)
    {
        if (root.equals("/") || path.equals(root)) {
            return true;
        }
        return path.startsWith(root + "/");
    }
}
