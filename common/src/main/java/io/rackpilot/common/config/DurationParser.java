package io.rackpilot.common.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in config files: {@code 500ms}, {@code 5s}, {@code 2m},
 * {@code 1h}, {@code 1d}, and combinations from the largest unit down ({@code 1h30m},
 * {@code 2m30s}), as well as ISO-8601 ({@code PT5S}). A bare number other than {@code 0} is
 * refused: {@code 5} could mean seconds or milliseconds. Negative durations are refused.
 */
public final class DurationParser
{
    static final String EXAMPLES = "a duration such as 500ms, 5s, 2m, 1h30m or PT5S";

    private static final Pattern COMPONENT = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    private static final List<String> UNITS_LARGEST_FIRST = List.of("d", "h", "m", "s", "ms");

    private DurationParser() {}

    /**
     * @throws IllegalArgumentException with a message that quotes the text and shows the accepted forms
     */
    public static Duration parse(String text)
    {
        String trimmed = text.strip();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
            return parseIso(text, trimmed);
        }
        if (NUMBER.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("expected " + EXAMPLES + ", got \"" + text + "\" (a duration needs a unit: " + trimmed + "s or " + trimmed + "ms)");
        }
        Matcher matcher = COMPONENT.matcher(trimmed);
        Duration total = Duration.ZERO;
        int position = 0;
        int previousUnit = -1;
        while (position < trimmed.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                throw invalid(text);
            }
            int unit = UNITS_LARGEST_FIRST.indexOf(matcher.group(2));
            if (unit <= previousUnit) {
                throw new IllegalArgumentException("expected " + EXAMPLES + ", got \"" + text + "\" (write the units once each, largest first)");
            }
            previousUnit = unit;
            try {
                total = total.plus(component(Long.parseLong(matcher.group(1)), matcher.group(2)));
            }
            catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("duration \"" + text + "\" is too large");
            }
            position = matcher.end();
        }
        if (position == 0) {
            throw invalid(text);
        }
        return total;
    }

    /**
     * The shortest form {@link #parse} reads back: {@code 1h30m}, {@code 500ms}, {@code 0s};
     * ISO-8601 for what that form cannot say (negative or finer than a millisecond).
     */
    public static String format(Duration duration)
    {
        if (duration.isNegative() || duration.getNano() % 1_000_000 != 0) {
            return duration.toString();
        }
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long days = duration.toDays();
        append(text, days, "d");
        append(text, duration.toHoursPart(), "h");
        append(text, duration.toMinutesPart(), "m");
        append(text, duration.toSecondsPart(), "s");
        append(text, duration.toMillisPart(), "ms");
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit)
    {
        if (amount != 0) {
            text.append(amount).append(unit);
        }
    }

    private static Duration component(long amount, String unit)
    {
        return switch (unit) {
            case "d" -> Duration.ofDays(amount);
            case "h" -> Duration.ofHours(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "ms" -> Duration.ofMillis(amount);
            default -> throw new IllegalStateException("unit " + unit);
        };
    }

    private static Duration parseIso(String text, String trimmed)
    {
        Duration duration;
        try {
            duration = Duration.parse(trimmed);
        }
        catch (DateTimeParseException e) {
            throw invalid(text);
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException("expected " + EXAMPLES + ", got \"" + text + "\" (a duration must not be negative)");
        }
        return duration;
    }

    private static IllegalArgumentException invalid(String text)
    {
        return new IllegalArgumentException("expected " + EXAMPLES + ", got \"" + text + "\"");
    }
}
