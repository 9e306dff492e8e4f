package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A network the VMs attach to: a Linux bridge on the host, optionally a VLAN on it.
 *
 * @param name a unique name for the network ({@code kubernetes})
 * @param bridge the host bridge ({@code vmbr1})
 * @param vlan the 802.1Q VLAN tag (1 to 4094) on a VLAN-aware bridge; empty for untagged
 * @param cidr the IPv4 (or IPv6) subnet ({@code 10.0.20.0/24})
 * @param purpose what the network is for, for people
 */
public record Network(String name, String bridge, OptionalInt vlan, String cidr, Optional<String> purpose)
{
    public Network
    {
        name = ConfigValues.requiredText(name, "name");
        bridge = ConfigValues.requiredText(bridge, "bridge");
        vlan = ConfigValues.optional(vlan);
        Vlans.check(vlan, "vlan");
        cidr = ConfigValues.requiredText(cidr, "cidr");
        if (!Addresses.isCidr(cidr)) {
            throw new ConfigValueException("cidr", "expected a subnet such as 10.0.20.0/24, got \"" + cidr + "\"");
        }
        purpose = ConfigValues.optional(purpose);
    }

    /**
     * Whether a VM interface on this bridge and VLAN is on this network.
     */
    public boolean carries(NetworkAttachment attachment)
    {
        return attachment.bridge().equals(bridge) && attachment.vlan().equals(vlan);
    }
}
