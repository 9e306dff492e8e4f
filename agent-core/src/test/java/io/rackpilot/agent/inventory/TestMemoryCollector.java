package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.MemoryInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestMemoryCollector
{
    @Test
    void fillsTheMemorySection()
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        new MemoryCollector(new FakeHardware().withMemory(new FakeMemory(270_000_000_000L, 190_000_000_000L, 8_589_934_592L, 1_048_576L))).collect(inventory);

        assertThat(inventory.build().getAllFields()).hasSize(1);
        assertThat(inventory.getMemory()).isEqualTo(MemoryInfo.newBuilder()
                .setTotalBytes(270_000_000_000L)
                .setAvailableBytes(190_000_000_000L)
                .setSwapTotalBytes(8_589_934_592L)
                .setSwapUsedBytes(1_048_576L)
                .build());
    }

    @Test
    void noSwapIsZero()
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        new MemoryCollector(new FakeHardware().withMemory(new FakeMemory(8_000_000_000L, 6_000_000_000L, 0, -1))).collect(inventory);

        assertThat(inventory.getMemory().getSwapTotalBytes()).isZero();
        assertThat(inventory.getMemory().getSwapUsedBytes()).isZero();
    }
}
