package io.rackpilot.agent.inventory;

/**
 * OSHI says "unknown" (or returns an empty string, or -1) where it could not find a value; the
 * inventory says empty string and zero.
 */
final class OshiValues
{
    static final String OSHI_UNKNOWN = "unknown";

    private OshiValues() {}

    static String text(String value)
    {
        if (value == null) {
            return "";
        }
        String trimmed = value.strip();
        if (trimmed.equalsIgnoreCase(OSHI_UNKNOWN)) {
            return "";
        }
        return trimmed;
    }

    static long nonNegative(long value)
    {
        return Math.max(value, 0);
    }

    /**
     * For {@code uint32} fields: negative is unknown (0), more than fits is clamped.
     */
    static int unsignedInt(long value)
    {
        if (value <= 0) {
            return 0;
        }
        return (int) Math.min(value, 0xFFFF_FFFFL);
    }
}
