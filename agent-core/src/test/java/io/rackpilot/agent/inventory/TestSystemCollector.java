package io.rackpilot.agent.inventory;

import com.google.protobuf.Timestamp;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.SystemInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.software.os.OperatingSystem.OSVersionInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestSystemCollector
{
    @TempDir
    Path sysRoot;

    @Test
    void fillsTheSystemSectionWithTheUuidFromSysfs()
            throws IOException
    {
        Path dmi = Files.createDirectories(sysRoot.resolve("class/dmi/id"));
        Files.writeString(dmi.resolve("product_uuid"), "9B1C7D2E-3F40-4A5B-8C6D-7E8F90A1B2C3\n");
        FakeHardware hardware = new FakeHardware().withComputerSystem(new FakeComputerSystem("QEMU", "Standard PC (i440FX + PIIX, 1996)", "unknown"));

        Inventory inventory = collect(hardware, operatingSystem("k8s-node1", 1_732_400_000L));

        assertThat(inventory.getAllFields()).hasSize(1);
        assertThat(inventory.getSystem()).isEqualTo(SystemInfo.newBuilder()
                .setManufacturer("QEMU")
                .setModel("Standard PC (i440FX + PIIX, 1996)")
                .setUuid("9b1c7d2e-3f40-4a5b-8c6d-7e8f90a1b2c3")
                .setUuidSource("dmi")
                .setHostname("k8s-node1")
                .setBootTime(Timestamp.newBuilder().setSeconds(1_732_400_000L))
                .build());
    }

    @Test
    void oshiUnknownsBecomeEmptyAndAMissingUuidSaysWhy()
    {
        FakeHardware hardware = new FakeHardware().withComputerSystem(new FakeComputerSystem("unknown", " Unknown ", "unknown"));

        SystemInfo system = collect(hardware, operatingSystem("vm", -1)).getSystem();

        assertThat(system.getManufacturer()).isEmpty();
        assertThat(system.getModel()).isEmpty();
        assertThat(system.getUuid()).isEmpty();
        assertThat(system.getUuidSource()).startsWith("unknown: no DMI on this machine");
        assertThat(system.hasBootTime()).isFalse();
    }

    private Inventory collect(FakeHardware hardware, FakeOperatingSystem operatingSystem)
    {
        SystemUuidSource uuidSource = new SystemUuidSource(sysRoot, Optional.of(sysRoot.resolve("no-override")));
        Inventory.Builder inventory = Inventory.newBuilder();
        new SystemCollector(hardware, operatingSystem, uuidSource).collect(inventory);
        return inventory.build();
    }

    private static FakeOperatingSystem operatingSystem(String hostname, long bootTimeSeconds)
    {
        return new FakeOperatingSystem("Debian GNU/Linux", new OSVersionInfo("12", "bookworm", "6.1.0-26-amd64"), hostname, bootTimeSeconds, List.of());
    }
}
