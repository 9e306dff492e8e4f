package io.rackpilot.hostagent.proxmox;

import com.google.protobuf.Duration;
import io.rackpilot.agent.command.ActionException;

import java.util.List;
import java.util.Optional;

/**
 * What the Proxmox action handlers share: input checks and turning API failures into action failures.
 */
final class ProxmoxActions
{
    static final int MINIMUM_VMID = 100;
    static final int MAXIMUM_VMID = 999_999_999;

    private ProxmoxActions() {}

    static void checkVmid(long vmid)
            throws ActionException
    {
        if (vmid < MINIMUM_VMID || vmid > MAXIMUM_VMID) {
            throw ActionException.rejected("vmid: must be between " + MINIMUM_VMID + " and " + MAXIMUM_VMID + ", got " + vmid);
        }
    }

    /**
     * The VM as listed, or a rejection naming the vmid.
     */
    static VmSummary requireVm(ProxmoxClient client, int vmid)
            throws ActionException, InterruptedException
    {
        checkVmid(vmid);
        List<VmSummary> vms = call(client, "list the VMs", () -> client.listVms());
        Optional<VmSummary> vm = vms.stream().filter(candidate -> candidate.vmid() == vmid).findFirst();
        if (vm.isEmpty()) {
            throw ActionException.rejected("vmid: no VM " + vmid + " on Proxmox node " + client.node());
        }
        return vm.get();
    }

    static java.time.Duration duration(boolean present, Duration value, java.time.Duration defaultValue, String field)
            throws ActionException
    {
        if (!present) {
            return defaultValue;
        }
        java.time.Duration duration = java.time.Duration.ofSeconds(value.getSeconds(), value.getNanos());
        if (duration.isNegative() || duration.isZero()) {
            throw ActionException.rejected(field + ": must be positive, got " + duration);
        }
        return duration;
    }

    interface ApiCall<T>
    {
        T call()
                throws ProxmoxException, InterruptedException;
    }

    static <T> T call(ProxmoxClient client, String what, ApiCall<T> call)
            throws ActionException, InterruptedException
    {
        try {
            return call.call();
        }
        catch (ProxmoxException e) {
            throw ActionException.failed("cannot " + what + " on Proxmox node " + client.node() + ": " + e.getMessage(), e);
        }
    }
}
