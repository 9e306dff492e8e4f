package io.rackpilot.coordinator.relocation;

import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.HostPci;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.StepState;

import java.util.List;
import java.util.Optional;

/**
 * Notices, before each step of a move, that a person changed what the move works on: the old VM
 * started again after the move shut it down, or the card's hostpci edited onto a VM by hand. Pure:
 * it reads the host-agent's last report.
 */
final class MoveGuard
{
    private MoveGuard() {}

    static Optional<String> interference(GpuMove move, int index, ObservedHomelab observed)
    {
        String hostAgent = move.getStepsList().stream().filter(step -> step.getName().equals(MovePlanner.ATTACH_NEW)).map(MoveStep::getAgentId).findFirst().orElse("");
        Optional<ObservedAgent> host = observed.agent(hostAgent);
        if (host.isEmpty() || !host.get().inventory().hasProxmox()) {
            return Optional.empty();
        }
        List<ProxmoxVm> vms = host.get().inventory().getProxmox().getVmsList();
        String next = move.getSteps(index).getName();
        boolean oldShutDown = done(move, MovePlanner.SHUTDOWN_OLD);
        boolean oldStartedAgain = done(move, MovePlanner.START_OLD);
        if (oldShutDown && !oldStartedAgain && !next.equals(MovePlanner.START_OLD)) {
            Optional<ProxmoxVm> old = vm(vms, move.getFromVmid());
            if (old.isPresent() && old.get().getStatus().equals("running") && host.get().collectedAt().isPresent()
                    && finishedBefore(move, MovePlanner.SHUTDOWN_OLD, host.get())) {
                return Optional.of("VM " + move.getFromVmid() + " was started again by someone after the move shut it down");
            }
        }
        if (next.equals(MovePlanner.ATTACH_NEW) && done(move, MovePlanner.DETACH_OLD) && finishedBefore(move, MovePlanner.DETACH_OLD, host.get())) {
            for (ProxmoxVm vm : vms) {
                if (vm.getHostpciList().stream().anyMatch(hostPci -> holdsMapping(hostPci, move))) {
                    return Optional.of("VM " + vm.getVmid() + "'s config was given the card by hand (" + vm.getName() + ") after the move detached it from VM " + move.getFromVmid());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean holdsMapping(HostPci hostPci, GpuMove move)
    {
        return hostPci.getMapping().equals(move.getMapping()) || hostPci.getAddressesList().contains(move.getPciAddress());
    }

    private static boolean done(GpuMove move, String name)
    {
        return move.getStepsList().stream().anyMatch(step -> !step.getUndo() && step.getName().equals(name) && step.getState() == StepState.STEP_STATE_DONE);
    }

    /**
     * Whether the host-agent's report was collected after the step finished (an older report cannot
     * show what happened since).
     */
    private static boolean finishedBefore(GpuMove move, String name, ObservedAgent host)
    {
        return move.getStepsList().stream()
                .filter(step -> !step.getUndo() && step.getName().equals(name) && step.hasFinishedAt())
                .findFirst()
                .map(step -> host.collectedAt().map(collected -> collected.isAfter(io.rackpilot.common.protocol.Timestamps.toInstant(step.getFinishedAt()))).orElse(false))
                .orElse(false);
    }

    private static Optional<ProxmoxVm> vm(List<ProxmoxVm> vms, int vmid)
    {
        return vms.stream().filter(vm -> vm.getVmid() == vmid).findFirst();
    }
}
