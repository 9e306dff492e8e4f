package io.rackpilot.hostagent.pci;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.PciDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TestPciPowerAndHolders
{
    private static final String T4 = "0000:06:00.0";
    private static final String AUDIO = "0000:06:00.1";

    @TempDir
    Path directory;

    @Test
    void readsPowerStateD3coldAndResetSupport()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(directory.resolve("sys"))
                .device(T4, "0x10de", "0x1eb8", "0x030200", "vfio-pci", 42)
                .attribute(T4, "reset", "")
                .attribute(T4, "d3cold_allowed", "1\n")
                .attribute(T4, "power_state", "D3cold\n")
                .device(AUDIO, "0x10de", "0x10fa", "0x040300", "vfio-pci", 42)
                .attribute(AUDIO, "d3cold_allowed", "0\n")
                .attribute(AUDIO, "power_state", "D0\n");
        PciSysfs sysfs = new PciSysfs(fixture.root());

        PciDevice t4 = sysfs.device(PciAddress.parse(T4)).orElseThrow();
        assertThat(t4.getResettable()).isTrue();
        assertThat(t4.hasD3ColdAllowed()).isTrue();
        assertThat(t4.getD3ColdAllowed()).isTrue();
        assertThat(t4.getPowerState()).isEqualTo("D3cold");

        PciDevice audio = sysfs.device(PciAddress.parse(AUDIO)).orElseThrow();
        assertThat(audio.getResettable()).as("reset_method without a reset file").isFalse();
        assertThat(audio.hasD3ColdAllowed()).isTrue();
        assertThat(audio.getD3ColdAllowed()).isFalse();
        assertThat(audio.getPowerState()).isEqualTo("D0");
    }

    @Test
    void aResetFileWithAnEmptyResetMethodIsNotResettableAndAbsentFilesLeaveFieldsUnset()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(directory.resolve("sys"))
                .device(T4, "0x10de", "0x1eb8", "0x030200", "vfio-pci", 42)
                .attribute(T4, "reset", "")
                .attribute(T4, "reset_method", "\n");
        PciDevice t4 = new PciSysfs(fixture.root()).device(PciAddress.parse(T4)).orElseThrow();
        assertThat(t4.getResettable()).isFalse();
        assertThat(t4.hasD3ColdAllowed()).as("no d3cold_allowed file").isFalse();
        assertThat(t4.getPowerState()).isEmpty();
        assertThat(t4.getHoldersList()).isEmpty();
    }

    @Test
    void unreadableAttributesLeaveTheFieldEmptyWithoutFailingTheCollector()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(directory.resolve("sys"))
                .device(T4, "0x10de", "0x1eb8", "0x030200", "vfio-pci", 42)
                .attribute(T4, "power_state", "D0\n")
                .attribute(T4, "d3cold_allowed", "1\n");
        Path real = fixture.root().resolve("devices/pci0000:00/" + T4);
        // a directory where a file should be: reading it fails with an I/O error, as a file the kernel refuses does
        for (String attribute : new String[] {"power_state", "d3cold_allowed"}) {
            Files.delete(real.resolve(attribute));
            Files.createDirectory(real.resolve(attribute));
        }

        Inventory.Builder inventory = Inventory.newBuilder();
        new PciDevicesCollector(new PciSysfs(fixture.root())).collect(inventory);
        PciDevice t4 = inventory.getPciDevices().getItems(0);
        assertThat(t4.getAddress()).isEqualTo(T4);
        assertThat(t4.getPowerState()).isEmpty();
        assertThat(t4.hasD3ColdAllowed()).isFalse();
    }

    @Test
    void listsTheHostProcessesHoldingTheNvidiaDriverOfACardBoundToNvidia()
            throws Exception
    {
        SysfsFixture fixture = new SysfsFixture(directory.resolve("sys"))
                .device(T4, "0x10de", "0x1eb8", "0x030200", "nvidia", 42)
                .device(AUDIO, "0x10de", "0x10fa", "0x040300", "snd_hda_intel", 42)
                .device("0000:07:00.0", "0x10de", "0x1eb8", "0x030200", "vfio-pci", 43);
        Path proc = directory.resolve("proc");
        process(proc, 1, "systemd", "/dev/null", "socket:[1234]");
        process(proc, 812, "nvidia-persistenced", "/dev/nvidiactl", "/dev/nvidia0");
        process(proc, 4321, "python3", "/dev/null", "/dev/nvidia-uvm");
        process(proc, 99, "bash", "/dev/pts/0");
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("uptime"), "1.0 1.0\n");
        // a process whose command cannot be read
        process(proc, 5000, null, "/dev/nvidia0");
        // a process whose fd directory cannot be read (another user's, without root)
        Files.createDirectories(proc.resolve("6000"));
        Files.writeString(proc.resolve("6000/comm"), "secret\n");

        PciSysfs sysfs = new PciSysfs(fixture.root(), proc);
        PciDevice t4 = sysfs.device(PciAddress.parse(T4)).orElseThrow();
        assertThat(t4.getHoldersList()).containsExactly("812 nvidia-persistenced", "4321 python3", "5000");
        assertThat(sysfs.device(PciAddress.parse(AUDIO)).orElseThrow().getHoldersList())
                .as("not bound to nvidia").isEmpty();
        assertThat(sysfs.device(PciAddress.parse("0000:07:00.0")).orElseThrow().getHoldersList())
                .as("bound to vfio-pci").isEmpty();

        PciDevice withoutProcfs = new PciSysfs(fixture.root()).device(PciAddress.parse(T4)).orElseThrow();
        assertThat(withoutProcfs.getHoldersList()).isEmpty();
        PciDevice missingProcfs = new PciSysfs(fixture.root(), directory.resolve("no-proc")).device(PciAddress.parse(T4)).orElseThrow();
        assertThat(missingProcfs.getHoldersList()).isEmpty();
    }

    private static void process(Path proc, int pid, String command, String... openFiles)
            throws IOException
    {
        Path process = proc.resolve(Integer.toString(pid));
        Files.createDirectories(process.resolve("fd"));
        if (command != null) {
            Files.writeString(process.resolve("comm"), command + "\n");
        }
        for (int descriptor = 0; descriptor < openFiles.length; descriptor++) {
            Files.createSymbolicLink(process.resolve("fd/" + descriptor), Path.of(openFiles[descriptor]));
        }
    }
}
