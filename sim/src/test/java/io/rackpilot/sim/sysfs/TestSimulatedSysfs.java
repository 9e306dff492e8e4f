package io.rackpilot.sim.sysfs;

import io.rackpilot.plan.Gpu;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestSimulatedSysfs
{
    @TempDir
    Path directory;

    private HomelabPlan plan;
    private Gpu gpu;

    @BeforeEach
    void load()
            throws Exception
    {
        plan = PlanLoader.load(Path.of("..", "docs", "examples", "homelab.yaml"));
        gpu = plan.spec().gpus().get(0);
    }

    @Test
    void theDefaultTreeHasTheCardAndItsAudioFunctionOnVfioAloneInTheirGroup()
            throws Exception
    {
        Path root = SimulatedSysfs.write(plan, directory.resolve("sys"));
        String audio = SimulatedSysfs.audioAddress(gpu);
        assertThat(audio).isEqualTo(gpu.pciAddress().substring(0, gpu.pciAddress().length() - 2) + ".1");

        Path card = root.resolve("bus/pci/devices/" + gpu.pciAddress());
        assertThat(read(card.resolve("vendor"))).isEqualTo("0x" + gpu.vendorDevice().split(":")[0]);
        assertThat(read(card.resolve("class"))).isEqualTo("0x030200");
        assertThat(driver(card)).isEqualTo("vfio-pci");
        assertThat(read(card.resolve("driver_override"))).isEqualTo("vfio-pci");
        assertThat(read(card.resolve("reset_method"))).isEqualTo("flr bus");
        assertThat(card.resolve("reset")).exists();
        assertThat(read(card.resolve("d3cold_allowed"))).isEqualTo("1");
        assertThat(read(card.resolve("power_state"))).isEqualTo("D0");

        Path audioDevice = root.resolve("bus/pci/devices/" + audio);
        assertThat(read(audioDevice.resolve("device"))).isEqualTo("0x10fa");
        assertThat(read(audioDevice.resolve("class"))).isEqualTo("0x040300");
        assertThat(driver(audioDevice)).isEqualTo("vfio-pci");

        String group = Files.readSymbolicLink(card.resolve("iommu_group")).getFileName().toString();
        assertThat(Files.readSymbolicLink(audioDevice.resolve("iommu_group")).getFileName()).hasToString(group);
        assertThat(groupMembers(root, group)).containsExactly(gpu.pciAddress(), audio);
        assertThat(root.resolve("bus/pci/drivers/vfio-pci/unbind")).exists();
        assertThat(root.resolve("bus/pci/drivers_probe")).exists();
    }

    @Test
    void aGroupSharedWithASataController()
            throws Exception
    {
        Path root = SimulatedSysfs.builder(plan).unrelatedGroupPeer(gpu.id(), "0000:05:00.0").write(directory.resolve("sys"));
        Path sata = root.resolve("bus/pci/devices/0000:05:00.0");
        assertThat(read(sata.resolve("class"))).isEqualTo("0x010601");
        assertThat(driver(sata)).isEqualTo("ahci");
        String group = Files.readSymbolicLink(root.resolve("bus/pci/devices/" + gpu.pciAddress() + "/iommu_group")).getFileName().toString();
        assertThat(groupMembers(root, group)).containsExactly("0000:05:00.0", gpu.pciAddress(), SimulatedSysfs.audioAddress(gpu));
    }

    @Test
    void aCardWithoutReset()
            throws Exception
    {
        Path root = SimulatedSysfs.builder(plan).withoutReset(gpu.id()).write(directory.resolve("sys"));
        Path card = root.resolve("bus/pci/devices/" + gpu.pciAddress());
        assertThat(card.resolve("reset")).doesNotExist();
        assertThat(read(card.resolve("reset_method"))).isEmpty();
        assertThat(read(card.resolve("d3cold_allowed"))).isEqualTo("1");
        assertThat(driver(card)).isEqualTo("vfio-pci");
    }

    @Test
    void aCardBoundToTheHostsNvidiaDriver()
            throws Exception
    {
        Path root = SimulatedSysfs.builder(plan).boundToHostDriver(gpu.id()).write(directory.resolve("sys"));
        Path card = root.resolve("bus/pci/devices/" + gpu.pciAddress());
        assertThat(driver(card)).isEqualTo("nvidia");
        assertThat(read(card.resolve("driver_override"))).isEqualTo("(null)");
        assertThat(driver(root.resolve("bus/pci/devices/" + SimulatedSysfs.audioAddress(gpu)))).isEqualTo("snd_hda_intel");
        assertThat(root.resolve("bus/pci/drivers/nvidia/unbind")).exists();
        assertThat(card.resolve("reset")).exists();
    }

    @Test
    void optionsNameAPlannedCardAndAFreeAddress()
    {
        assertThatThrownBy(() -> SimulatedSysfs.builder(plan).withoutReset("no-such-card"))
                .hasMessageContaining("gpuId: the plan has no GPU \"no-such-card\"");
        assertThatThrownBy(() -> SimulatedSysfs.builder(plan).unrelatedGroupPeer(gpu.id(), SimulatedSysfs.audioAddress(gpu)))
                .hasMessageContaining("is already a planned card's slot");
        assertThatThrownBy(() -> SimulatedSysfs.builder(plan).unrelatedGroupPeer(gpu.id(), "05:00"))
                .hasMessageContaining("peerAddress: \"05:00\" is not a PCI address");
    }

    private static String read(Path file)
            throws IOException
    {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }

    private static String driver(Path device)
            throws IOException
    {
        return Files.readSymbolicLink(device.resolve("driver")).getFileName().toString();
    }

    private static List<String> groupMembers(Path root, String group)
            throws IOException
    {
        try (Stream<Path> members = Files.list(root.resolve("kernel/iommu_groups/" + group + "/devices"))) {
            return members.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
