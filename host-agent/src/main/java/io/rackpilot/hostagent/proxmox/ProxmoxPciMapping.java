package io.rackpilot.hostagent.proxmox;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A cluster PCI resource mapping ({@code /cluster/mapping/pci}).
 */
public record ProxmoxPciMapping(String id, String description, List<PciMapEntry> entries, String digest)
{
    public ProxmoxPciMapping
    {
        requireNonNull(id, "id is null");
        requireNonNull(description, "description is null");
        entries = List.copyOf(requireNonNull(entries, "entries is null"));
        requireNonNull(digest, "digest is null");
    }

    public Optional<PciMapEntry> entryFor(String node)
    {
        return entries.stream().filter(entry -> entry.node().equals(node)).findFirst();
    }
}
