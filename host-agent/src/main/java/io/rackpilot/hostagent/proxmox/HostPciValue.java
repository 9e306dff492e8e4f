package io.rackpilot.hostagent.proxmox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A {@code hostpciN} value: {@code [host=]0000:06:00.0[;0000:06:00.1][,pcie=1][,x-vga=1][,rombar=0]} or
 * {@code mapping=ID[,pcie=1]...}. Options other than these are kept in {@code otherOptions}.
 */
public record HostPciValue(Optional<String> mapping, List<String> hostAddresses, boolean pcie, boolean xVga, Optional<Boolean> rombar, List<String> otherOptions)
{
    private static final Pattern ADDRESS = Pattern.compile("(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-1][0-9a-f](?:\\.[0-7])?");

    public HostPciValue
    {
        requireNonNull(mapping, "mapping is null");
        hostAddresses = List.copyOf(requireNonNull(hostAddresses, "hostAddresses is null"));
        requireNonNull(rombar, "rombar is null");
        otherOptions = List.copyOf(requireNonNull(otherOptions, "otherOptions is null"));
        if (mapping.isPresent() == !hostAddresses.isEmpty()) {
            throw new IllegalArgumentException("a hostpci value has either a mapping or host addresses");
        }
    }

    public static HostPciValue ofMapping(String mapping, boolean pcie, boolean xVga, Optional<Boolean> rombar)
    {
        return new HostPciValue(Optional.of(mapping), List.of(), pcie, xVga, rombar, List.of());
    }

    public static HostPciValue ofAddress(String address, boolean pcie, boolean xVga, Optional<Boolean> rombar)
    {
        return new HostPciValue(Optional.empty(), List.of(normaliseAddress(address)), pcie, xVga, rombar, List.of());
    }

    /**
     * @throws IllegalArgumentException when the value names neither a mapping nor a host address
     */
    public static HostPciValue parse(String value)
    {
        requireNonNull(value, "value is null");
        Optional<String> mapping = Optional.empty();
        List<String> addresses = new ArrayList<>();
        boolean pcie = false;
        boolean xVga = false;
        Optional<Boolean> rombar = Optional.empty();
        List<String> other = new ArrayList<>();
        String[] parts = value.strip().split(",");
        for (int index = 0; index < parts.length; index++) {
            String part = parts[index].strip();
            if (part.isEmpty()) {
                continue;
            }
            int equals = part.indexOf('=');
            String key = equals < 0 ? (index == 0 ? "host" : part) : part.substring(0, equals);
            String text = equals < 0 ? part : part.substring(equals + 1);
            switch (key) {
                case "host" -> {
                    for (String address : text.split(";")) {
                        addresses.add(normaliseAddress(address));
                    }
                }
                case "mapping" -> mapping = Optional.of(text);
                case "pcie" -> pcie = flag(text);
                case "x-vga" -> xVga = flag(text);
                case "rombar" -> rombar = Optional.of(flag(text));
                default -> other.add(part);
            }
        }
        if (mapping.isEmpty() && addresses.isEmpty()) {
            throw new IllegalArgumentException("hostpci value \"" + value + "\" names neither a host address nor a mapping");
        }
        if (mapping.isPresent() && !addresses.isEmpty()) {
            throw new IllegalArgumentException("hostpci value \"" + value + "\" names both a host address and a mapping");
        }
        return new HostPciValue(mapping, addresses, pcie, xVga, rombar, other);
    }

    /**
     * {@code 06:00.0} and {@code 0000:06:00.0} are the same device; Proxmox writes both.
     */
    public static String normaliseAddress(String address)
    {
        String lower = address.strip().toLowerCase(Locale.ROOT);
        if (!ADDRESS.matcher(lower).matches()) {
            throw new IllegalArgumentException("\"" + address + "\" is not a PCI address such as 0000:06:00.0");
        }
        return lower.length() <= 7 ? "0000:" + lower : lower;
    }

    private static boolean flag(String text)
    {
        return text.equals("1") || text.equalsIgnoreCase("on") || text.equalsIgnoreCase("yes") || text.equalsIgnoreCase("true");
    }

    /**
     * As Proxmox writes it: {@code mapping=tesla-t4,pcie=1} or {@code 0000:06:00.0,pcie=1,x-vga=1,rombar=0}.
     */
    public String format()
    {
        List<String> parts = new ArrayList<>();
        parts.add(mapping.map(id -> "mapping=" + id).orElseGet(() -> String.join(";", hostAddresses)));
        if (pcie) {
            parts.add("pcie=1");
        }
        rombar.ifPresent(on -> parts.add("rombar=" + (on ? 1 : 0)));
        if (xVga) {
            parts.add("x-vga=1");
        }
        parts.addAll(otherOptions);
        return String.join(",", parts);
    }
}
