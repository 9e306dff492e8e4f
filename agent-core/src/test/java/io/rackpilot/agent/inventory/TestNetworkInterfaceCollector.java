package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.NetworkInterface;
import org.junit.jupiter.api.Test;
import oshi.hardware.NetworkIF.IfOperStatus;

import static io.rackpilot.agent.inventory.FakeNetworkInterface.ETHERNET_TYPE;
import static org.assertj.core.api.Assertions.assertThat;

class TestNetworkInterfaceCollector
{
    @Test
    void listsInterfacesButLoopbackSortedByNameWithCanonicalAddresses()
    {
        FakeHardware hardware = new FakeHardware().withNetworkInterfaces(
                new FakeNetworkInterface("vmbr0", ETHERNET_TYPE, "0C:C4:7A:12:34:56",
                        new String[] {"10.0.20.10", "10.0.20.9"},
                        new String[] {"fe80:0:0:0:ec4:7aff:fe12:3456%vmbr0", "fd00:0:0:0:0:0:0:10"},
                        10_000_000_000L, 1500, IfOperStatus.UP),
                new FakeNetworkInterface("lo", NetworkInterfaceCollector.LOOPBACK_TYPE, "unknown",
                        new String[] {"127.0.0.1"}, new String[] {"0:0:0:0:0:0:0:1"}, 0, 65536, IfOperStatus.UNKNOWN),
                new FakeNetworkInterface("wg0", 65534, "unknown",
                        new String[] {"10.99.0.1"}, new String[0], -1, 1420, IfOperStatus.UNKNOWN),
                new FakeNetworkInterface("eth1", ETHERNET_TYPE, "52:54:00:ab:cd:ef",
                        null, null, 0, 9000, IfOperStatus.DOWN));

        Inventory.Builder inventory = Inventory.newBuilder();
        new NetworkInterfaceCollector(hardware).collect(inventory);

        assertThat(hardware.includedLocalInterfaces()).as("interfaces without a hardware address, e.g. WireGuard, are wanted").isTrue();
        assertThat(inventory.build().getAllFields()).hasSize(1);
        assertThat(inventory.getNetworkInterfaces().getItemsList()).containsExactly(
                NetworkInterface.newBuilder().setName("eth1").setMac("52:54:00:ab:cd:ef").setMtu(9000).setUp(false).build(),
                NetworkInterface.newBuilder().setName("vmbr0").setMac("0c:c4:7a:12:34:56")
                        .addIpv4Addresses("10.0.20.9").addIpv4Addresses("10.0.20.10")
                        .addIpv6Addresses("fd00::10").addIpv6Addresses("fe80::ec4:7aff:fe12:3456")
                        .setSpeedBitsPerSecond(10_000_000_000L).setMtu(1500).setUp(true).build(),
                NetworkInterface.newBuilder().setName("wg0").addIpv4Addresses("10.99.0.1").setMtu(1420).setUp(false).build());
    }
}
