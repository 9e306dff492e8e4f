package io.rackpilot.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rackpilot.cli.ExitCodes;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.cli.output.Table;
import io.rackpilot.proto.v1.AgentNvml;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuEntry;
import io.rackpilot.proto.v1.ListGpusResponse;
import io.rackpilot.proto.v1.NvmlStatus;
import picocli.CommandLine.Command;

@Command(name = "gpus", description = "List every GPU in the homelab as the agents last reported it.")
public final class GpusCommand
        extends ControlCommand
{
    @Override
    int run(ControlClient client)
    {
        ListGpusResponse response = client.gpus();
        if (json()) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            for (GpuEntry entry : response.getGpusList()) {
                array.add(json(entry));
            }
            out().println(ProtoJson.print(array));
            return ExitCodes.OK;
        }
        Table table = new Table("AGENT", "VMID", "NODE", "NAME", "UUID", "BUS ID", "MEMORY", "UTIL", "TEMP", "POWER", "HEALTH");
        for (GpuEntry entry : response.getGpusList()) {
            Gpu gpu = entry.getGpu();
            String memory = gpu.hasMemoryTotalBytes()
                    ? (gpu.hasMemoryUsedBytes() ? Cells.bytes(gpu.getMemoryUsedBytes()) + " / " : "") + Cells.bytes(gpu.getMemoryTotalBytes())
                    : "";
            table.row(entry.getAgentId(), entry.hasVmid() ? entry.getVmid() : "", entry.getNode(), gpu.getName(), gpu.getUuid(), gpu.getPciBusId(), memory,
                    gpu.hasUtilizationRatio() ? Math.round(gpu.getUtilizationRatio() * 100) + "%" : "",
                    gpu.hasTemperatureCelsius() ? Math.round(gpu.getTemperatureCelsius()) + " C" : "",
                    gpu.hasPowerWatts() ? String.format(java.util.Locale.ROOT, "%.1f W", gpu.getPowerWatts()) : "",
                    Cells.word(gpu.getHealth()) + (gpu.getHealthDetail().isEmpty() ? "" : ": " + gpu.getHealthDetail()));
        }
        table.print(out());
        for (AgentNvml nvml : response.getNvmlList()) {
            NvmlStatus status = nvml.getStatus();
            if (status.getState() == NvmlStatus.State.STATE_ERROR) {
                out().println(nvml.getAgentId() + ": NVML error: " + status.getMessage());
            }
        }
        return ExitCodes.OK;
    }

    /**
     * The GPU's fields (docs/cli.md) with who reports it beside them.
     */
    static ObjectNode json(GpuEntry entry)
    {
        ObjectNode object = ProtoJson.object(entry.getGpu());
        object.put("agent", entry.getAgentId());
        object.put("agentState", ProtoJson.enumWord(entry.getAgentState().getValueDescriptor()));
        if (entry.hasVmid()) {
            object.put("vmid", entry.getVmid());
        }
        object.put("node", entry.getNode());
        object.put("driverVersion", entry.getDriverVersion());
        object.set("reportedAt", ProtoJson.value(entry.getReportedAt()));
        return object;
    }
}
