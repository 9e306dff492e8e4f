package io.rackpilot.coordinator.relocation;

import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.MoveStep;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a failed VM start says about the card, from Proxmox' task status. Pure.
 *
 * <ul>
 * <li>"PCI device '0000:06:00.0' already in use by VMID '201'": another running VM holds the card,
 * which the move's order rules out, so a person started it: stop and name the VM.</li>
 * <li>A reset or power-state failure ("failed to reset device", "Unable to change power state from
 * D3cold to D0, device inaccessible"): the card will not come back without a host reboot: roll back
 * what can be, and mark it needs-host-reboot instead of trying again.</li>
 * </ul>
 */
final class StartFailures
{
    private static final Pattern IN_USE = Pattern.compile("already in use by VMID '?(\\d+)'?");
    private static final Pattern RESET_OR_POWER = Pattern.compile("failed to reset|reset (?:failed|not supported|timed out)|power state|d3cold|device inaccessible|cannot reset|no reset method");

    private StartFailures() {}

    static MoveRunner.Stop classify(MoveStep step, String message)
    {
        Action.KindCase kind = step.getAction().getKindCase();
        if (kind != Action.KindCase.VM_START && kind != Action.KindCase.VM_REBOOT) {
            return MoveRunner.Stop.ROLL_BACK;
        }
        if (IN_USE.matcher(message).find()) {
            return MoveRunner.Stop.BY_PERSON;
        }
        if (RESET_OR_POWER.matcher(message.toLowerCase(Locale.ROOT)).find()) {
            return MoveRunner.Stop.NEEDS_HOST_REBOOT;
        }
        return MoveRunner.Stop.ROLL_BACK;
    }

    /**
     * The VM Proxmox says holds the device, when the message says so.
     */
    static java.util.Optional<Integer> holder(String message)
    {
        Matcher matcher = IN_USE.matcher(message);
        return matcher.find() ? java.util.Optional.of(Integer.parseInt(matcher.group(1))) : java.util.Optional.empty();
    }
}
