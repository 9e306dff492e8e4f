package io.rackpilot.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;
import io.rackpilot.common.config.DataSize;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A VM on the Proxmox host.
 *
 * @param vmid the Proxmox VM id (100 to 999999999)
 * @param name the VM's name in Proxmox
 * @param cores virtual CPU cores
 * @param memory memory given to the VM (at least 16MiB)
 * @param networks its network interfaces, in order ({@code net0}, {@code net1}, ...)
 * @param ip its fixed IP address, when it has one
 * @param role what the VM is for
 * @param kubernetes present exactly when the role is a Kubernetes role
 * @param smbiosUuid the SMBIOS UUID Proxmox gives the VM ({@code smbios1: uuid=...}), in lower case;
 *         its agent reports the same UUID, which is how the coordinator knows which agent is which VM
 */
public record VirtualMachine(
        @JsonProperty(required = true) int vmid,
        String name,
        @JsonProperty(required = true) int cores,
        DataSize memory,
        List<NetworkAttachment> networks,
        Optional<String> ip,
        VirtualMachineRole role,
        Optional<KubernetesNode> kubernetes,
        Optional<String> smbiosUuid)
{
    public static final int MINIMUM_VMID = 100;
    public static final int MAXIMUM_VMID = 999_999_999;
    public static final DataSize MINIMUM_MEMORY = DataSize.ofMebibytes(16);

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public VirtualMachine
    {
        if (vmid < MINIMUM_VMID || vmid > MAXIMUM_VMID) {
            throw new ConfigValueException("vmid", "must be between " + MINIMUM_VMID + " and " + MAXIMUM_VMID + ", got " + vmid);
        }
        name = ConfigValues.requiredText(name, "name");
        if (cores < 1) {
            throw new ConfigValueException("cores", "must be at least 1, got " + cores);
        }
        memory = ConfigValues.required(memory, "memory");
        if (memory.compareTo(MINIMUM_MEMORY) < 0) {
            throw new ConfigValueException("memory", "must be at least " + MINIMUM_MEMORY + ", got " + memory + " (a bare number is bytes: write 16GiB)");
        }
        networks = ConfigValues.list(networks, "networks");
        ip = ConfigValues.optional(ip);
        if (ip.isPresent() && !Addresses.isIpAddress(ip.get())) {
            throw new ConfigValueException("ip", "expected an IP address such as 10.0.20.100, got \"" + ip.get() + "\"");
        }
        role = ConfigValues.required(role, "role");
        kubernetes = ConfigValues.optional(kubernetes);
        if (role.isKubernetesNode() && kubernetes.isEmpty()) {
            throw new ConfigValueException("role", role.planName() + " is a Kubernetes role, so the VM needs a kubernetes block with its nodeName");
        }
        if (!role.isKubernetesNode() && kubernetes.isPresent()) {
            throw new ConfigValueException("kubernetes", "only a VM with role kubernetes-control-plane or kubernetes-worker is a Kubernetes node, this one is " + role.planName());
        }
        smbiosUuid = ConfigValues.optional(smbiosUuid).map(uuid -> uuid.toLowerCase(Locale.ROOT));
        if (smbiosUuid.isPresent() && !UUID.matcher(smbiosUuid.get()).matches()) {
            throw new ConfigValueException("smbiosUuid", "expected a UUID such as 8f3c2a10-6b1e-4c7d-9a2f-000000000201, got \"" + smbiosUuid.get() + "\"");
        }
    }

    @JsonIgnore
    public boolean isKubernetesNode()
    {
        return kubernetes.isPresent();
    }

    /**
     * The Kubernetes node name, for a VM that is a node.
     */
    public Optional<String> nodeName()
    {
        return kubernetes.map(KubernetesNode::nodeName);
    }
}
