package io.rackpilot.hostagent.proxmox;

import io.rackpilot.agent.command.ActionException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.rackpilot.hostagent.proxmox.ProxmoxActions.call;

/**
 * Writes one hostpciN change guarded by the config digest, re-reading and trying once more when
 * another edit got in between; turns Proxmox' refusal of a raw address into advice to use a mapping.
 */
final class HostPciEdits
{
    private HostPciEdits() {}

    interface Check
    {
        /**
         * Re-validates the edit against a freshly read config (the slot may have been taken meanwhile).
         */
        void check(VmConfig config)
                throws ActionException;
    }

    static void write(ProxmoxClient client, int vmid, String key, Optional<String> value, VmConfig config, Check check)
            throws ActionException, InterruptedException
    {
        VmConfig current = config;
        for (int attempt = 1; ; attempt++) {
            try {
                client.updateConfig(vmid, value.map(text -> Map.of(key, text)).orElse(Map.of()), value.isPresent() ? List.of() : List.of(key), Optional.of(current.digest()));
                return;
            }
            catch (ProxmoxException e) {
                if (e.isRawPciRefusal()) {
                    throw ActionException.failed(rawAddressMessage(vmid, key, value, e.apiMessage()), e);
                }
                if (e.isDigestConflict() && attempt == 1) {
                    current = call(client, "re-read the config of VM " + vmid, () -> client.vmConfig(vmid));
                    check.check(current);
                    continue;
                }
                throw ActionException.failed("cannot " + (value.isPresent() ? "set " : "remove ") + key + " on VM " + vmid + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * What Proxmox answers any API token that sets or removes a raw host address ({@code hostpciN:
     * 0000:06:00.0}): said before anything is sent, so a dry run fails as the real run would.
     */
    static ActionException rawAddressRefusal(int vmid, String key, Optional<String> value)
    {
        return ActionException.rejected(rawAddressMessage(vmid, key, value, "only root can set '" + key + "' config for non-mapped devices"));
    }

    private static String rawAddressMessage(int vmid, String key, Optional<String> value, String proxmoxSaid)
    {
        return "Proxmox refuses to " + (value.isPresent() ? "set " : "remove ") + key + (value.map(text -> "=" + text).orElse("")) + " on VM " + vmid
                + ": a raw host PCI address can be set or removed only by root@pam with a password, never with an API token."
                + " Use a PCI resource mapping instead (pci.mapping.ensure, then attach with mapping=ID). Proxmox says: " + proxmoxSaid.strip();
    }

    static boolean pending(ProxmoxClient client, int vmid, String key)
            throws ActionException, InterruptedException
    {
        return call(client, "read the pending changes of VM " + vmid, () -> client.vmPending(vmid)).stream()
                .anyMatch(change -> change.key().equals(key) && change.isPending());
    }
}
