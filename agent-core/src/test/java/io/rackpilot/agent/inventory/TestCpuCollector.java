package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.CpuInfo;
import io.rackpilot.proto.v1.Inventory;
import org.junit.jupiter.api.Test;
import oshi.hardware.CentralProcessor.ProcessorIdentifier;

import static org.assertj.core.api.Assertions.assertThat;

class TestCpuCollector
{
    @Test
    void fillsTheCpuSection()
    {
        ProcessorIdentifier identifier = new ProcessorIdentifier("GenuineIntel", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "6", "79", "1", "BFEBFBFF000406F1", true, 2_400_000_000L);

        Inventory inventory = collect(new FakeProcessor(identifier, 3_300_000_000L, 2, 28, 56));

        assertThat(inventory.getAllFields()).hasSize(1);
        assertThat(inventory.getCpu()).isEqualTo(CpuInfo.newBuilder()
                .setModel("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz")
                .setVendor("GenuineIntel")
                .setSockets(2)
                .setPhysicalCores(28)
                .setLogicalCores(56)
                .setMaxFrequencyHertz(3_300_000_000L)
                .build());
    }

    @Test
    void withoutAMaximumFrequencyTheVendorFrequencyCounts()
    {
        ProcessorIdentifier identifier = new ProcessorIdentifier("GenuineIntel", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "6", "79", "1", "", true, 2_400_000_000L);

        assertThat(collect(new FakeProcessor(identifier, -1, 1, 4, 4)).getCpu().getMaxFrequencyHertz()).isEqualTo(2_400_000_000L);
    }

    @Test
    void unknownValuesBecomeEmptyAndZero()
    {
        ProcessorIdentifier identifier = new ProcessorIdentifier("unknown", "", "", "", "", "", true, -1);

        CpuInfo cpu = collect(new FakeProcessor(identifier, -1, -1, 0, 1)).getCpu();

        assertThat(cpu.getVendor()).isEmpty();
        assertThat(cpu.getModel()).isEmpty();
        assertThat(cpu.getMaxFrequencyHertz()).isZero();
        assertThat(cpu.getSockets()).isZero();
        assertThat(cpu.getLogicalCores()).isEqualTo(1);
    }

    private static Inventory collect(FakeProcessor processor)
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        new CpuCollector(new FakeHardware().withProcessor(processor)).collect(inventory);
        return inventory.build();
    }
}
