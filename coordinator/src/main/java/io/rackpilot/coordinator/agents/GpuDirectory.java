package io.rackpilot.coordinator.agents;

import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentInventory;
import io.rackpilot.proto.v1.AgentNvml;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuEntry;
import io.rackpilot.proto.v1.ListGpusResponse;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Every GPU in the homelab, from the agents' last reports: which agent sees it and how it is.
 */
public final class GpuDirectory
{
    private final AgentRegistry registry;
    private final InventoryBook inventory;

    public GpuDirectory(AgentRegistry registry, InventoryBook inventory)
    {
        this.registry = requireNonNull(registry, "registry is null");
        this.inventory = requireNonNull(inventory, "inventory is null");
    }

    public ListGpusResponse list()
    {
        ListGpusResponse.Builder response = ListGpusResponse.newBuilder();
        for (AgentInfo agent : registry.agents()) {
            Optional<AgentInventory> reported = inventory.get(agent.getId());
            if (reported.isEmpty() || !reported.get().getInventory().hasGpus()) {
                continue;
            }
            AgentInventory found = reported.get();
            response.addNvml(AgentNvml.newBuilder().setAgentId(agent.getId()).setStatus(found.getInventory().getGpus().getNvml()));
            List<Gpu> gpus = found.getInventory().getGpus().getItemsList().stream().sorted(Comparator.comparing(Gpu::getUuid)).toList();
            for (Gpu gpu : gpus) {
                response.addGpus(GpuEntry.newBuilder()
                        .setAgentId(agent.getId())
                        .setAgentState(agent.getState())
                        .setGpu(gpu)
                        .setDriverVersion(found.getInventory().getGpus().getNvml().getDriverVersion())
                        .setReportedAt(found.getCollectedAt()));
            }
        }
        return response.build();
    }
}
