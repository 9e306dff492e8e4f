package io.rackpilot.agent.metrics;

import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.common.metrics.PrometheusExposition;
import io.rackpilot.common.testing.Promtool;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.GpuProcess;
import io.rackpilot.proto.v1.GpuProcesses;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestGpuMetrics
{
    private static final String T4 = "GPU-5f0a2c1e-8b7d-4e2f-9a31-6c0d4b1e7a20";
    private static final String A2 = "GPU-0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    @Test
    void everyFieldInBaseUnitsWithTheUuidLabel()
    {
        Metrics metrics = new Metrics();
        GpuMetrics gpuMetrics = new GpuMetrics(metrics);
        gpuMetrics.update(gpus(t4().build()));
        gpuMetrics.polled(true, 1_500_000);

        String text = PrometheusExposition.toText(metrics);
        assertThat(text)
                .contains("rackpilot_gpus 1.0")
                .contains("rackpilot_nvml_available 1.0")
                .contains("rackpilot_gpu_collector_success 1.0")
                .contains("rackpilot_gpu_collector_duration_seconds 0.0015")
                .contains("rackpilot_gpu_info{driver_version=\"550.54.15\",index=\"0\",name=\"Tesla T4\",pci_bus_id=\"00000000:01:00.0\",uuid=\"" + T4 + "\"} 1")
                .contains("rackpilot_gpu_healthy{uuid=\"" + T4 + "\"} 1.0")
                .contains("rackpilot_gpu_utilization_ratio{uuid=\"" + T4 + "\"} 0.42")
                .contains("rackpilot_gpu_memory_utilization_ratio{uuid=\"" + T4 + "\"} 0.1")
                .contains("rackpilot_gpu_memory_used_bytes{uuid=\"" + T4 + "\"} 1.073741824E9")
                .contains("rackpilot_gpu_memory_total_bytes{uuid=\"" + T4 + "\"} 1.610612736E10")
                .contains("rackpilot_gpu_temperature_celsius{uuid=\"" + T4 + "\"} 51.0")
                .contains("rackpilot_gpu_power_watts{uuid=\"" + T4 + "\"} 27.5")
                .contains("rackpilot_gpu_power_limit_watts{uuid=\"" + T4 + "\"} 70.0")
                .contains("rackpilot_gpu_energy_joules_total{uuid=\"" + T4 + "\"} 123456.0")
                .contains("rackpilot_gpu_clock_hertz{clock=\"graphics\",uuid=\"" + T4 + "\"} 1.59E9")
                .contains("rackpilot_gpu_clock_hertz{clock=\"memory\",uuid=\"" + T4 + "\"} 5.001E9")
                .contains("rackpilot_gpu_ecc_errors_total{type=\"corrected\",uuid=\"" + T4 + "\"} 3.0")
                .contains("rackpilot_gpu_ecc_errors_total{type=\"uncorrected\",uuid=\"" + T4 + "\"} 0.0")
                .contains("rackpilot_gpu_processes{uuid=\"" + T4 + "\"} 2.0")
                .doesNotContain("rackpilot_gpu_fan_ratio{");
        Promtool.checkMetrics(text);
    }

    @Test
    void unsupportedFieldsAndVanishedGpusHaveNoSeries()
    {
        Metrics metrics = new Metrics();
        GpuMetrics gpuMetrics = new GpuMetrics(metrics);
        gpuMetrics.update(gpus(t4().build(), Gpu.newBuilder().setUuid(A2).setName("A2").setIndex(1).setPciBusId("00000000:02:00.0")
                .setHealth(GpuHealth.GPU_HEALTH_HEALTHY).setFanRatio(0.3).build()));
        String both = PrometheusExposition.toText(metrics);
        assertThat(both).contains("rackpilot_gpus 2.0").contains("rackpilot_gpu_fan_ratio{uuid=\"" + A2 + "\"} 0.3");
        assertThat(both).doesNotContain("rackpilot_gpu_temperature_celsius{uuid=\"" + A2);
        Promtool.checkMetrics(both);

        // the T4 loses its temperature reading, and the A2 goes away
        gpuMetrics.update(gpus(t4().clearTemperatureCelsius().setEnergyJoules(200000).build()));
        String after = PrometheusExposition.toText(metrics);
        assertThat(after).doesNotContain(A2).contains("rackpilot_gpus 1.0")
                .doesNotContain("rackpilot_gpu_temperature_celsius{")
                .contains("rackpilot_gpu_energy_joules_total{uuid=\"" + T4 + "\"} 200000.0");
        Promtool.checkMetrics(after);
    }

    @Test
    void noNvmlIsSaidByAMetric()
    {
        Metrics metrics = new Metrics();
        GpuMetrics gpuMetrics = new GpuMetrics(metrics);
        gpuMetrics.update(Gpus.newBuilder().setNvml(NvmlStatus.newBuilder().setState(NvmlStatus.State.STATE_ABSENT).setMessage("no libnvidia-ml.so.1")).build());
        String text = PrometheusExposition.toText(metrics);
        assertThat(text).contains("rackpilot_nvml_available 0.0").contains("rackpilot_gpus 0.0");
        Promtool.checkMetrics(text);
    }

    @Test
    void aLostGpuIsUnhealthyAndADriverChangeReplacesTheInfoSeries()
    {
        Metrics metrics = new Metrics();
        GpuMetrics gpuMetrics = new GpuMetrics(metrics);
        gpuMetrics.update(gpus(t4().build()));
        Gpus lost = Gpus.newBuilder()
                .setNvml(NvmlStatus.newBuilder().setState(NvmlStatus.State.STATE_AVAILABLE).setDriverVersion("550.90.07"))
                .addItems(t4().setHealth(GpuHealth.GPU_HEALTH_LOST).setHealthDetail("GPU is lost"))
                .build();
        gpuMetrics.update(lost);
        String text = PrometheusExposition.toText(metrics);
        assertThat(text).contains("rackpilot_gpu_healthy{uuid=\"" + T4 + "\"} 0.0")
                .contains("driver_version=\"550.90.07\"")
                .doesNotContain("driver_version=\"550.54.15\"");
    }

    private static Gpus gpus(Gpu... gpus)
    {
        Gpus.Builder builder = Gpus.newBuilder().setNvml(NvmlStatus.newBuilder().setState(NvmlStatus.State.STATE_AVAILABLE).setDriverVersion("550.54.15"));
        for (Gpu gpu : gpus) {
            builder.addItems(gpu);
        }
        return builder.build();
    }

    private static Gpu.Builder t4()
    {
        return Gpu.newBuilder()
                .setUuid(T4)
                .setIndex(0)
                .setName("Tesla T4")
                .setPciBusId("00000000:01:00.0")
                .setHealth(GpuHealth.GPU_HEALTH_HEALTHY)
                .setMemoryTotalBytes(16106127360L)
                .setMemoryUsedBytes(1073741824L)
                .setMemoryFreeBytes(16106127360L - 1073741824L)
                .setUtilizationRatio(0.42)
                .setMemoryUtilizationRatio(0.1)
                .setTemperatureCelsius(51)
                .setPowerWatts(27.5)
                .setPowerLimitWatts(70)
                .setEnergyJoules(123456.7)
                .setGraphicsClockHertz(1_590_000_000L)
                .setSmClockHertz(1_590_000_000L)
                .setMemoryClockHertz(5_001_000_000L)
                .setEccEnabled(true)
                .setEccCorrectedErrors(3)
                .setEccUncorrectedErrors(0)
                .setProcesses(GpuProcesses.newBuilder()
                        .addItems(GpuProcess.newBuilder().setPid(4242).setUsedMemoryBytes(536870912L))
                        .addItems(GpuProcess.newBuilder().setPid(4243)));
    }
}
