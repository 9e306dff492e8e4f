package io.rackpilot.hostagent;

import io.rackpilot.proto.v1.HostPci;
import io.rackpilot.proto.v1.PciDevice;
import io.rackpilot.proto.v1.PciDevices;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

final class TestPciHolders
{
    private static final PciDevices CARD = PciDevices.newBuilder()
            .addItems(PciDevice.newBuilder().setAddress("0000:06:00.0"))
            .addItems(PciDevice.newBuilder().setAddress("0000:06:00.1"))
            .build();

    @Test
    void theRunningVmWhoseRemovalIsPendingShowsAsTheHolder()
    {
        ProxmoxInfo proxmox = ProxmoxInfo.newBuilder().setNode("pve")
                .addVms(ProxmoxVm.newBuilder().setVmid(201).setStatus("running")
                        .addHostpci(HostPci.newBuilder().setSlot(0).setMapping("tesla-t4").addAddresses("0000:06:00").setRemovalPending(true)))
                // a stopped VM whose config was given the card meanwhile would take it only at its next start
                .addVms(ProxmoxVm.newBuilder().setVmid(202).setStatus("stopped")
                        .addHostpci(HostPci.newBuilder().setSlot(1).setMapping("tesla-t4").addAddresses("0000:06:00")))
                .build();

        PciDevices joined = PciHolders.join(CARD, proxmox);

        assertThat(joined.getItemsList()).allSatisfy(device -> {
            assertThat(device.getVmid()).isEqualTo(201);
            assertThat(device.getHostpciSlot()).isEqualTo(0);
            assertThat(device.getRemovalPending()).isTrue();
        });
    }

    @Test
    void aConfigHolderHasNoPendingRemoval()
    {
        ProxmoxInfo proxmox = ProxmoxInfo.newBuilder().setNode("pve")
                .addVms(ProxmoxVm.newBuilder().setVmid(202).setStatus("stopped")
                        .addHostpci(HostPci.newBuilder().setSlot(1).setMapping("tesla-t4").addAddresses("0000:06:00.0")))
                .build();

        PciDevices joined = PciHolders.join(CARD, proxmox);

        assertThat(joined.getItems(0).getVmid()).isEqualTo(202);
        assertThat(joined.getItems(0).getHostpciSlot()).isEqualTo(1);
        assertThat(joined.getItems(0).getRemovalPending()).isFalse();
        assertThat(joined.getItems(1).hasVmid()).isFalse();
    }
}
