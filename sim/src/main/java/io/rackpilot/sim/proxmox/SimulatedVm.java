package io.rackpilot.sim.proxmox;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * One VM's state in the simulator: its config, the pending section (values and deletions waiting
 * for a stop and start) and its power state. Guarded by the simulator's lock.
 */
final class SimulatedVm
{
    final int vmid;
    final Map<String, String> config = new TreeMap<>();
    final Map<String, String> pending = new TreeMap<>();
    final Set<String> pendingDelete = new TreeSet<>();
    String status;
    boolean ignoresShutdown;

    SimulatedVm(int vmid, Map<String, String> config, String status)
    {
        this.vmid = vmid;
        this.config.putAll(requireNonNull(config, "config is null"));
        this.status = requireNonNull(status, "status is null");
    }

    boolean running()
    {
        return status.equals("running");
    }

    /**
     * The config with pending values applied: what {@code GET .../config} answers by default.
     */
    Map<String, String> effectiveConfig()
    {
        Map<String, String> effective = new LinkedHashMap<>(config);
        pendingDelete.forEach(effective::remove);
        effective.putAll(pending);
        return effective;
    }

    void applyPending()
    {
        pendingDelete.forEach(config::remove);
        config.putAll(pending);
        pending.clear();
        pendingDelete.clear();
    }

    String digest()
    {
        StringBuilder text = new StringBuilder();
        config.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        text.append("[PENDING]\n");
        pending.forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        text.append("delete: ").append(String.join(",", pendingDelete)).append('\n');
        return ProxmoxSimulator.sha1(text.toString());
    }
}
