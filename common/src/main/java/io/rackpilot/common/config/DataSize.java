package io.rackpilot.common.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of memory or storage in bytes, written in config files as a number of bytes
 * ({@code 1048576}) or with a unit: binary {@code KiB MiB GiB TiB PiB} (powers of 1024) or
 * decimal {@code kB KB MB GB TB PB} (powers of 1000), with an optional fraction
 * ({@code 1.5GiB}, {@code 10.7TB}) rounded to the nearest byte. {@code 32G} is refused as
 * ambiguous.
 */
public record DataSize(long bytes)
        implements Comparable<DataSize>
{
    static final String EXAMPLES = "a size such as 512KiB, 4MiB, 160GiB, 1.1TB or a number of bytes";

    private static final long KIBIBYTE = 1024L;
    private static final long MEBIBYTE = KIBIBYTE * 1024;
    private static final long GIBIBYTE = MEBIBYTE * 1024;
    private static final long TEBIBYTE = GIBIBYTE * 1024;
    private static final long PEBIBYTE = TEBIBYTE * 1024;

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([A-Za-z]*)");
    private static final Map<String, Long> UNITS = units();

    public DataSize
    {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size must not be negative: " + bytes);
        }
    }

    public static DataSize ofBytes(long bytes)
    {
        return new DataSize(bytes);
    }

    public static DataSize ofKibibytes(long kibibytes)
    {
        return new DataSize(Math.multiplyExact(kibibytes, KIBIBYTE));
    }

    public static DataSize ofMebibytes(long mebibytes)
    {
        return new DataSize(Math.multiplyExact(mebibytes, MEBIBYTE));
    }

    public static DataSize ofGibibytes(long gibibytes)
    {
        return new DataSize(Math.multiplyExact(gibibytes, GIBIBYTE));
    }

    public static DataSize ofTebibytes(long tebibytes)
    {
        return new DataSize(Math.multiplyExact(tebibytes, TEBIBYTE));
    }

    /**
     * @throws IllegalArgumentException with a message that quotes the text and shows the accepted forms
     */
    public static DataSize parse(String text)
    {
        Matcher matcher = SIZE.matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected " + EXAMPLES + ", got \"" + text + "\"");
        }
        String unit = matcher.group(2);
        Long multiplier = UNITS.get(unit);
        if (multiplier == null) {
            String hint = switch (unit) {
                case "K", "k", "M", "G", "T", "P" -> " (write " + matcher.group(1) + unit.toUpperCase(Locale.ROOT) + "iB for powers of 1024 or " + matcher.group(1) + unit.toUpperCase(Locale.ROOT) + "B for powers of 1000)";
                default -> "";
            };
            throw new IllegalArgumentException("expected " + EXAMPLES + ", got \"" + text + "\"" + hint);
        }
        BigDecimal amount = new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(multiplier));
        if (multiplier == 1 && amount.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("expected " + EXAMPLES + ", got \"" + text + "\" (a number of bytes must be whole)");
        }
        try {
            return new DataSize(amount.setScale(0, RoundingMode.HALF_UP).longValueExact());
        }
        catch (ArithmeticException e) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
    }

    /**
     * The size with the largest unit that states it exactly: {@code 160GiB}, {@code 1100GB},
     * {@code 1500}; {@link #parse} reads it back to the same number of bytes.
     */
    @Override
    public String toString()
    {
        if (bytes == 0) {
            return "0";
        }
        for (String unit : new String[] {"PiB", "PB", "TiB", "TB", "GiB", "GB", "MiB", "MB", "KiB", "kB"}) {
            long multiplier = UNITS.get(unit);
            if (bytes % multiplier == 0) {
                return (bytes / multiplier) + unit;
            }
        }
        return Long.toString(bytes);
    }

    @Override
    public int compareTo(DataSize other)
    {
        return Long.compare(bytes, other.bytes);
    }

    private static Map<String, Long> units()
    {
        Map<String, Long> units = new LinkedHashMap<>();
        units.put("", 1L);
        units.put("B", 1L);
        units.put("KiB", KIBIBYTE);
        units.put("MiB", MEBIBYTE);
        units.put("GiB", GIBIBYTE);
        units.put("TiB", TEBIBYTE);
        units.put("PiB", PEBIBYTE);
        units.put("kB", 1000L);
        units.put("KB", 1000L);
        units.put("MB", 1000L * 1000);
        units.put("GB", 1000L * 1000 * 1000);
        units.put("TB", 1000L * 1000 * 1000 * 1000);
        units.put("PB", 1000L * 1000 * 1000 * 1000 * 1000);
        return Map.copyOf(units);
    }
}
