package io.rackpilot.hostagent.proxmox;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestProxmoxValues
{
    @Test
    void parsesHostPciValues()
    {
        HostPciValue mapped = HostPciValue.parse("mapping=tesla-t4,pcie=1");
        assertThat(mapped.mapping()).contains("tesla-t4");
        assertThat(mapped.hostAddresses()).isEmpty();
        assertThat(mapped.pcie()).isTrue();
        assertThat(mapped.format()).isEqualTo("mapping=tesla-t4,pcie=1");

        HostPciValue raw = HostPciValue.parse("06:00.0,pcie=1,x-vga=1,rombar=0");
        assertThat(raw.hostAddresses()).containsExactly("0000:06:00.0");
        assertThat(raw.xVga()).isTrue();
        assertThat(raw.rombar()).contains(false);
        assertThat(raw.format()).isEqualTo("0000:06:00.0,pcie=1,rombar=0,x-vga=1");

        HostPciValue explicit = HostPciValue.parse("host=0000:06:00.0;0000:06:00.1,romfile=t4.rom");
        assertThat(explicit.hostAddresses()).containsExactly("0000:06:00.0", "0000:06:00.1");
        assertThat(explicit.otherOptions()).containsExactly("romfile=t4.rom");
        assertThat(HostPciValue.parse(explicit.format())).isEqualTo(explicit);

        assertThatThrownBy(() -> HostPciValue.parse("pcie=1")).hasMessageContaining("neither");
        assertThatThrownBy(() -> HostPciValue.parse("zz:00.0")).hasMessageContaining("not a PCI address");
    }

    @Test
    void parsesNetworkDevices()
    {
        NetworkDevice tagged = NetworkDevice.parse("virtio=bc:24:11:00:c9:00,bridge=vmbr1,tag=20,firewall=1");
        assertThat(tagged).isEqualTo(new NetworkDevice("virtio", "BC:24:11:00:C9:00", "vmbr1", OptionalInt.of(20)));
        assertThat(NetworkDevice.parse("e1000=BC:24:11:00:00:01,bridge=vmbr0").vlan()).isEmpty();
        assertThat(NetworkDevice.parse("model=virtio,macaddr=BC:24:11:00:00:02,bridge=vmbr0").model()).isEqualTo("virtio");
        assertThatThrownBy(() -> NetworkDevice.parse("bridge=vmbr0")).hasMessageContaining("no model");
        assertThatThrownBy(() -> NetworkDevice.parse("virtio=BC:24,bridge=vmbr0")).hasMessageContaining("MAC");
        assertThatThrownBy(() -> NetworkDevice.parse("virtio=BC:24:11:00:00:01,tag=x")).hasMessageContaining("tag");
    }

    @Test
    void readsSmbiosUuid()
    {
        assertThat(Smbios1.uuid("uuid=4D2B7E10-5A1C-4C8E-9F00-000000000201,manufacturer=QEMU")).contains("4d2b7e10-5a1c-4c8e-9f00-000000000201");
        assertThat(Smbios1.uuid("manufacturer=QEMU")).isEmpty();
        assertThat(Smbios1.uuid(null)).isEmpty();
    }

    @Test
    void readsVmConfig()
    {
        VmConfig config = new VmConfig(201, Map.of(
                "cores", "16",
                "memory", "current=32768,min=1024",
                "hostpci0", "mapping=tesla-t4,pcie=1",
                "hostpci2", "0000:07:00.0",
                "net0", "virtio=BC:24:11:00:C9:00,bridge=vmbr1,tag=20"), "abc");
        assertThat(config.cores()).hasValue(16);
        assertThat(config.memoryMebibytes()).hasValue(32768);
        assertThat(config.hostPci()).containsOnlyKeys(0, 2);
        assertThat(config.firstFreeHostPciSlot()).hasValue(1);
        assertThat(config.networkDevices().get(0).vlan()).hasValue(20);
        assertThat(new VmConfig(100, Map.of("memory", "2048"), "").memoryMebibytes()).hasValue(2048);
        assertThat(config.machineType()).isEmpty();
        assertThat(new VmConfig(100, Map.of("machine", "q35"), "").machineType()).contains("q35");
        assertThat(new VmConfig(100, Map.of("machine", "pc-q35-8.1,viommu=intel"), "").machineType()).contains("pc-q35-8.1");
        assertThat(new VmConfig(100, Map.of("machine", "viommu=virtio,type=q35"), "").machineType()).contains("q35");
        assertThat(new VmConfig(100, Map.of("machine", "viommu=virtio"), "").machineType()).isEmpty();
    }

    @Test
    void numbersProxmoxNeverWritesAreRefusedNamingTheKey()
    {
        // found by TestProxmoxJsonFuzzing: a bare NumberFormatException ("For input string: ...") named neither key nor VM
        assertThatThrownBy(() -> new VmConfig(201, Map.of("cores", "many"), "").cores())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("VM 201: cores is \"many\", not a number Proxmox writes");
        assertThatThrownBy(() -> new VmConfig(201, Map.of("cores", "4294967296"), "").cores())
                .hasMessage("VM 201: cores is \"4294967296\", not a number Proxmox writes");
        assertThatThrownBy(() -> new VmConfig(201, Map.of("memory", "current=lots,balloon=0"), "").memoryMebibytes())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("VM 201: memory is \"current=lots,balloon=0\", not a number Proxmox writes");
        // in bytes it would not be a long
        assertThatThrownBy(() -> new VmConfig(201, Map.of("memory", "9223372036854775807"), "").memoryMebibytes())
                .hasMessage("VM 201: memory is \"9223372036854775807\", not a number Proxmox writes");
        // not a slot: ignored like any key rackpilot does not read
        assertThat(new VmConfig(201, Map.of("hostpci99999999999", "mapping=x", "net99999999999", "virtio=BC:24:11:00:C9:00"), "").hostPci()).isEmpty();
        assertThat(new VmConfig(201, Map.of("net99999999999", "virtio=BC:24:11:00:C9:00"), "").networkDevices()).isEmpty();
    }

    @Test
    void parsesMappingEntries()
    {
        PciMapEntry entry = PciMapEntry.parse("node=pve,path=0000:06:00.0,id=10de:1eb8,iommugroup=40,subsystem-id=10de:12a2");
        assertThat(entry.node()).isEqualTo("pve");
        assertThat(entry.addresses()).containsExactly("0000:06:00.0");
        assertThat(entry.iommuGroup()).contains("40");
        assertThat(entry.subsystemId()).contains("10de:12a2");
        assertThat(PciMapEntry.parse(entry.format())).isEqualTo(entry);
        assertThatThrownBy(() -> PciMapEntry.parse("id=10de:1eb8")).hasMessageContaining("node=");
    }

    @Test
    void judgesTaskExitStatus()
    {
        assertThat(new TaskStatus("UPID:x", "stopped", Optional.of("OK")).succeeded()).isTrue();
        assertThat(new TaskStatus("UPID:x", "stopped", Optional.of("WARNINGS: 2")).succeeded()).isTrue();
        assertThat(new TaskStatus("UPID:x", "stopped", Optional.of("VM 201 already running")).succeeded()).isFalse();
        assertThat(new TaskStatus("UPID:x", "running", Optional.empty()).succeeded()).isFalse();
        assertThat(new TaskStatus("UPID:x", "running", Optional.empty()).running()).isTrue();
    }

    @Test
    void describesApiErrors()
    {
        ProxmoxException error = new ProxmoxException(400, "Parameter verification failed.\n", Map.of("vmid", "value must have a minimum value of 100"));
        assertThat(error).hasMessage("Proxmox API HTTP 400: Parameter verification failed.; vmid: value must have a minimum value of 100");
        assertThat(new ProxmoxException(500, "detected modified configuration - file changed by other user? Try again.", Map.of()).isDigestConflict()).isTrue();
        assertThat(new ProxmoxException(403, "only root can set 'hostpci0' config for non-mapped devices", Map.of()).isRawPciRefusal()).isTrue();
        assertThat(List.of(error.errors().keySet())).hasSize(1);
    }
}
