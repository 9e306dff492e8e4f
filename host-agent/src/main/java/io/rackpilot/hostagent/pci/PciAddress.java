package io.rackpilot.hostagent.pci;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A PCI function address as sysfs names it: {@code 0000:06:00.0} (domain:bus:device.function).
 * {@code 06:00.0} means domain 0000.
 */
public record PciAddress(int domain, int bus, int device, int function)
{
    private static final Pattern FORMAT = Pattern.compile("(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])");

    public PciAddress
    {
        if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f || function < 0 || function > 7) {
            throw new IllegalArgumentException("PCI address out of range");
        }
    }

    public static PciAddress parse(String text)
    {
        requireNonNull(text, "text is null");
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address (expected DDDD:BB:DD.F, such as 0000:06:00.0)");
        }
        int device = Integer.parseInt(matcher.group(3), 16);
        if (device > 0x1f) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address: device " + matcher.group(3) + " is above 1f");
        }
        return new PciAddress(
                matcher.group(1) == null ? 0 : Integer.parseInt(matcher.group(1), 16),
                Integer.parseInt(matcher.group(2), 16),
                device,
                Integer.parseInt(matcher.group(4)));
    }

    /**
     * The slot without the function ({@code 0000:06:00}): every function of a card shares it.
     */
    public String slot()
    {
        return String.format(Locale.ROOT, "%04x:%02x:%02x", domain, bus, device);
    }

    public boolean sameSlot(PciAddress other)
    {
        return domain == other.domain && bus == other.bus && device == other.device;
    }

    @Override
    public String toString()
    {
        return slot() + "." + function;
    }
}
