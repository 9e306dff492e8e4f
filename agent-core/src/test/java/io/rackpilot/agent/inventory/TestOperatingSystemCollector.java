package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.OperatingSystemInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestOperatingSystemCollector
{
    @Test
    void fillsTheOperatingSystemSection()
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        new OperatingSystemCollector(FakeOperatingSystem.withFileStores(), "amd64").collect(inventory);

        assertThat(inventory.build().getAllFields()).hasSize(1);
        assertThat(inventory.getOperatingSystem()).isEqualTo(OperatingSystemInfo.newBuilder()
                .setFamily("Debian GNU/Linux")
                .setVersion("12")
                .setKernel("6.8.12-4-pve")
                .setArchitecture("x86_64")
                .build());
    }

    @Test
    void architectureIsSpelledAsTheKernelDoes()
    {
        assertThat(OperatingSystemCollector.kernelArchitecture("amd64")).isEqualTo("x86_64");
        assertThat(OperatingSystemCollector.kernelArchitecture("aarch64")).isEqualTo("aarch64");
        assertThat(OperatingSystemCollector.kernelArchitecture("x86")).isEqualTo("i686");
        assertThat(OperatingSystemCollector.kernelArchitecture("riscv64")).isEqualTo("riscv64");
    }
}
