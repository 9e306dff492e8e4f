package io.rackpilot.common.config;

import java.time.Duration;

/**
 * Checks of configuration values that parse but make no sense, each naming its key.
 */
public final class ConfigChecks
{
    private ConfigChecks() {}

    /**
     * Runs a parse of the value of {@code key}, putting the key in front of its error.
     */
    public static void parses(String key, Runnable parse)
    {
        try {
            parse.run();
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    public static void positive(String key, Duration duration)
    {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, got " + duration);
        }
    }

    public static void atLeast(String key, int value, int minimum)
    {
        if (value < minimum) {
            throw new IllegalArgumentException(key + " must be at least " + minimum + ", got " + value);
        }
    }
}
