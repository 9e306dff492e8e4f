package io.rackpilot.agent.metrics;

import io.rackpilot.common.metrics.Labels;
import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Per-GPU metrics in base units, each series labelled with the GPU's full NVML UUID (as
 * dcgm-exporter does), plus whether NVML is there and how the GPU collector did. A field NVML does
 * not support for a card has no series; a GPU that went away loses all of its series.
 */
public final class GpuMetrics
{
    private static final String UUID = "uuid";

    private final Metrics metrics;
    // uuid -> the labels of its info series, to replace them when they change
    private final Map<String, Labels> infoLabels = new HashMap<>();
    private final Map<String, Gpu> latest = new ConcurrentHashMap<>();
    private volatile Gpus current = Gpus.getDefaultInstance();
    private volatile boolean lastPollSucceeded;
    private volatile long lastPollNanos;

    public GpuMetrics(Metrics metrics)
    {
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.gauge("rackpilot_gpus", "GPUs this machine sees through NVML.", Labels.empty(), () -> current.getItemsCount());
        metrics.gauge("rackpilot_nvml_available", "1 when NVML is loaded and initialised (or GPUs are simulated), else 0.", Labels.empty(),
                () -> current.getNvml().getState() == NvmlStatus.State.STATE_AVAILABLE || current.getNvml().getState() == NvmlStatus.State.STATE_SIMULATED ? 1 : 0);
        metrics.gauge("rackpilot_gpu_collector_success", "1 when the last GPU poll finished in time without an NVML error, else 0.", Labels.empty(),
                () -> lastPollSucceeded ? 1 : 0);
        metrics.gauge("rackpilot_gpu_collector_duration_seconds", "How long the last GPU poll took.", Labels.empty(), () -> lastPollNanos / 1e9);
    }

    public void polled(boolean success, long durationNanos)
    {
        lastPollSucceeded = success;
        lastPollNanos = durationNanos;
    }

    /**
     * Brings the series in line with the latest GPU state.
     */
    public synchronized void update(Gpus gpus)
    {
        requireNonNull(gpus, "gpus is null");
        current = gpus;
        Set<String> seen = new HashSet<>();
        for (Gpu gpu : gpus.getItemsList()) {
            seen.add(gpu.getUuid());
            latest.put(gpu.getUuid(), gpu);
            register(gpu, gpus.getNvml().getDriverVersion());
        }
        for (String gone : Set.copyOf(infoLabels.keySet())) {
            if (!seen.contains(gone)) {
                metrics.removeAllWithLabel(UUID, gone);
                infoLabels.remove(gone);
                latest.remove(gone);
            }
        }
    }

    private void register(Gpu gpu, String driverVersion)
    {
        String uuid = gpu.getUuid();
        Labels labels = Labels.of(UUID, uuid);
        Labels info = Labels.of(UUID, uuid, "name", gpu.getName(), "pci_bus_id", gpu.getPciBusId(), "driver_version", driverVersion, "index", Integer.toString(gpu.getIndex()));
        Labels previousInfo = infoLabels.put(uuid, info);
        if (previousInfo != null && !previousInfo.equals(info)) {
            metrics.remove("rackpilot_gpu_info", previousInfo);
        }
        metrics.info("rackpilot_gpu_info", "The GPU's name, PCI bus id (as this machine sees it), driver version and NVML index.", info);
        gauge("rackpilot_gpu_healthy", "1 when NVML answers for the GPU without error, 0 when it is lost or failing.", labels, gpu, true,
                value -> value.getHealth() == GpuHealth.GPU_HEALTH_HEALTHY ? 1 : 0);
        gauge("rackpilot_gpu_utilization_ratio", "Share of the last sample period a kernel was running.", labels, gpu, gpu.hasUtilizationRatio(), Gpu::getUtilizationRatio);
        gauge("rackpilot_gpu_memory_utilization_ratio", "Share of the last sample period device memory was read or written.", labels, gpu, gpu.hasMemoryUtilizationRatio(), Gpu::getMemoryUtilizationRatio);
        gauge("rackpilot_gpu_memory_used_bytes", "Device memory in use.", labels, gpu, gpu.hasMemoryUsedBytes(), value -> unsigned(value.getMemoryUsedBytes()));
        gauge("rackpilot_gpu_memory_total_bytes", "Device memory in all.", labels, gpu, gpu.hasMemoryTotalBytes(), value -> unsigned(value.getMemoryTotalBytes()));
        gauge("rackpilot_gpu_temperature_celsius", "GPU core temperature.", labels, gpu, gpu.hasTemperatureCelsius(), Gpu::getTemperatureCelsius);
        gauge("rackpilot_gpu_power_watts", "Power the GPU draws now.", labels, gpu, gpu.hasPowerWatts(), Gpu::getPowerWatts);
        gauge("rackpilot_gpu_power_limit_watts", "The power limit the driver enforces.", labels, gpu, gpu.hasPowerLimitWatts(), Gpu::getPowerLimitWatts);
        gauge("rackpilot_gpu_fan_ratio", "Fan speed as a share of its maximum (absent on passively cooled cards such as the T4).", labels, gpu, gpu.hasFanRatio(), Gpu::getFanRatio);
        gauge("rackpilot_gpu_processes", "Compute processes using the GPU.", labels, gpu, gpu.hasProcesses(), value -> value.getProcesses().getItemsCount());
        clock("graphics", gpu, gpu.hasGraphicsClockHertz(), Gpu::getGraphicsClockHertz);
        clock("sm", gpu, gpu.hasSmClockHertz(), Gpu::getSmClockHertz);
        clock("memory", gpu, gpu.hasMemoryClockHertz(), Gpu::getMemoryClockHertz);
        if (gpu.hasEnergyJoules()) {
            metrics.counter("rackpilot_gpu_energy_joules_total", "Energy the GPU used since the driver was loaded.", labels,
                    () -> (long) latest.getOrDefault(uuid, gpu).getEnergyJoules());
        }
        else {
            metrics.remove("rackpilot_gpu_energy_joules_total", labels);
        }
        eccCounter("corrected", gpu, gpu.hasEccCorrectedErrors(), Gpu::getEccCorrectedErrors);
        eccCounter("uncorrected", gpu, gpu.hasEccUncorrectedErrors(), Gpu::getEccUncorrectedErrors);
    }

    private void clock(String clock, Gpu gpu, boolean present, Function<Gpu, Long> value)
    {
        gauge("rackpilot_gpu_clock_hertz", "Current clock frequency, by clock domain.", Labels.of(UUID, gpu.getUuid(), "clock", clock), gpu, present, current -> unsigned(value.apply(current)));
    }

    private void eccCounter(String type, Gpu gpu, boolean present, Function<Gpu, Long> value)
    {
        Labels labels = Labels.of(UUID, gpu.getUuid(), "type", type);
        String uuid = gpu.getUuid();
        if (present) {
            metrics.counter("rackpilot_gpu_ecc_errors_total", "ECC errors since the driver was loaded (volatile counters), by type.", labels,
                    () -> value.apply(latest.getOrDefault(uuid, gpu)));
        }
        else {
            metrics.remove("rackpilot_gpu_ecc_errors_total", labels);
        }
    }

    private void gauge(String name, String help, Labels labels, Gpu gpu, boolean present, Function<Gpu, ? extends Number> value)
    {
        if (!present) {
            metrics.remove(name, labels);
            return;
        }
        String uuid = gpu.getUuid();
        metrics.gauge(name, help, labels, () -> value.apply(latest.getOrDefault(uuid, gpu)));
    }

    private static double unsigned(long value)
    {
        return value >= 0 ? value : value + 0x1p64;
    }
}
