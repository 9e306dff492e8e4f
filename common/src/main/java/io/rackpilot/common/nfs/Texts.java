package io.rackpilot.common.nfs;

/**
 * Shows user text in error messages without letting newlines or control characters through.
 */
public final class Texts
{
    private Texts() {}

    public static String printable(String text)
    {
        StringBuilder builder = new StringBuilder(text.length());
        for (int index = 0; index < text.length(); index++) {
            char character = text.charAt(index);
            switch (character) {
                case '\n' -> builder.append("\\n");
                case '\r' -> builder.append("\\r");
                case '\t' -> builder.append("\\t");
                default -> {
                    if (Character.isISOControl(character)) {
                        builder.append(String.format("\\u%04x", (int) character));
                    }
                    else {
                        builder.append(character);
                    }
                }
            }
        }
        return builder.toString();
    }
}
