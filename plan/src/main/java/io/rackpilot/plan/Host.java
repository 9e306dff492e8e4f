package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;
import io.rackpilot.common.config.DataSize;

import java.util.List;
import java.util.Optional;

/**
 * The Proxmox VE host.
 *
 * @param name the Proxmox node name ({@code pve}), as in {@code /nodes/{node}/...} of the API
 * @param address the host's IP address or DNS name, where its API and NFS exports are reached
 * @param cpu the processor, when the plan states it
 * @param memory the installed memory, when the plan states it
 * @param storage the host's disks
 */
public record Host(String name, String address, Optional<Cpu> cpu, Optional<DataSize> memory, List<Storage> storage)
{
    public Host
    {
        name = ConfigValues.requiredText(name, "name");
        address = ConfigValues.requiredText(address, "address");
        if (address.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigValueException("address", "expected an IP address or host name, got \"" + address + "\"");
        }
        cpu = ConfigValues.optional(cpu);
        memory = ConfigValues.optional(memory);
        storage = ConfigValues.list(storage, "storage");
    }
}
