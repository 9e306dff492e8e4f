package io.rackpilot.hostagent.proxmox;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A VM's config as {@code GET /nodes/{node}/qemu/{vmid}/config} returns it (pending values applied,
 * as Proxmox does by default), every value as text, and its {@code digest}.
 */
public record VmConfig(int vmid, Map<String, String> values, String digest)
{
    // at most 9 digits, so that the slot is an int; Proxmox has hostpci0 to hostpci15 and net0 to net31
    private static final Pattern HOSTPCI = Pattern.compile("hostpci(\\d{1,9})");
    private static final Pattern NET = Pattern.compile("net(\\d{1,9})");
    public static final int MAXIMUM_HOSTPCI_SLOTS = 16;
    // so that the memory in bytes is a long
    private static final long MAXIMUM_MEBIBYTES = Long.MAX_VALUE >> 20;

    public VmConfig
    {
        values = Map.copyOf(requireNonNull(values, "values is null"));
        requireNonNull(digest, "digest is null");
    }

    public Optional<String> value(String key)
    {
        return Optional.ofNullable(values.get(key));
    }

    public Optional<String> name()
    {
        return value("name");
    }

    public OptionalInt cores()
    {
        return value("cores").map(text -> OptionalInt.of((int) number("cores", text, text, Integer.MAX_VALUE))).orElse(OptionalInt.empty());
    }

    /**
     * {@code memory} is MiB; newer Proxmox writes {@code current=N[,...]}.
     */
    public OptionalLong memoryMebibytes()
    {
        Optional<String> memory = value("memory");
        if (memory.isEmpty()) {
            return OptionalLong.empty();
        }
        String text = memory.get().strip();
        for (String part : text.split(",")) {
            String trimmed = part.strip();
            if (trimmed.startsWith("current=")) {
                return OptionalLong.of(number("memory", text, trimmed.substring("current=".length()), MAXIMUM_MEBIBYTES));
            }
            if (!trimmed.contains("=")) {
                return OptionalLong.of(number("memory", text, trimmed, MAXIMUM_MEBIBYTES));
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The machine type of {@code machine: [[type=]TYPE][,viommu=...]} (e.g. {@code q35},
     * {@code pc-q35-8.1}), without its options; empty when the key is absent, which means
     * Proxmox' default i440fx.
     */
    public Optional<String> machineType()
    {
        Optional<String> machine = value("machine");
        if (machine.isEmpty()) {
            return Optional.empty();
        }
        for (String part : machine.get().split(",")) {
            String trimmed = part.strip();
            if (trimmed.startsWith("type=")) {
                return Optional.of(trimmed.substring("type=".length())).filter(type -> !type.isEmpty());
            }
            if (!trimmed.isEmpty() && !trimmed.contains("=")) {
                return Optional.of(trimmed);
            }
        }
        return Optional.empty();
    }

    public Optional<String> smbiosUuid()
    {
        return value("smbios1").flatMap(Smbios1::uuid);
    }

    /**
     * hostpciN by slot N, in slot order.
     */
    public Map<Integer, HostPciValue> hostPci()
    {
        Map<Integer, HostPciValue> devices = new TreeMap<>();
        values.forEach((key, value) -> {
            Matcher matcher = HOSTPCI.matcher(key);
            if (matcher.matches()) {
                devices.put(Integer.parseInt(matcher.group(1)), HostPciValue.parse(value));
            }
        });
        return devices;
    }

    /**
     * N of a {@code hostpciN} key; empty for any other key.
     */
    public static Optional<Integer> hostPciSlot(String key)
    {
        Matcher matcher = HOSTPCI.matcher(key);
        return matcher.matches() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
    }

    /**
     * netN by N, in order.
     */
    public Map<Integer, NetworkDevice> networkDevices()
    {
        Map<Integer, NetworkDevice> devices = new TreeMap<>();
        values.forEach((key, value) -> {
            Matcher matcher = NET.matcher(key);
            if (matcher.matches()) {
                devices.put(Integer.parseInt(matcher.group(1)), NetworkDevice.parse(value));
            }
        });
        return devices;
    }

    /**
     * A whole number from 0 to {@code maximum} in a value; anything else is an error naming the key and the VM.
     */
    private long number(String key, String value, String text, long maximum)
    {
        long number;
        try {
            number = Long.parseLong(text.strip());
        }
        catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > maximum) {
            throw new IllegalArgumentException("VM " + vmid + ": " + key + " is \"" + value + "\", not a number Proxmox writes");
        }
        return number;
    }

    public OptionalInt firstFreeHostPciSlot()
    {
        for (int slot = 0; slot < MAXIMUM_HOSTPCI_SLOTS; slot++) {
            if (!values.containsKey("hostpci" + slot)) {
                return OptionalInt.of(slot);
            }
        }
        return OptionalInt.empty();
    }
}
