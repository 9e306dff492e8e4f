package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.PciPassthroughDetachAction;
import io.rackpilot.proto.v1.PciPassthroughResult;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.rackpilot.hostagent.proxmox.ProxmoxActions.call;
import static java.util.Objects.requireNonNull;

/**
 * {@code pci.passthrough.detach}: removes the {@code hostpciN} that holds the device (by mapping or
 * address), or the given slot. Nothing to do when the VM does not have it. On a running VM the
 * removal is pending until it is stopped and started.
 */
public final class PciPassthroughDetachHandler
        implements ActionHandler
{
    private final ProxmoxClient client;

    public PciPassthroughDetachHandler(ProxmoxClient client)
    {
        this.client = requireNonNull(client, "client is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.PCI_PASSTHROUGH_DETACH;
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        try {
            return prepareDetach(action.getPciPassthroughDetach());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ActionException.failed("interrupted while preparing the detach", e);
        }
    }

    private PreparedAction prepareDetach(PciPassthroughDetachAction detach)
            throws ActionException, InterruptedException
    {
        int vmid = detach.getVmid();
        VmSummary vm = ProxmoxActions.requireVm(client, vmid);
        if (detach.hasSlot() && detach.getSlot() >= VmConfig.MAXIMUM_HOSTPCI_SLOTS) {
            throw ActionException.rejected("slot: must be between 0 and " + (VmConfig.MAXIMUM_HOSTPCI_SLOTS - 1) + ", got " + detach.getSlot());
        }
        if (!detach.hasSlot() && detach.getMapping().isEmpty() && detach.getAddress().isEmpty()) {
            throw ActionException.rejected("mapping, address, slot: give the mapping, the address or the slot to detach");
        }
        Map<String, ProxmoxPciMapping> mappings = call(client, "list PCI mappings", client::pciMappings).stream()
                .collect(Collectors.toMap(ProxmoxPciMapping::id, Function.identity()));
        Optional<PassthroughTarget> target = Optional.empty();
        if (!detach.getMapping().isEmpty() || !detach.getAddress().isEmpty()) {
            if (!detach.getMapping().isEmpty() && !mappings.containsKey(detach.getMapping()) && detach.getAddress().isEmpty()) {
                // A mapping deleted since it was attached can still be detached by its id.
                target = Optional.of(new PassthroughTarget(Optional.of(detach.getMapping()), Set.of()));
            }
            else {
                target = Optional.of(PassthroughTarget.resolve(detach.getMapping(), detach.getAddress(), List.copyOf(mappings.values()), client.node()));
            }
        }
        VmConfig config = call(client, "read the config of VM " + vmid, () -> client.vmConfig(vmid));
        Optional<Integer> found = Optional.empty();
        for (Map.Entry<Integer, HostPciValue> entry : config.hostPci().entrySet()) {
            boolean slotMatches = !detach.hasSlot() || entry.getKey() == detach.getSlot();
            boolean deviceMatches = target.isEmpty() || target.get().heldBy(entry.getValue(), mappings, client.node());
            if (slotMatches && deviceMatches) {
                found = Optional.of(entry.getKey());
                break;
            }
        }
        Optional<Integer> slot = found;
        boolean inPlace = slot.isEmpty();
        String key = slot.map(number -> "hostpci" + number).orElse("");
        String value = slot.flatMap(number -> config.value("hostpci" + number)).orElse("");
        if (slot.isPresent() && config.hostPci().get(slot.get()).mapping().isEmpty()) {
            // every API token is refused the removal of a raw address: the dry run says what the real run would
            throw HostPciEdits.rawAddressRefusal(vmid, key, Optional.empty());
        }
        String what = target.map(PassthroughTarget::describe).orElseGet(() -> "hostpci" + detach.getSlot());
        String summary = inPlace ? "VM " + vmid + " has no " + what : "would remove " + key + ": " + value + " from VM " + vmid + (vm.running() ? " (running: pending until it is stopped and started)" : "");
        ActionResult preview = result(slot.orElse(detach.getSlot()), value, !inPlace && vm.running());
        return PreparedAction.of(summary, inPlace, preview, () -> {
            HostPciEdits.write(client, vmid, key, Optional.empty(), config, fresh -> {
                if (!fresh.value(key).map(current -> current.equals(value)).orElse(true)) {
                    throw ActionException.failed(key + " of VM " + vmid + " changed to " + fresh.value(key).get() + " while detaching " + what, null);
                }
            });
            boolean restartNeeded = HostPciEdits.pending(client, vmid, key);
            String message = "removed " + key + ": " + value + " from VM " + vmid + (restartNeeded ? "; pending until VM " + vmid + " is stopped and started" : "");
            return new PreparedAction.Applied(true, message, result(slot.get(), value, restartNeeded));
        });
    }

    private static ActionResult result(int slot, String value, boolean restartNeeded)
    {
        return ActionResult.newBuilder()
                .setPciPassthroughDetach(PciPassthroughResult.newBuilder().setSlot(slot).setValue(value).setRestartNeeded(restartNeeded))
                .build();
    }
}
