package io.rackpilot.hostagent.metrics;

import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.common.metrics.PrometheusExposition;
import io.rackpilot.common.testing.Promtool;
import io.rackpilot.proto.v1.NfsClient;
import io.rackpilot.proto.v1.NfsExport;
import io.rackpilot.proto.v1.NfsExports;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDevices;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestHostMetrics
{
    @Test
    void vmsDevicesAndExportsAsSeriesThatFollowTheHost()
    {
        Metrics metrics = new Metrics();
        HostMetrics host = new HostMetrics(metrics);
        host.proxmox(ProxmoxInfo.newBuilder()
                .setNode("pve")
                .addVms(ProxmoxVm.newBuilder().setVmid(201).setName("k8s-node1").setStatus("running"))
                .addVms(ProxmoxVm.newBuilder().setVmid(9000).setName("truenas").setStatus("stopped"))
                .build());
        host.pciDevices(PciDevices.newBuilder()
                .addItems(PciDevice.newBuilder().setAddress("0000:06:00.0").setVendorId("10de").setDeviceId("1eb8").setClassCode("0x030200")
                        .setDriver("vfio-pci").setIommuGroup(42).setVmid(201))
                .build());
        host.exports(NfsExports.newBuilder()
                .addItems(NfsExport.newBuilder().setPath("/srv/nfs").addClients(NfsClient.newBuilder().setSpec("10.0.20.0/24").addOptions("rw").addOptions("no_root_squash")))
                .build());

        String text = PrometheusExposition.toText(metrics);
        assertThat(text)
                .contains("rackpilot_proxmox_api_up 1.0")
                .contains("rackpilot_vm_up{name=\"k8s-node1\",vmid=\"201\"} 1.0")
                .contains("rackpilot_vm_up{name=\"truenas\",vmid=\"9000\"} 0.0")
                .contains("rackpilot_pci_device_info{address=\"0000:06:00.0\",class=\"0x030200\",device_id=\"1eb8\",driver=\"vfio-pci\",iommu_group=\"42\",vendor_id=\"10de\",vmid=\"201\"} 1")
                .contains("rackpilot_nfs_export_info{client=\"10.0.20.0/24\",options=\"rw,no_root_squash\",path=\"/srv/nfs\"} 1");
        Promtool.checkMetrics(text);

        // truenas deleted, the T4 back on the nvidia driver and in no VM, the export gone
        host.proxmox(ProxmoxInfo.newBuilder().setNode("pve").addVms(ProxmoxVm.newBuilder().setVmid(201).setName("k8s-node1").setStatus("stopped")).build());
        host.pciDevices(PciDevices.newBuilder()
                .addItems(PciDevice.newBuilder().setAddress("0000:06:00.0").setVendorId("10de").setDeviceId("1eb8").setClassCode("0x030200").setDriver("nvidia").setIommuGroup(42))
                .build());
        host.exports(NfsExports.getDefaultInstance());
        String after = PrometheusExposition.toText(metrics);
        assertThat(after)
                .contains("rackpilot_vm_up{name=\"k8s-node1\",vmid=\"201\"} 0.0")
                .doesNotContain("truenas")
                .doesNotContain("driver=\"vfio-pci\"")
                .contains("driver=\"nvidia\",iommu_group=\"42\",vendor_id=\"10de\",vmid=\"\"")
                .doesNotContain("rackpilot_nfs_export_info{");
        Promtool.checkMetrics(after);

        host.proxmox(ProxmoxInfo.newBuilder().setNode("pve").setError("connection refused").build());
        assertThat(PrometheusExposition.toText(metrics)).contains("rackpilot_proxmox_api_up 0.0").contains("vmid=\"201\"");
    }
}
