package io.rackpilot.hostagent;

import io.rackpilot.agent.AgentContext;
import io.rackpilot.agent.AgentParts;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.hostagent.metrics.HostMetrics;
import io.rackpilot.hostagent.nfs.Exportfs;
import io.rackpilot.hostagent.nfs.NfsExportsApplyHandler;
import io.rackpilot.hostagent.nfs.NfsExportsCollector;

import java.util.ArrayList;
import java.util.List;

/**
 * What the host-agent adds to the common agent on the Proxmox host: NFS exports, and (with the
 * Proxmox API and sysfs) VMs, PCI devices and passthrough. The built-in actions (agent.ping,
 * inventory.refresh) come from agent-core.
 */
public final class HostAgent
{
    private HostAgent() {}

    public static AgentParts parts(AgentContext context)
    {
        AgentConfig config = context.config();
        HostMetrics hostMetrics = new HostMetrics(context.metrics());
        List<ActionHandler> handlers = new ArrayList<>();
        List<InventoryCollector> collectors = new ArrayList<>();

        if (config.nfs().enabled()) {
            Exportfs exportfs = new Exportfs(config.nfs().exportfs(), Exportfs.DEFAULT_TIMEOUT);
            handlers.add(new NfsExportsApplyHandler(config.nfs().managedFile(), config.nfs().exportRoots(), exportfs));
            collectors.add(new ObservedCollector(new NfsExportsCollector(exportfs), inventory -> hostMetrics.exports(inventory.getNfsExports())));
        }

        return new AgentParts(handlers, collectors);
    }
}
