package io.rackpilot.agent.gpu;

/**
 * NVML's units to the protocol's: unsigned C integers to Java, percent to ratios, milli-units to
 * units, MHz to Hz.
 */
final class NvmlUnits
{
    private static final double TWO_TO_THE_64 = 0x1p64;

    private NvmlUnits() {}

    /** A C {@code unsigned int} held in a Java {@code int}. */
    static long unsigned(int value)
    {
        return Integer.toUnsignedLong(value);
    }

    /** A C {@code unsigned long long} held in a Java {@code long}, as a double (rounded). */
    static double unsignedToDouble(long value)
    {
        double signed = value;
        return value >= 0 ? signed : signed + TWO_TO_THE_64;
    }

    static double ratioFromPercent(int percent)
    {
        return unsigned(percent) / 100.0;
    }

    static double unitsFromMilliunits(int milliunits)
    {
        return unsigned(milliunits) / 1000.0;
    }

    static double unitsFromMilliunits(long milliunits)
    {
        return unsignedToDouble(milliunits) / 1000.0;
    }

    static long hertzFromMegahertz(int megahertz)
    {
        return unsigned(megahertz) * 1_000_000L;
    }
}
