package io.rackpilot.hostagent.proxmox;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One {@code map} entry of a PCI resource mapping: {@code node=pve,path=0000:06:00.0,id=10de:1eb8[,iommugroup=N][,subsystem-id=...]}.
 */
public record PciMapEntry(String node, String path, String id, Optional<String> subsystemId, Optional<String> iommuGroup)
{
    public PciMapEntry
    {
        requireNonNull(node, "node is null");
        requireNonNull(path, "path is null");
        requireNonNull(id, "id is null");
        requireNonNull(subsystemId, "subsystemId is null");
        requireNonNull(iommuGroup, "iommuGroup is null");
    }

    public static PciMapEntry parse(String value)
    {
        requireNonNull(value, "value is null");
        String node = "";
        String path = "";
        String id = "";
        Optional<String> subsystemId = Optional.empty();
        Optional<String> iommuGroup = Optional.empty();
        for (String part : value.split(",")) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String key = part.substring(0, equals).strip();
            String text = part.substring(equals + 1).strip();
            switch (key) {
                case "node" -> node = text;
                case "path" -> path = text;
                case "id" -> id = text;
                case "subsystem-id" -> subsystemId = Optional.of(text);
                case "iommugroup" -> iommuGroup = Optional.of(text);
                default -> { }
            }
        }
        if (node.isEmpty() || path.isEmpty()) {
            throw new IllegalArgumentException("PCI mapping entry \"" + value + "\" lacks node= or path=");
        }
        return new PciMapEntry(node, path, id, subsystemId, iommuGroup);
    }

    /**
     * The addresses of the entry ({@code path} may list several, separated by ';').
     */
    public List<String> addresses()
    {
        List<String> addresses = new ArrayList<>();
        for (String address : path.split(";")) {
            addresses.add(HostPciValue.normaliseAddress(address));
        }
        return addresses;
    }

    public String format()
    {
        StringBuilder text = new StringBuilder("node=").append(node).append(",path=").append(path);
        if (!id.isEmpty()) {
            text.append(",id=").append(id);
        }
        iommuGroup.ifPresent(group -> text.append(",iommugroup=").append(group));
        subsystemId.ifPresent(subsystem -> text.append(",subsystem-id=").append(subsystem));
        return text.toString();
    }
}
