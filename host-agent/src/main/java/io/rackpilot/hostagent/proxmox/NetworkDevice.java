package io.rackpilot.hostagent.proxmox;

import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A {@code netN} value: {@code virtio=BC:24:11:00:00:01,bridge=vmbr1,tag=20[,firewall=1]}. The first
 * {@code MODEL=MAC} pair names the model; {@code model=virtio,macaddr=...} is accepted too.
 */
public record NetworkDevice(String model, String mac, String bridge, OptionalInt vlan)
{
    private static final Pattern MAC = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
    private static final java.util.Set<String> MODELS = java.util.Set.of("virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "e1000-82540em", "e1000-82544gc", "e1000-82545em");

    public NetworkDevice
    {
        requireNonNull(model, "model is null");
        requireNonNull(mac, "mac is null");
        requireNonNull(bridge, "bridge is null");
        requireNonNull(vlan, "vlan is null");
    }

    public static NetworkDevice parse(String value)
    {
        requireNonNull(value, "value is null");
        String model = "";
        String mac = "";
        String bridge = "";
        OptionalInt vlan = OptionalInt.empty();
        for (String part : value.strip().split(",")) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String key = part.substring(0, equals).strip();
            String text = part.substring(equals + 1).strip();
            if (MODELS.contains(key)) {
                model = key;
                mac = text;
            }
            else {
                switch (key) {
                    case "model" -> model = text;
                    case "macaddr" -> mac = text;
                    case "bridge" -> bridge = text;
                    case "tag" -> {
                        try {
                            vlan = OptionalInt.of(Integer.parseInt(text));
                        }
                        catch (NumberFormatException e) {
                            throw new IllegalArgumentException("net value \"" + value + "\" has a tag that is not a number: " + text);
                        }
                    }
                    default -> { }
                }
            }
        }
        if (model.isEmpty()) {
            throw new IllegalArgumentException("net value \"" + value + "\" names no model (virtio=MAC, e1000=MAC, ...)");
        }
        if (!mac.isEmpty() && !MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("net value \"" + value + "\" has a malformed MAC address " + mac);
        }
        return new NetworkDevice(model, mac.toUpperCase(Locale.ROOT), bridge, vlan);
    }

    public String format()
    {
        return model + "=" + mac + (bridge.isEmpty() ? "" : ",bridge=" + bridge) + (vlan.isPresent() ? ",tag=" + vlan.getAsInt() : "");
    }
}
