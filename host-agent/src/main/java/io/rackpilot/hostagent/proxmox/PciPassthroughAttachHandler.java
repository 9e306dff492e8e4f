package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.PciPassthroughAttachAction;
import io.rackpilot.proto.v1.PciPassthroughResult;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.rackpilot.hostagent.proxmox.ProxmoxActions.call;
import static java.util.Objects.requireNonNull;

/**
 * {@code pci.passthrough.attach}: sets {@code hostpciN} on a VM, by mapping (the default) or raw
 * address. Preflight: the mapping or device exists, the host-side check passes, and no other running
 * VM holds the device (a running VM whose removal of it is pending still holds it), an API token may
 * set it (a raw address only root@pam may set: refused here, so a dry run says so too), and pcie=1
 * goes only to a q35 VM. On a running VM the change is pending until it is stopped and started.
 */
public final class PciPassthroughAttachHandler
        implements ActionHandler
{
    private final ProxmoxClient client;
    private final PassthroughPreflight preflight;

    public PciPassthroughAttachHandler(ProxmoxClient client, PassthroughPreflight preflight)
    {
        this.client = requireNonNull(client, "client is null");
        this.preflight = requireNonNull(preflight, "preflight is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.PCI_PASSTHROUGH_ATTACH;
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        try {
            return prepareAttach(action.getPciPassthroughAttach());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActionException.failed("interrupted while preparing the attach", e);
        }
    }

    private PreparedAction prepareAttach(PciPassthroughAttachAction attach)
            throws ActionException, InterruptedException
    {
        int vmid = attach.getVmid();
        ProxmoxActions.checkVmid(vmid);
        if (attach.hasSlot() && attach.getSlot() >= VmConfig.MAXIMUM_HOSTPCI_SLOTS) {
            throw ActionException.rejected("slot: must be between 0 and " + (VmConfig.MAXIMUM_HOSTPCI_SLOTS - 1) + ", got " + attach.getSlot());
        }
        List<VmSummary> vms = call(client, "list the VMs", client::listVms);
        VmSummary vm = vms.stream().filter(candidate -> candidate.vmid() == vmid).findFirst()
                .orElseThrow(() -> ActionException.rejected("vmid: no VM " + vmid + " on Proxmox node " + client.node()));
        Map<String, ProxmoxPciMapping> mappings = call(client, "list PCI mappings", client::pciMappings).stream()
                .collect(Collectors.toMap(ProxmoxPciMapping::id, Function.identity()));
        PassthroughTarget target = PassthroughTarget.resolve(attach.getMapping(), attach.getAddress(), List.copyOf(mappings.values()), client.node());
        if (target.mapping().isEmpty()) {
            List<HardwarePciDevice> devices = call(client, "list PCI devices", client::hardwarePci);
            for (String address : target.addresses()) {
                if (devices.stream().noneMatch(device -> device.address().equals(address))) {
                    throw ActionException.rejected("address: no PCI device " + address + " on Proxmox node " + client.node());
                }
            }
        }
        Optional<Boolean> rombar = attach.hasRombar() ? Optional.of(attach.getRombar()) : Optional.empty();
        HostPciValue wanted = target.mapping().isPresent()
                ? HostPciValue.ofMapping(target.mapping().get(), attach.getPcie(), attach.getXVga(), rombar)
                : HostPciValue.ofAddress(target.addresses().iterator().next(), attach.getPcie(), attach.getXVga(), rombar);
        VmConfig config = call(client, "read the config of VM " + vmid, () -> client.vmConfig(vmid));
        int slot = chooseSlot(attach, config, target, mappings);
        String key = "hostpci" + slot;
        boolean inPlace = config.value(key).map(HostPciValue::parse).map(value -> value.format().equals(wanted.format())).orElse(false);
        if (!inPlace) {
            if (target.mapping().isEmpty()) {
                // every API token is refused a raw address: the dry run says what the real run would
                throw HostPciEdits.rawAddressRefusal(vmid, key, Optional.of(wanted.format()));
            }
            if (wanted.pcie() && !config.machineType().map(type -> type.contains("q35")).orElse(false)) {
                String machine = config.machineType().orElse("i440fx (Proxmox' default)");
                throw ActionException.rejected("pcie: VM " + vmid + " has machine type " + machine + ", but pcie=1 (PCI Express passthrough) needs a q35 machine:"
                        + " Proxmox would refuse to start it (q35 machine model is not enabled). Set `qm set " + vmid + " --machine q35` (the guest sees new hardware) or attach without pcie");
            }
            for (String address : target.addresses()) {
                preflight.check(address);
            }
            checkNotHeldByOtherRunningVm(vmid, vms, target, mappings);
        }
        boolean running = vm.running();
        String summary = inPlace ? "VM " + vmid + " already has " + key + ": " + wanted.format()
                : "would set " + key + ": " + wanted.format() + " on VM " + vmid + (running ? " (running: pending until it is stopped and started)" : "");
        boolean pendingNow = inPlace && HostPciEdits.pending(client, vmid, key);
        ActionResult preview = result(slot, wanted.format(), inPlace ? pendingNow : running);
        return PreparedAction.of(summary, inPlace, preview, () -> {
            HostPciEdits.write(client, vmid, key, Optional.of(wanted.format()), config, fresh -> {
                Optional<String> occupant = fresh.value(key);
                if (occupant.isPresent() && !HostPciValue.parse(occupant.get()).format().equals(wanted.format())) {
                    throw ActionException.failed(key + " of VM " + vmid + " was taken by " + occupant.get() + " while attaching " + target.describe(), null);
                }
            });
            boolean restartNeeded = HostPciEdits.pending(client, vmid, key);
            String message = "set " + key + ": " + wanted.format() + " on VM " + vmid + (restartNeeded ? "; pending until VM " + vmid + " is stopped and started" : "");
            return new PreparedAction.Applied(true, message, result(slot, wanted.format(), restartNeeded));
        });
    }

    private int chooseSlot(PciPassthroughAttachAction attach, VmConfig config, PassthroughTarget target, Map<String, ProxmoxPciMapping> mappings)
            throws ActionException
    {
        OptionalInt holding = OptionalInt.empty();
        for (Map.Entry<Integer, HostPciValue> entry : config.hostPci().entrySet()) {
            if (target.heldBy(entry.getValue(), mappings, client.node())) {
                holding = OptionalInt.of(entry.getKey());
                break;
            }
        }
        if (attach.hasSlot()) {
            int slot = attach.getSlot();
            if (holding.isPresent() && holding.getAsInt() != slot) {
                throw ActionException.rejected("slot: VM " + attach.getVmid() + " already has " + target.describe() + " at hostpci" + holding.getAsInt() + ", not hostpci" + slot);
            }
            Optional<String> occupant = config.value("hostpci" + slot);
            if (occupant.isPresent() && holding.isEmpty()) {
                throw ActionException.rejected("slot: hostpci" + slot + " of VM " + attach.getVmid() + " already holds " + occupant.get());
            }
            return slot;
        }
        if (holding.isPresent()) {
            return holding.getAsInt();
        }
        return config.firstFreeHostPciSlot().orElseThrow(() -> ActionException.rejected("slot: VM " + attach.getVmid() + " has no free hostpci slot (0.." + (VmConfig.MAXIMUM_HOSTPCI_SLOTS - 1) + ")"));
    }

    private void checkNotHeldByOtherRunningVm(int vmid, List<VmSummary> vms, PassthroughTarget target, Map<String, ProxmoxPciMapping> mappings)
            throws ActionException, InterruptedException
    {
        for (VmSummary other : vms) {
            if (other.vmid() == vmid || !other.running()) {
                continue;
            }
            String field = target.mapping().isPresent() ? "mapping" : "address";
            // what the running VM holds now (pending removals included), then what its config says
            VmConfig running = call(client, "read the running config of VM " + other.vmid(), () -> client.currentVmConfig(other.vmid()));
            VmConfig otherConfig = call(client, "read the config of VM " + other.vmid(), () -> client.vmConfig(other.vmid()));
            for (Map.Entry<Integer, HostPciValue> entry : running.hostPci().entrySet()) {
                if (target.heldBy(entry.getValue(), mappings, client.node()) && !holds(otherConfig, entry.getKey(), entry.getValue())) {
                    throw ActionException.rejected(field + ": " + target.describe() + " is still held by running VM " + other.vmid() + " (" + other.name() + ") at hostpci" + entry.getKey()
                            + ": its removal is pending until VM " + other.vmid() + " is stopped, and Proxmox refuses to start another VM with it until then; shut VM "
                            + other.vmid() + " down first");
                }
            }
            for (Map.Entry<Integer, HostPciValue> entry : otherConfig.hostPci().entrySet()) {
                if (target.heldBy(entry.getValue(), mappings, client.node())) {
                    throw ActionException.rejected(field + ": " + target.describe() + " is held by running VM " + other.vmid()
                            + " (" + other.name() + ") at hostpci" + entry.getKey() + "; shut it down and detach it there first");
                }
            }
        }
    }

    private static boolean holds(VmConfig config, int slot, HostPciValue value)
    {
        return config.hostPci().containsKey(slot) && config.hostPci().get(slot).format().equals(value.format());
    }

    private static ActionResult result(int slot, String value, boolean restartNeeded)
    {
        return ActionResult.newBuilder()
                .setPciPassthroughAttach(PciPassthroughResult.newBuilder().setSlot(slot).setValue(value).setRestartNeeded(restartNeeded))
                .build();
    }
}
