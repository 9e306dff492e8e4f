package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.PciMappingEnsureAction;
import io.rackpilot.proto.v1.PciMappingEnsureResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static io.rackpilot.hostagent.proxmox.ProxmoxActions.call;
import static java.util.Objects.requireNonNull;

/**
 * {@code pci.mapping.ensure}: the cluster PCI mapping {@code id} has an entry for the node pointing at
 * the address with the vendor:device id. Creates the mapping, or updates the node's entry (other
 * nodes' entries are kept); nothing when it already is so. The path is one function
 * ({@code 0000:06:00.0}) or a slot ({@code 0000:06:00}: every function of the card, checked against
 * the device at function 0).
 */
public final class PciMappingEnsureHandler
        implements ActionHandler
{
    private static final Pattern MAPPING_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final Pattern VENDOR_DEVICE = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{4}");

    private final ProxmoxClient client;

    public PciMappingEnsureHandler(ProxmoxClient client)
    {
        this.client = requireNonNull(client, "client is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.PCI_MAPPING_ENSURE;
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        PciMappingEnsureAction ensure = action.getPciMappingEnsure();
        String id = ensure.getId();
        if (!MAPPING_ID.matcher(id).matches()) {
            throw ActionException.rejected("id: expected a mapping id (a letter, then letters, digits, '-', '_' or '.'), got \"" + id + "\"");
        }
        String node = ensure.getNode().isEmpty() ? client.node() : ensure.getNode();
        String address;
        try {
            address = HostPciValue.normaliseAddress(ensure.getPath());
        }
        catch (IllegalArgumentException e) {
            throw ActionException.rejected("path: " + e.getMessage());
        }
        String vendorDevice = ensure.getVendorDevice().toLowerCase(Locale.ROOT);
        if (!VENDOR_DEVICE.matcher(vendorDevice).matches()) {
            throw ActionException.rejected("vendor_device: expected vendor:device such as 10de:1eb8, got \"" + ensure.getVendorDevice() + "\"");
        }
        Optional<ProxmoxPciMapping> existing;
        try {
            if (node.equals(client.node())) {
                List<HardwarePciDevice> devices = call(client, "list PCI devices", client::hardwarePci);
                // a slot (0000:06:00: every function of the card) is the card at function 0
                String function = address.contains(".") ? address : address + ".0";
                Optional<HardwarePciDevice> device = devices.stream().filter(candidate -> candidate.address().equals(function)).findFirst();
                if (device.isEmpty()) {
                    throw ActionException.rejected("path: no PCI device " + address + " on Proxmox node " + node);
                }
                if (!device.get().vendorDevice().equals(vendorDevice)) {
                    throw ActionException.rejected("vendor_device: the device at " + address + " is " + device.get().vendorDevice() + ", not " + vendorDevice);
                }
            }
            existing = call(client, "list PCI mappings", client::pciMappings).stream().filter(mapping -> mapping.id().equals(id)).findFirst();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActionException.failed("interrupted while reading PCI mappings", e);
        }
        PciMapEntry wanted = new PciMapEntry(node, address, vendorDevice, Optional.empty(), Optional.empty());
        String description = ensure.getDescription();
        boolean create = existing.isEmpty();
        boolean inPlace = existing.isPresent() && existing.get().entryFor(node).map(entry -> matches(entry, wanted)).orElse(false)
                && (description.isEmpty() || existing.get().description().equals(description));
        String summary = create ? "would create PCI mapping " + id + " -> " + wanted.format()
                : inPlace ? "PCI mapping " + id + " already maps " + node + " to " + address
                : "would update PCI mapping " + id + " to " + wanted.format();
        ActionResult preview = ActionResult.newBuilder().setPciMappingEnsure(PciMappingEnsureResult.newBuilder().setCreated(create).setUpdated(!create && !inPlace)).build();
        return PreparedAction.of(summary, inPlace, preview, () -> {
            if (create) {
                call(client, "create PCI mapping " + id, () -> {
                    client.createPciMapping(id, description, List.of(wanted));
                    return null;
                });
                return new PreparedAction.Applied(true, "created PCI mapping " + id + " -> " + wanted.format(), preview);
            }
            ProxmoxPciMapping mapping = existing.get();
            List<PciMapEntry> entries = new ArrayList<>();
            mapping.entries().stream().filter(entry -> !entry.node().equals(node)).forEach(entries::add);
            entries.add(wanted);
            String newDescription = description.isEmpty() ? mapping.description() : description;
            call(client, "update PCI mapping " + id, () -> {
                client.updatePciMapping(id, newDescription, entries, Optional.of(mapping.digest()));
                return null;
            });
            return new PreparedAction.Applied(true, "updated PCI mapping " + id + " -> " + wanted.format(), preview);
        });
    }

    private static boolean matches(PciMapEntry entry, PciMapEntry wanted)
    {
        try {
            return entry.addresses().equals(wanted.addresses()) && entry.id().equalsIgnoreCase(wanted.id());
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }
}
