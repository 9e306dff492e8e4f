package io.rackpilot.agent.metrics;

import io.rackpilot.common.metrics.Labels;
import io.rackpilot.common.metrics.Metrics;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * Memory and CPU of the machine the agent runs on, and the agent's own resident memory, read at
 * scrape time (OSHI reads /proc; each read is microseconds).
 */
final class MachineMetrics
{
    private final Metrics metrics;
    private final GlobalMemory memory;
    private final CentralProcessor processor;
    private long[] previousTicks;

    MachineMetrics(Metrics metrics)
    {
        this.metrics = requireNonNull(metrics, "metrics is null");
        SystemInfo systemInfo = new SystemInfo();
        this.memory = systemInfo.getHardware().getMemory();
        this.processor = systemInfo.getHardware().getProcessor();
        this.previousTicks = processor.getSystemCpuLoadTicks();
    }

    void register()
    {
        metrics.gauge("rackpilot_machine_memory_total_bytes", "Physical memory of the machine.", Labels.empty(), memory::getTotal);
        metrics.gauge("rackpilot_machine_memory_available_bytes", "Memory available for new work without swapping.", Labels.empty(), memory::getAvailable);
        metrics.gauge("rackpilot_machine_cpu_usage_ratio", "Share of the machine's CPU time spent busy since the previous scrape.", Labels.empty(), this::cpuUsage);
        metrics.gauge("rackpilot_process_resident_memory_bytes", "Resident memory of the agent's own process.", Labels.empty(), MachineMetrics::residentMemory);
    }

    private synchronized double cpuUsage()
    {
        double usage = processor.getSystemCpuLoadBetweenTicks(previousTicks);
        previousTicks = processor.getSystemCpuLoadTicks();
        return Math.max(0, usage);
    }

    private static long residentMemory()
    {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
                    return Long.parseLong(fields[0]) * 1024;
                }
            }
        }
        catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
