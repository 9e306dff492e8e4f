package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValues;

import java.util.OptionalInt;

/**
 * One network interface of a VM.
 *
 * @param bridge the host bridge it is plugged into ({@code vmbr1})
 * @param vlan the VLAN tag on that bridge; empty for untagged
 */
public record NetworkAttachment(String bridge, OptionalInt vlan)
{
    public NetworkAttachment
    {
        bridge = ConfigValues.requiredText(bridge, "bridge");
        vlan = ConfigValues.optional(vlan);
        Vlans.check(vlan, "vlan");
    }

    /**
     * As Proxmox and the seed write it: {@code vmbr1:vlan20}, or {@code vmbr0} when untagged.
     */
    @Override
    public String toString()
    {
        return vlan.isPresent() ? bridge + ":vlan" + vlan.getAsInt() : bridge;
    }
}
