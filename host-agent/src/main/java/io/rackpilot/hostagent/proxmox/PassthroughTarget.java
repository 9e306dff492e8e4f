package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.command.ActionException;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The device an attach or detach names: a mapping, or a raw host address, resolved to the host
 * addresses it stands for on this node.
 */
record PassthroughTarget(Optional<String> mapping, Set<String> addresses)
{
    static PassthroughTarget resolve(String mapping, String address, List<ProxmoxPciMapping> mappings, String node)
            throws ActionException
    {
        if (mapping.isEmpty() == address.isEmpty()) {
            throw ActionException.rejected("mapping, address: give exactly one of mapping (e.g. tesla-t4) and address (e.g. 0000:06:00.0)");
        }
        if (!mapping.isEmpty()) {
            ProxmoxPciMapping found = mappings.stream().filter(candidate -> candidate.id().equals(mapping)).findFirst()
                    .orElseThrow(() -> ActionException.rejected("mapping: no PCI mapping \"" + mapping + "\" in the cluster (create it with pci.mapping.ensure)"));
            PciMapEntry entry = found.entryFor(node)
                    .orElseThrow(() -> ActionException.rejected("mapping: PCI mapping \"" + mapping + "\" has no entry for node " + node));
            return new PassthroughTarget(Optional.of(mapping), new TreeSet<>(entry.addresses()));
        }
        try {
            return new PassthroughTarget(Optional.empty(), Set.of(HostPciValue.normaliseAddress(address)));
        }
        catch (IllegalArgumentException e) {
            throw ActionException.rejected("address: " + e.getMessage());
        }
    }

    /**
     * The host addresses a hostpci value stands for on this node (through its mapping, if any).
     */
    static Set<String> addressesOf(HostPciValue value, Map<String, ProxmoxPciMapping> mappings, String node)
    {
        if (value.mapping().isPresent()) {
            ProxmoxPciMapping mapping = mappings.get(value.mapping().get());
            if (mapping == null) {
                return Set.of();
            }
            return mapping.entryFor(node).map(entry -> (Set<String>) new TreeSet<>(entry.addresses())).orElse(Set.of());
        }
        return new TreeSet<>(value.hostAddresses());
    }

    boolean heldBy(HostPciValue value, Map<String, ProxmoxPciMapping> mappings, String node)
    {
        if (mapping.isPresent() && value.mapping().equals(mapping)) {
            return true;
        }
        Set<String> held = addressesOf(value, mappings, node);
        return held.stream().anyMatch(addresses::contains);
    }

    String describe()
    {
        return mapping.map(id -> "mapping " + id).orElseGet(() -> "address " + String.join(";", addresses));
    }
}
