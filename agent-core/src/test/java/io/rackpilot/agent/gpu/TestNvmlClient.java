package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.GpuProcess;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link NvmlClient} against the fake NVML library (the real ABI, built from src/test/c).
 */
final class TestNvmlClient
{
    private static final String NAME_95 = "Tesla T4 " + "n".repeat(95 - 9);
    private static final String UUID_95 = "GPU-5f0a2c1e-" + "0123456789abcdef".repeat(6).substring(0, 95 - 13);
    private static final String SERIAL_29 = "1" + "2".repeat(28);
    private static final String DRIVER_VERSION_79 = "550.54.15-" + "d".repeat(69);
    private static final String NVML_VERSION_79 = "12.550.54.15-" + "v".repeat(66);

    @Test
    void zeroGpus()
    {
        FakeNvml fake = FakeNvml.current().script("count = 0\n");
        try (NvmlClient client = fake.client()) {
            Gpus gpus = client.poll();
            assertThat(gpus.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
            assertThat(gpus.getNvml().getLibrary()).isEqualTo(fake.library().toString());
            assertThat(gpus.getNvml().getDriverVersion()).isEqualTo("550.54.15");
            assertThat(gpus.getNvml().getNvmlVersion()).isEqualTo("12.550.54.15");
            assertThat(gpus.getNvml().getCudaDriverVersion()).isEqualTo(12040);
            assertThat(gpus.getItemsList()).isEmpty();
        }
    }

    @Test
    void everyFieldOfOneGpuIsMappedFromTheStructs()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                driver_version = %s
                nvml_version = %s
                cuda_driver_version = 12080
                gpu.0.name = %s
                gpu.0.uuid = %s
                gpu.0.serial = %s
                gpu.0.pci.bus_id = 00000001:3B:1F.0
                gpu.0.pci.bus_id_legacy = 0001:3B:1F.0
                gpu.0.pci.domain = 1
                gpu.0.pci.bus = 0x3B
                gpu.0.pci.device = 0x1F
                gpu.0.pci.device_id = 0x1EB810DE
                gpu.0.pci.subsystem_id = 0x92A210DE
                gpu.0.memory.total = 9223372036854788153
                gpu.0.memory.used = 9223372036854775807
                gpu.0.memory.free = 18446744073709551614
                gpu.0.utilization.gpu = 87
                gpu.0.utilization.memory = 12
                gpu.0.temperature = 41
                gpu.0.power = 27345
                gpu.0.power_limit = 4294967295
                gpu.0.energy = 123456789
                gpu.0.fan = 45
                gpu.0.clock.graphics = 1590
                gpu.0.clock.sm = 1575
                gpu.0.clock.memory = 5001
                gpu.0.ecc.current = 1
                gpu.0.ecc.pending = 0
                gpu.0.ecc.corrected = 3
                gpu.0.ecc.uncorrected = 9223372036854775809
                gpu.0.processes = 4242:1048576, 4294967295:na
                """.formatted(DRIVER_VERSION_79, NVML_VERSION_79, NAME_95, UUID_95, SERIAL_29));
        FakeNvml.Stats before = fake.stats();
        try (NvmlClient client = fake.client()) {
            Gpus gpus = client.poll();

            assertThat(gpus.getNvml().getDriverVersion()).isEqualTo(DRIVER_VERSION_79);
            assertThat(gpus.getNvml().getNvmlVersion()).isEqualTo(NVML_VERSION_79);
            assertThat(gpus.getNvml().getCudaDriverVersion()).isEqualTo(12080);
            assertThat(gpus.getItemsList()).hasSize(1);
            Gpu gpu = gpus.getItems(0);
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
            assertThat(gpu.getHealthDetail()).isEmpty();
            assertThat(gpu.getIndex()).isZero();
            assertThat(gpu.getName()).isEqualTo(NAME_95).hasSize(95);
            assertThat(gpu.getUuid()).isEqualTo(UUID_95).hasSize(95);
            assertThat(gpu.getSerial()).isEqualTo(SERIAL_29).hasSize(29);
            assertThat(gpu.getPciBusId()).isEqualTo("00000001:3B:1F.0");
            assertThat(gpu.getPciDomain()).isEqualTo(1);
            assertThat(gpu.getPciBus()).isEqualTo(0x3B);
            assertThat(gpu.getPciDevice()).isEqualTo(0x1F);
            assertThat(gpu.getPciDeviceId()).isEqualTo(0x1EB810DE);
            assertThat(Integer.toUnsignedLong(gpu.getPciSubsystemId())).isEqualTo(0x92A210DEL);
            assertThat(Long.toUnsignedString(gpu.getMemoryTotalBytes())).isEqualTo("9223372036854788153");
            assertThat(Long.toUnsignedString(gpu.getMemoryUsedBytes())).isEqualTo("9223372036854775807");
            assertThat(Long.toUnsignedString(gpu.getMemoryFreeBytes())).isEqualTo("18446744073709551614");
            assertThat(gpu.getUtilizationRatio()).isCloseTo(0.87, within(1e-12));
            assertThat(gpu.getMemoryUtilizationRatio()).isCloseTo(0.12, within(1e-12));
            assertThat(gpu.getTemperatureCelsius()).isEqualTo(41.0);
            assertThat(gpu.getPowerWatts()).isCloseTo(27.345, within(1e-9));
            assertThat(gpu.getPowerLimitWatts()).isCloseTo(4294967.295, within(1e-6));
            assertThat(gpu.getEnergyJoules()).isCloseTo(123456.789, within(1e-6));
            assertThat(gpu.getFanRatio()).isCloseTo(0.45, within(1e-12));
            assertThat(gpu.getGraphicsClockHertz()).isEqualTo(1_590_000_000L);
            assertThat(gpu.getSmClockHertz()).isEqualTo(1_575_000_000L);
            assertThat(gpu.getMemoryClockHertz()).isEqualTo(5_001_000_000L);
            assertThat(gpu.getEccEnabled()).isTrue();
            assertThat(gpu.getEccCorrectedErrors()).isEqualTo(3);
            assertThat(Long.toUnsignedString(gpu.getEccUncorrectedErrors())).isEqualTo("9223372036854775809");
            assertThat(gpu.hasProcesses()).isTrue();
            assertThat(gpu.getProcesses().getItemsList()).containsExactly(
                    GpuProcess.newBuilder().setPid(4242).setUsedMemoryBytes(1_048_576).build(),
                    GpuProcess.newBuilder().setPid((int) 4294967295L).build());
            assertThat(gpu.getProcesses().getItems(1).hasUsedMemoryBytes()).isFalse();
        }
        // The versioned functions only: the unversioned ones fill older structs
        assertThat(fake.stats().since(before).legacyCalls()).isZero();
    }

    @Test
    void twoGpusAreSortedByUuidNotIndex()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 2
                gpu.0.uuid = GPU-bbbbbbbb-0000-0000-0000-000000000000
                gpu.0.name = second
                gpu.1.uuid = GPU-aaaaaaaa-0000-0000-0000-000000000000
                gpu.1.name = first
                gpu.1.pci.bus = 0x82
                """);
        try (NvmlClient client = fake.client()) {
            Gpus gpus = client.poll();
            assertThat(gpus.getItemsList()).extracting(Gpu::getUuid, Gpu::getIndex, Gpu::getName).containsExactly(
                    tuple("GPU-aaaaaaaa-0000-0000-0000-000000000000", 1, "first"),
                    tuple("GPU-bbbbbbbb-0000-0000-0000-000000000000", 0, "second"));
            assertThat(gpus.getItems(0).getPciBus()).isEqualTo(0x82);
            assertThat(gpus.getItems(1).getPciBus()).isEqualTo(1);
            assertThat(gpus.getItemsList()).allSatisfy(gpu -> assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY));
        }
    }

    @Test
    void unsupportedFanLeavesOnlyTheFanUnset()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                gpu.0.error.nvmlDeviceGetFanSpeed = 3
                """);
        try (NvmlClient client = fake.client()) {
            Gpu gpu = client.poll().getItems(0);
            assertThat(gpu.hasFanRatio()).isFalse();
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
            assertThat(gpu.getHealthDetail()).isEmpty();
            assertThat(gpu.hasTemperatureCelsius()).isTrue();
            assertThat(gpu.hasPowerWatts()).isTrue();
            assertThat(gpu.hasGraphicsClockHertz()).isTrue();
            assertThat(gpu.hasMemoryClockHertz()).isTrue();
            assertThat(gpu.hasEccEnabled()).isTrue();
            assertThat(gpu.hasProcesses()).isTrue();
        }
    }

    @Test
    void eccOffLeavesTheCountsUnset()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                gpu.0.ecc.current = 0
                """);
        try (NvmlClient client = fake.client()) {
            Gpu gpu = client.poll().getItems(0);
            assertThat(gpu.hasEccEnabled()).isTrue();
            assertThat(gpu.getEccEnabled()).isFalse();
            assertThat(gpu.hasEccCorrectedErrors()).isFalse();
            assertThat(gpu.hasEccUncorrectedErrors()).isFalse();
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
        }
    }

    @Test
    void aNameLongerThanTheBufferIsAnError()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                gpu.0.name = %s
                """.formatted("n".repeat(96)));
        try (NvmlClient client = fake.client()) {
            Gpu gpu = client.poll().getItems(0);
            assertThat(gpu.getName()).isEmpty();
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_ERROR);
            assertThat(gpu.getHealthDetail()).isEqualTo("nvmlDeviceGetName: Insufficient Size (7)");
            assertThat(gpu.getUuid()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
            assertThat(gpu.hasTemperatureCelsius()).isTrue();
        }
    }

    @Test
    void oldDriverFallsBackAndLeavesWhatItLacksUnset()
    {
        FakeNvml fake = FakeNvml.oldDriver().script("""
                count = 1
                cuda_driver_version = 10020
                gpu.0.processes = 100:4096, 200:na, 300:8192
                """);
        try (NvmlClient client = fake.client()) {
            Gpus gpus = client.poll();
            Gpu gpu = gpus.getItems(0);
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
            assertThat(gpu.hasEnergyJoules()).isFalse();
            assertThat(gpu.hasPowerWatts()).isTrue();
            // the unversioned call with its 16-byte entries
            assertThat(gpu.getProcesses().getItemsList()).containsExactly(
                    GpuProcess.newBuilder().setPid(100).setUsedMemoryBytes(4096).build(),
                    GpuProcess.newBuilder().setPid(200).build(),
                    GpuProcess.newBuilder().setPid(300).setUsedMemoryBytes(8192).build());
            assertThat(gpus.getNvml().getCudaDriverVersion()).isEqualTo(10020);
            assertThat(client.missingFunctions()).containsExactlyInAnyOrder(
                    "nvmlDeviceGetTotalEnergyConsumption",
                    "nvmlDeviceGetComputeRunningProcesses_v3",
                    "nvmlDeviceGetComputeRunningProcesses_v2",
                    "nvmlSystemGetCudaDriverVersion_v2");
            int firstCalls = client.lastPollCallCount();

            // Missing functions are not looked up again
            Gpu again = client.poll().getItems(0);
            assertThat(again.getProcesses().getItemsCount()).isEqualTo(3);
            assertThat(client.lastPollCallCount()).isEqualTo(firstCalls - 8);
        }
    }

    @Test
    void r535DriverProcessEntriesAre32Bytes()
    {
        FakeNvml fake = FakeNvml.r535Driver().script("""
                count = 1
                gpu.0.processes = 11:1024, 22:2048, 33:na, 44:4096
                """);
        try (NvmlClient client = fake.client()) {
            Gpu gpu = client.poll().getItems(0);
            assertThat(gpu.getProcesses().getItemsList()).containsExactly(
                    GpuProcess.newBuilder().setPid(11).setUsedMemoryBytes(1024).build(),
                    GpuProcess.newBuilder().setPid(22).setUsedMemoryBytes(2048).build(),
                    GpuProcess.newBuilder().setPid(33).build(),
                    GpuProcess.newBuilder().setPid(44).setUsedMemoryBytes(4096).build());
        }
    }

    @Test
    void fortyProcessesNeedASecondCallOnceThenTheRoomIsRemembered()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                gpu.0.processes.generate = 40
                """);
        try (NvmlClient client = fake.client()) {
            Gpu gpu = client.poll().getItems(0);
            int firstCalls = client.lastPollCallCount();
            List<GpuProcess> expected = IntStream.range(0, 40)
                    .mapToObj(index -> GpuProcess.newBuilder().setPid(1000 + index).setUsedMemoryBytes((index + 1L) << 20).build())
                    .toList();
            assertThat(gpu.getProcesses().getItemsList()).isEqualTo(expected);
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);

            Gpu again = client.poll().getItems(0);
            assertThat(again.getProcesses().getItemsList()).isEqualTo(expected);
            // the first poll: init, 3 system calls, and INSUFFICIENT_SIZE then the list
            assertThat(client.lastPollCallCount()).isEqualTo(firstCalls - 1 - 3 - 1);
        }
    }

    @Test
    void aProcessListThatKeepsGrowingIsLeftUnset()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                gpu.0.processes.generate = 20
                gpu.0.processes.grow = 100
                """);
        try (NvmlClient client = fake.client()) {
            Gpu gpu = client.poll().getItems(0);
            assertThat(gpu.hasProcesses()).isFalse();
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
            assertThat(gpu.hasTemperatureCelsius()).isTrue();
        }
    }

    @Test
    void aLostGpuIsReportedThenNvmlIsInitialisedAgain()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 2
                gpu.0.error.nvmlDeviceGetTemperature = 15
                """);
        try (NvmlClient client = fake.client()) {
            FakeNvml.Stats before = fake.stats();
            Gpus lost = client.poll();
            assertThat(lost.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
            Gpu gpu = lost.getItems(0);
            assertThat(gpu.getIndex()).isZero();
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_LOST);
            assertThat(gpu.getHealthDetail()).isEqualTo("nvmlDeviceGetTemperature: GPU is lost (15)");
            // read before the loss
            assertThat(gpu.getUuid()).isEqualTo("GPU-00000000-0000-0000-0000-000000000000");
            assertThat(gpu.hasMemoryTotalBytes()).isTrue();
            // not read after it
            assertThat(gpu.hasTemperatureCelsius()).isFalse();
            assertThat(gpu.hasPowerWatts()).isFalse();
            assertThat(lost.getItems(1).getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
            assertThat(fake.stats().since(before).initializations()).isEqualTo(1);

            fake.script("count = 2\n");
            Gpus back = client.poll();
            FakeNvml.Stats after = fake.stats().since(before);
            assertThat(after.shutdowns()).isEqualTo(1);
            assertThat(after.initializations()).isEqualTo(2);
            assertThat(back.getItemsList()).allSatisfy(item -> {
                assertThat(item.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
                assertThat(item.hasTemperatureCelsius()).isTrue();
            });

            client.poll();
            assertThat(fake.stats().since(before).initializations()).isEqualTo(2);
        }
    }

    @Test
    void aGpuLostBeforeItsUuidIsReadKeepsTheUuidItHad()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                gpu.0.uuid = GPU-11111111-2222-3333-4444-555555555555
                """);
        try (NvmlClient client = fake.client()) {
            assertThat(client.poll().getItems(0).getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
            fake.script("""
                    count = 1
                    gpu.0.uuid = GPU-11111111-2222-3333-4444-555555555555
                    gpu.0.error.nvmlDeviceGetHandleByIndex_v2 = 15
                    """);
            Gpu gpu = client.poll().getItems(0);
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_LOST);
            assertThat(gpu.getUuid()).isEqualTo("GPU-11111111-2222-3333-4444-555555555555");
            assertThat(gpu.getHealthDetail()).isEqualTo("nvmlDeviceGetHandleByIndex_v2: GPU is lost (15)");
            assertThat(gpu.hasMemoryTotalBytes()).isFalse();
        }
    }

    @Test
    void anotherErrorMarksTheGpuAndTheOtherFieldsAreStillRead()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                gpu.0.error.nvmlDeviceGetPowerUsage = 999
                gpu.0.error.nvmlDeviceGetSerial = 4
                """);
        try (NvmlClient client = fake.client()) {
            FakeNvml.Stats before = fake.stats();
            Gpu gpu = client.poll().getItems(0);
            assertThat(gpu.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_ERROR);
            assertThat(gpu.getHealthDetail()).isEqualTo("nvmlDeviceGetSerial: Insufficient Permissions (4); nvmlDeviceGetPowerUsage: Unknown Error (999)");
            assertThat(gpu.hasPowerWatts()).isFalse();
            assertThat(gpu.getSerial()).isEmpty();
            assertThat(gpu.hasTemperatureCelsius()).isTrue();
            assertThat(gpu.hasFanRatio()).isTrue();
            assertThat(gpu.hasProcesses()).isTrue();

            client.poll();
            assertThat(fake.stats().since(before).initializations()).isEqualTo(1);
            assertThat(fake.stats().since(before).shutdowns()).isZero();
        }
    }

    @Test
    void aFailedInitialisationIsAnErrorTriedAgainNextPoll()
    {
        FakeNvml fake = FakeNvml.current().script("""
                init = 9
                count = 1
                """);
        try (NvmlClient client = fake.client()) {
            Gpus failed = client.poll();
            assertThat(failed.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_ERROR);
            assertThat(failed.getNvml().getMessage()).isEqualTo("cannot initialise NVML: nvmlInit_v2: Driver Not Loaded (9)");
            assertThat(failed.getNvml().getLibrary()).isEqualTo(fake.library().toString());
            assertThat(failed.getItemsList()).isEmpty();

            fake.script("count = 1\n");
            Gpus available = client.poll();
            assertThat(available.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
            assertThat(available.getNvml().getMessage()).isEmpty();
            assertThat(available.getItemsList()).hasSize(1);
        }
    }

    @Test
    void aFailedCountIsAnErrorAndNvmlIsInitialisedAgain()
    {
        FakeNvml fake = FakeNvml.current().script("""
                count = 1
                error.nvmlDeviceGetCount_v2 = 999
                """);
        try (NvmlClient client = fake.client()) {
            FakeNvml.Stats before = fake.stats();
            Gpus failed = client.poll();
            assertThat(failed.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_ERROR);
            assertThat(failed.getNvml().getMessage()).isEqualTo("cannot count the GPUs: nvmlDeviceGetCount_v2: Unknown Error (999)");

            fake.script("count = 1\n");
            Gpus available = client.poll();
            assertThat(available.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
            assertThat(available.getItemsList()).hasSize(1);
            assertThat(fake.stats().since(before).initializations()).isEqualTo(2);
        }
    }

    @Test
    void closeShutsNvmlDown()
    {
        FakeNvml fake = FakeNvml.current().script("count = 1\n");
        FakeNvml.Stats before = fake.stats();
        NvmlClient client = fake.client();
        client.poll();
        client.close();
        FakeNvml.Stats after = fake.stats().since(before);
        assertThat(after.initializations()).isEqualTo(1);
        assertThat(after.shutdowns()).isEqualTo(1);
    }

    @Test
    void callsAndTimePerPoll()
    {
        for (int count : new int[] {1, 2}) {
            FakeNvml fake = FakeNvml.current().script("""
                    count = %d
                    gpu.0.processes = 4242:1048576
                    gpu.1.processes = 4343:2097152
                    """.formatted(count));
            try (NvmlClient client = fake.client()) {
                for (int warmUp = 0; warmUp < 10_000; warmUp++) {
                    client.poll();
                }
                int polls = 5000;
                FakeNvml.Stats before = fake.stats();
                long start = System.nanoTime();
                for (int poll = 0; poll < polls; poll++) {
                    client.poll();
                }
                long elapsed = System.nanoTime() - start;
                FakeNvml.Stats seen = fake.stats().since(before);
                assertThat(seen.calls()).isEqualTo(client.lastPollCallCount() * polls);
                System.out.printf("NVML figures: %d GPU(s): %d NVML calls per poll, %.1f microseconds per poll (fake library, %d polls after warm-up)%n",
                        count, client.lastPollCallCount(), elapsed / 1000.0 / polls, polls);
            }
        }
    }
}
