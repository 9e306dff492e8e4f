package io.rackpilot.hostagent;

import io.rackpilot.agent.AgentContext;
import io.rackpilot.agent.AgentParts;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.hostagent.metrics.HostMetrics;
import io.rackpilot.hostagent.nfs.Exportfs;
import io.rackpilot.hostagent.nfs.NfsExportsApplyHandler;
import io.rackpilot.hostagent.nfs.NfsExportsCollector;
import io.rackpilot.hostagent.pci.IommuPreflight;
import io.rackpilot.hostagent.pci.PciAddress;
import io.rackpilot.hostagent.pci.PciDevicesCollector;
import io.rackpilot.hostagent.pci.PciDriverBindHandler;
import io.rackpilot.hostagent.pci.PciSysfs;
import io.rackpilot.hostagent.pci.SysfsWriter;
import io.rackpilot.hostagent.proxmox.PassthroughPreflight;
import io.rackpilot.hostagent.proxmox.PciMappingEnsureHandler;
import io.rackpilot.hostagent.proxmox.PciPassthroughAttachHandler;
import io.rackpilot.hostagent.proxmox.PciPassthroughDetachHandler;
import io.rackpilot.hostagent.proxmox.ProxmoxClient;
import io.rackpilot.hostagent.proxmox.ProxmoxCollector;
import io.rackpilot.hostagent.proxmox.ProxmoxToken;
import io.rackpilot.hostagent.proxmox.VmPowerHandler;
import io.rackpilot.proto.v1.ProxmoxInfo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the host-agent adds to the common agent on the Proxmox host: NFS exports, PCI devices and
 * driver binding from sysfs, and VMs, PCI mappings and passthrough through the Proxmox API. The
 * built-in actions (agent.ping, inventory.refresh) come from agent-core.
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
        PciSysfs sysfs = new PciSysfs(config.inventory().sysRoot(), config.inventory().procRoot());
        AtomicReference<ProxmoxInfo> proxmox = new AtomicReference<>(ProxmoxInfo.getDefaultInstance());

        if (config.proxmox().enabled()) {
            ProxmoxClient client = proxmoxClient(config.proxmox());
            IommuPreflight iommu = new IommuPreflight(sysfs);
            handlers.addAll(VmPowerHandler.all(client));
            handlers.add(new PciMappingEnsureHandler(client));
            handlers.add(new PciPassthroughAttachHandler(client, address -> check(iommu, address)));
            handlers.add(new PciPassthroughDetachHandler(client));
            // before the PCI devices: they are joined with the VMs found here
            collectors.add(new ObservedCollector(new ProxmoxCollector(client), inventory -> {
                proxmox.set(inventory.getProxmox());
                hostMetrics.proxmox(inventory.getProxmox());
            }));
        }

        handlers.add(new PciDriverBindHandler(sysfs, SysfsWriter.KERNEL));
        PciDevicesCollector pciDevices = new PciDevicesCollector(sysfs);
        collectors.add(new InventoryCollector()
        {
            @Override
            public String name()
            {
                return pciDevices.name();
            }

            @Override
            public void collect(io.rackpilot.proto.v1.Inventory.Builder inventory)
                    throws Exception
            {
                pciDevices.collect(inventory);
                inventory.setPciDevices(PciHolders.join(inventory.getPciDevices(), proxmox.get()));
                hostMetrics.pciDevices(inventory.getPciDevices());
            }
        });

        if (config.nfs().enabled()) {
            Exportfs exportfs = new Exportfs(config.nfs().exportfs(), Exportfs.DEFAULT_TIMEOUT);
            handlers.add(new NfsExportsApplyHandler(config.nfs().managedFile(), config.nfs().exportRoots(), exportfs));
            collectors.add(new ObservedCollector(new NfsExportsCollector(exportfs, config.nfs().managedFile()), inventory -> hostMetrics.exports(inventory.getNfsExports())));
        }
        return new AgentParts(handlers, collectors);
    }

    private static ProxmoxClient proxmoxClient(AgentConfig.Proxmox config)
    {
        ProxmoxToken token;
        try {
            token = ProxmoxToken.read(config.tokenFile());
        }
        catch (RuntimeException e) {
            throw new IllegalArgumentException("proxmox.tokenFile: " + e.getMessage(), e);
        }
        URI url;
        try {
            url = URI.create(config.url());
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("proxmox.url: '" + config.url() + "' is not a URL", e);
        }
        String node = config.node() != null ? config.node() : shortHostName();
        return new ProxmoxClient(url, node, token, config.caFile(), config.timeout());
    }

    private static void check(IommuPreflight iommu, String address)
            throws ActionException
    {
        IommuPreflight.Result result;
        try {
            // a slot address (0000:06:00, a mapping that passes every function) is checked through function 0
            result = iommu.check(PciAddress.parse(address.contains(".") ? address : address + ".0"));
        }
        catch (IllegalArgumentException e) {
            throw ActionException.rejected(e.getMessage());
        }
        catch (IOException e) {
            throw ActionException.failed("cannot read the IOMMU group of " + address + ": " + e.getMessage(), e);
        }
        if (!result.allowed()) {
            throw ActionException.rejected("the IOMMU group of " + address + " also holds " + String.join(", ", result.unrelated())
                    + ", which would be passed to the VM with it; move the card to another slot or enable ACS");
        }
    }

    private static String shortHostName()
    {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            int dot = name.indexOf('.');
            return dot < 0 ? name : name.substring(0, dot);
        }
        catch (UnknownHostException e) {
            throw new IllegalArgumentException("proxmox.node: not set, and this machine's host name is unknown: " + e.getMessage());
        }
    }
}
