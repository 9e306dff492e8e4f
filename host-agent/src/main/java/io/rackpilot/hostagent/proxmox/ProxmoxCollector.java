package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.HostPci;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.PciMapping;
import io.rackpilot.proto.v1.PciMappingEntry;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.VmNetworkDevice;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * {@code proxmox}: the node's VMs (status, cores, memory, SMBIOS UUID, machine type, network devices,
 * hostpci entries resolved through the mappings for this node, pending keys) and the cluster PCI mappings.
 * A running VM's hostpci entry whose removal (or replacement) is pending is listed too, with
 * {@code removal_pending}: the VM holds that device until it stops.
 * When the API fails the section says why and since when (the first failure of this run of
 * failures), and has no VMs and no mappings: they are unknown, and the coordinator compares
 * nothing with them. The log says each change of the API's state once, not each collection.
 */
public final class ProxmoxCollector
        implements InventoryCollector
{
    private static final Logger log = Logger.getLogger(ProxmoxCollector.class.getName());

    private final ProxmoxClient client;
    private final Clock clock;
    // collect() runs on the inventory thread only
    private Optional<Instant> failingSince = Optional.empty();
    // the last error logged, empty while the API answers
    private String lastError = "";

    public ProxmoxCollector(ProxmoxClient client)
    {
        this(client, Clock.systemUTC());
    }

    public ProxmoxCollector(ProxmoxClient client, Clock clock)
    {
        this.client = requireNonNull(client, "client is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public String name()
    {
        return "proxmox";
    }

    @Override
    public void collect(Inventory.Builder inventory)
            throws InterruptedException
    {
        ProxmoxInfo.Builder info = ProxmoxInfo.newBuilder().setNode(client.node());
        try {
            List<ProxmoxPciMapping> mappings = client.pciMappings();
            Map<String, ProxmoxPciMapping> mappingsById = mappings.stream().collect(Collectors.toMap(ProxmoxPciMapping::id, Function.identity()));
            for (VmSummary summary : client.listVms()) {
                info.addVms(vm(summary, mappingsById));
            }
            for (ProxmoxPciMapping mapping : mappings) {
                PciMapping.Builder builder = PciMapping.newBuilder().setId(mapping.id()).setDescription(mapping.description());
                for (PciMapEntry entry : mapping.entries()) {
                    builder.addEntries(PciMappingEntry.newBuilder()
                            .setNode(entry.node())
                            .setPath(entry.path())
                            .setId(entry.id())
                            .setSubsystemId(entry.subsystemId().orElse(""))
                            .setIommuGroup(entry.iommuGroup().orElse("")));
                }
                info.addPciMappings(builder);
            }
        }
        catch (ProxmoxException | RuntimeException e) {
            Instant since = failingSince.orElseGet(clock::instant);
            failingSince = Optional.of(since);
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (!error.equals(lastError)) {
                log.warning("cannot read the VMs of Proxmox node " + client.node() + ": " + error);
            }
            lastError = error;
            info.clearVms().clearPciMappings()
                    .setError(error)
                    .setErrorSince(Timestamps.of(since));
            inventory.setProxmox(info);
            return;
        }
        if (!lastError.isEmpty()) {
            log.info("the Proxmox API of node " + client.node() + " answers again");
        }
        lastError = "";
        failingSince = Optional.empty();
        inventory.setProxmox(info);
    }

    private ProxmoxVm vm(VmSummary summary, Map<String, ProxmoxPciMapping> mappings)
            throws ProxmoxException, InterruptedException
    {
        VmConfig config = client.vmConfig(summary.vmid());
        ProxmoxVm.Builder vm = ProxmoxVm.newBuilder()
                .setVmid(summary.vmid())
                .setName(config.name().orElse(summary.name()))
                .setStatus(summary.status())
                .setCores(config.cores().orElse(summary.cpus()))
                .setMemoryBytes(config.memoryMebibytes().isPresent() ? config.memoryMebibytes().getAsLong() * 1024 * 1024 : summary.maxMemoryBytes())
                .setSmbiosUuid(config.smbiosUuid().orElse(""))
                .setMachine(config.machineType().orElse(""));
        config.networkDevices().forEach((index, device) -> {
            VmNetworkDevice.Builder builder = VmNetworkDevice.newBuilder()
                    .setKey("net" + index)
                    .setModel(device.model())
                    .setMac(device.mac())
                    .setBridge(device.bridge());
            device.vlan().ifPresent(builder::setVlan);
            vm.addNetworkDevices(builder);
        });
        config.hostPci().forEach((slot, value) -> vm.addHostpci(HostPci.newBuilder()
                .setSlot(slot)
                .setValue(value.format())
                .setMapping(value.mapping().orElse(""))
                .addAllAddresses(PassthroughTarget.addressesOf(value, mappings, client.node()))
                .setPcie(value.pcie())
                .setXVga(value.xVga())));
        boolean running = summary.running();
        for (PendingChange change : client.vmPending(summary.vmid())) {
            if (change.isPending()) {
                vm.addPending(change.key());
            }
            Optional<Integer> slot = VmConfig.hostPciSlot(change.key());
            boolean replaced = change.delete() || change.pending().filter(pending -> !pending.equals(change.value().orElse(""))).isPresent();
            if (running && slot.isPresent() && change.value().isPresent() && replaced) {
                // the running VM holds the device it was started with until it stops
                HostPciValue held = HostPciValue.parse(change.value().get());
                vm.addHostpci(HostPci.newBuilder()
                        .setSlot(slot.get())
                        .setValue(held.format())
                        .setMapping(held.mapping().orElse(""))
                        .addAllAddresses(PassthroughTarget.addressesOf(held, mappings, client.node()))
                        .setPcie(held.pcie())
                        .setXVga(held.xVga())
                        .setRemovalPending(true));
            }
        }
        return vm.build();
    }
}
