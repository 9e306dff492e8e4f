package io.rackpilot.sim.gpu;

import io.rackpilot.agent.gpu.GpuSource;
import io.rackpilot.plan.Gpu;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.GpuProcesses;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The GPUs passed through to one VM, as NVML inside that VM would show them, for
 * {@code rackctl dev} and tests: a stable UUID made from the plan's GPU id (so a card keeps its UUID
 * in whichever VM it is), the model's name and memory, and readings that drift slowly over time.
 * Each poll asks the supplier which cards the VM holds at that moment; the N-th card sits at
 * 0N:00.0 in the guest, where Proxmox puts the PCIe passthrough devices of a q35 VM.
 */
public final class SimulatedGpuSource
        implements GpuSource
{
    private final Supplier<List<Gpu>> gpus;
    private final Clock clock;

    /**
     * @param gpus the cards the VM holds now, asked at every poll
     */
    public SimulatedGpuSource(Supplier<List<Gpu>> gpus, Clock clock)
    {
        this.gpus = requireNonNull(gpus, "gpus is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * A VM that always holds the same cards.
     */
    public SimulatedGpuSource(List<Gpu> gpus, Clock clock)
    {
        this(fixed(gpus), clock);
    }

    private static Supplier<List<Gpu>> fixed(List<Gpu> gpus)
    {
        List<Gpu> copy = List.copyOf(requireNonNull(gpus, "gpus is null"));
        return () -> copy;
    }

    @Override
    public Gpus poll()
    {
        Gpus.Builder result = Gpus.newBuilder().setNvml(NvmlStatus.newBuilder()
                .setState(NvmlStatus.State.STATE_SIMULATED)
                .setMessage("simulated by rackctl dev from the plan")
                .setLibrary("simulated")
                .setDriverVersion("550.54.15")
                .setNvmlVersion("12.550.54.15")
                .setCudaDriverVersion(12040));
        List<Gpu> held = List.copyOf(gpus.get());
        double seconds = clock.millis() / 1000.0;
        for (int index = 0; index < held.size(); index++) {
            Gpu planned = held.get(index);
            Model model = Model.of(planned.vendorDevice());
            // a slow wave so that dashboards move: one cycle every ten minutes
            double load = 0.35 + 0.3 * Math.sin(seconds * 2 * Math.PI / 600 + index);
            long used = (long) (model.memoryBytes() * (0.1 + 0.5 * load));
            result.addItems(io.rackpilot.proto.v1.Gpu.newBuilder()
                    .setUuid(uuidOf(planned.id()))
                    .setIndex(index)
                    .setName(model.name())
                    .setSerial(String.format(Locale.ROOT, "13240%08d", Math.abs(planned.id().hashCode()) % 100_000_000))
                    .setPciBusId(String.format(Locale.ROOT, "00000000:%02X:00.0", index + 1))
                    .setPciDomain(0)
                    .setPciBus(index + 1)
                    .setPciDevice(0)
                    .setPciDeviceId(model.pciDeviceId())
                    .setPciSubsystemId(model.pciSubsystemId())
                    .setHealth(GpuHealth.GPU_HEALTH_HEALTHY)
                    .setMemoryTotalBytes(model.memoryBytes())
                    .setMemoryUsedBytes(used)
                    .setMemoryFreeBytes(model.memoryBytes() - used)
                    .setUtilizationRatio(round(load))
                    .setMemoryUtilizationRatio(round(load / 2))
                    .setTemperatureCelsius(Math.round(38 + 30 * load))
                    .setPowerWatts(round(model.idleWatts() + (model.limitWatts() - model.idleWatts()) * load))
                    .setPowerLimitWatts(model.limitWatts())
                    .setEnergyJoules(Math.floor(seconds * (model.idleWatts() + model.limitWatts()) / 2) % 1e9)
                    .setGraphicsClockHertz(1_590_000_000L)
                    .setSmClockHertz(1_590_000_000L)
                    .setMemoryClockHertz(5_000_000_000L)
                    .setEccEnabled(true)
                    .setEccCorrectedErrors(0)
                    .setEccUncorrectedErrors(0)
                    .setProcesses(GpuProcesses.getDefaultInstance()));
        }
        return result.build();
    }

    @Override
    public void close()
    {
    }

    static String uuidOf(String gpuId)
    {
        return "GPU-" + UUID.nameUUIDFromBytes(("rackpilot-dev/" + gpuId).getBytes(StandardCharsets.UTF_8));
    }

    private static double round(double value)
    {
        return Math.round(value * 1000) / 1000.0;
    }

    /**
     * What NVML reports for a card model; the Tesla T4 of the seed homelab, or a generic card.
     */
    private record Model(String name, long memoryBytes, int pciDeviceId, int pciSubsystemId, double idleWatts, double limitWatts)
    {
        static Model of(String vendorDevice)
        {
            if (vendorDevice.equalsIgnoreCase("10de:1eb8")) {
                // 15360 MiB, 70 W, no fan: a Tesla T4 as nvidia-smi shows it
                return new Model("Tesla T4", 15_360L * 1024 * 1024, 0x1EB810DE, 0x12A210DE, 10, 70);
            }
            String[] parts = vendorDevice.split(":");
            int pciDeviceId = (Integer.parseInt(parts[1], 16) << 16) | Integer.parseInt(parts[0], 16);
            return new Model("NVIDIA GPU " + vendorDevice, 8L * 1024 * 1024 * 1024, pciDeviceId, 0, 15, 150);
        }
    }
}
