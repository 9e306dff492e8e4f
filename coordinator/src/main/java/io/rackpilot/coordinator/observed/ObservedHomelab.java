package io.rackpilot.coordinator.observed;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.VirtualMachine;
import io.rackpilot.proto.v1.GpuCondition;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.HostPci;
import io.rackpilot.proto.v1.MoveState;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What the agents report, at one moment, with the joins the coordinator needs: which host-agent is
 * the plan's Proxmox node, which VM holds a GPU, which node-agent runs in which VM. A value: built
 * by {@link HomelabObserver}, read by the pure reconciler and the GPU move planner.
 *
 * @param agents every known agent, connected or lost
 * @param moves the GPU moves on record, oldest first
 * @param settledPlacements per GPU id, the VM the plan put it on when it was last seen where the
 *        plan said (0: no VM); see {@code PlacementBook}
 * @param gpuConditions per GPU id, a standing condition such as needs-host-reboot
 */
public record ObservedHomelab(List<ObservedAgent> agents, List<GpuMove> moves, Map<String, Integer> settledPlacements, Map<String, GpuCondition> gpuConditions)
{
    public ObservedHomelab
    {
        agents = List.copyOf(requireNonNull(agents, "agents is null"));
        moves = List.copyOf(requireNonNull(moves, "moves is null"));
        settledPlacements = Map.copyOf(requireNonNull(settledPlacements, "settledPlacements is null"));
        gpuConditions = Map.copyOf(requireNonNull(gpuConditions, "gpuConditions is null"));
    }

    public ObservedHomelab(List<ObservedAgent> agents, List<GpuMove> moves, Map<String, Integer> settledPlacements)
    {
        this(agents, moves, settledPlacements, Map.of());
    }

    /**
     * The host's PCI device at this address, as the host-agent of {@code hostName} reports it.
     */
    public Optional<io.rackpilot.proto.v1.PciDevice> pciDevice(String hostName, String address)
    {
        return hostAgent(hostName).flatMap(agent -> agent.inventory().getPciDevices().getItemsList().stream()
                .filter(device -> device.getAddress().equals(address))
                .findFirst());
    }

    public ObservedHomelab(List<ObservedAgent> agents, List<GpuMove> moves)
    {
        this(agents, moves, Map.of(), Map.of());
    }

    public Optional<ObservedAgent> agent(String id)
    {
        return agents.stream().filter(agent -> agent.id().equals(id)).findFirst();
    }

    /**
     * The host-agent of the Proxmox node {@code hostName}: the one that reports that node, else the
     * one whose id is the node's name.
     */
    public Optional<ObservedAgent> hostAgent(String hostName)
    {
        Optional<ObservedAgent> reporting = agents.stream()
                .filter(ObservedAgent::isHost)
                .filter(agent -> agent.inventory().getProxmox().getNode().equals(hostName))
                .findFirst();
        if (reporting.isPresent()) {
            return reporting;
        }
        return agents.stream().filter(ObservedAgent::isHost).filter(agent -> agent.id().equals(hostName)).findFirst();
    }

    /**
     * The VMs of the node as its host-agent last reported them; empty when they are not known:
     * nobody reports them, or the host-agent could not read the Proxmox API (its report then has
     * no VMs, which means "unknown", not "none"; {@link #proxmoxUnreadable} says why).
     */
    public Optional<List<ProxmoxVm>> proxmoxVms(String hostName)
    {
        return hostAgent(hostName)
                .filter(agent -> agent.inventory().hasProxmox() && !agent.inventory().getProxmox().getNode().isEmpty())
                .filter(agent -> agent.inventory().getProxmox().getError().isEmpty())
                .map(agent -> agent.inventory().getProxmox().getVmsList());
    }

    /**
     * Why the host-agent of the node cannot report its VMs, when it says it could not read the
     * Proxmox API: "pve cannot read the Proxmox API since 2026-12-02T16:00:00Z: …". The VMs are then
     * unknown: nothing is compared with them and nothing is done because of them.
     */
    public Optional<String> proxmoxUnreadable(String hostName)
    {
        return hostAgent(hostName)
                .filter(agent -> agent.inventory().hasProxmox() && !agent.inventory().getProxmox().getError().isEmpty())
                .map(agent -> {
                    ProxmoxInfo proxmox = agent.inventory().getProxmox();
                    String since = proxmox.hasErrorSince() ? " since " + Timestamps.toInstant(proxmox.getErrorSince()) : "";
                    return agent.id() + " cannot read the Proxmox API" + since + ": " + proxmox.getError();
                });
    }

    public Optional<ProxmoxVm> proxmoxVm(String hostName, int vmid)
    {
        return proxmoxVms(hostName).flatMap(vms -> vms.stream().filter(vm -> vm.getVmid() == vmid).findFirst());
    }

    /**
     * The VM whose config holds the GPU (through its mapping or its address), when the host-agent
     * reports the VMs; {@code Optional.of(Optional.empty())} when it reports them and none holds it;
     * empty when the VMs are not known (see {@link #proxmoxVms}).
     */
    public Optional<Optional<ProxmoxVm>> gpuHolder(Gpu gpu)
    {
        return proxmoxVms(gpu.host()).map(vms -> vms.stream()
                .filter(vm -> vm.getHostpciList().stream().anyMatch(hostPci -> holds(hostPci, gpu)))
                .min(Comparator.comparingInt(ProxmoxVm::getVmid)));
    }

    public static boolean holds(HostPci hostPci, Gpu gpu)
    {
        if (hostPci.getMapping().equals(gpu.mapping())) {
            return true;
        }
        String slot = gpu.pciAddress().substring(0, gpu.pciAddress().length() - 2);
        return hostPci.getAddressesList().stream().anyMatch(address -> address.equals(gpu.pciAddress()) || address.equals(slot));
    }

    /**
     * The node-agent running in this VM: the one whose Kubernetes Node is the VM's node, else the one
     * reporting the VM's SMBIOS UUID (as Proxmox has it, else as the plan says), else the one named
     * like the VM.
     */
    public Optional<ObservedAgent> nodeAgentOf(VirtualMachine vm)
    {
        List<ObservedAgent> nodes = agents.stream().filter(ObservedAgent::isNode).toList();
        if (vm.nodeName().isPresent()) {
            Optional<ObservedAgent> byNode = nodes.stream()
                    .filter(agent -> agent.kubernetesNode().map(node -> node.getNodeName().equals(vm.nodeName().get())).orElse(false))
                    .findFirst();
            if (byNode.isPresent()) {
                return byNode;
            }
        }
        Optional<String> uuid = vm.smbiosUuid();
        if (uuid.isPresent()) {
            Optional<ObservedAgent> byUuid = nodes.stream().filter(agent -> agent.systemUuid().equals(uuid)).findFirst();
            if (byUuid.isPresent()) {
                return byUuid;
            }
        }
        return nodes.stream().filter(agent -> agent.id().equals(vm.name())).findFirst();
    }

    /**
     * Like {@link #nodeAgentOf(VirtualMachine)}, also trying the UUID that Proxmox reports for the VM.
     */
    public Optional<ObservedAgent> nodeAgentOf(VirtualMachine vm, Optional<ProxmoxVm> proxmoxVm)
    {
        Optional<ObservedAgent> found = nodeAgentOf(vm);
        if (found.isPresent() || proxmoxVm.isEmpty() || proxmoxVm.get().getSmbiosUuid().isEmpty()) {
            return found;
        }
        String uuid = proxmoxVm.get().getSmbiosUuid().toLowerCase(java.util.Locale.ROOT);
        return agents.stream().filter(ObservedAgent::isNode).filter(agent -> agent.systemUuid().equals(Optional.of(uuid))).findFirst();
    }

    /**
     * The move of this GPU that has not finished, if any.
     */
    public Optional<GpuMove> activeMove(String gpuId)
    {
        return moves.stream().filter(move -> move.getGpuId().equals(gpuId)).filter(ObservedHomelab::isActive).reduce((first, second) -> second);
    }

    /**
     * The newest move of this GPU.
     */
    public Optional<GpuMove> lastMove(String gpuId)
    {
        return moves.stream().filter(move -> move.getGpuId().equals(gpuId)).reduce((first, second) -> second);
    }

    public static boolean isActive(GpuMove move)
    {
        return move.getState() == MoveState.MOVE_STATE_RUNNING || move.getState() == MoveState.MOVE_STATE_ROLLING_BACK;
    }
}
