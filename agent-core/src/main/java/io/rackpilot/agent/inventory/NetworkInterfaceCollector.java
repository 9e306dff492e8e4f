package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.NetworkInterface;
import io.rackpilot.proto.v1.NetworkInterfaces;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

import java.net.SocketException;
import java.util.Comparator;
import java.util.Locale;

import static io.rackpilot.agent.inventory.OshiValues.nonNegative;
import static io.rackpilot.agent.inventory.OshiValues.text;
import static io.rackpilot.agent.inventory.OshiValues.unsignedInt;
import static java.util.Objects.requireNonNull;

/**
 * {@code network_interfaces}: every interface but loopback, sorted by name: MAC (lower case, empty
 * when it has none, e.g. WireGuard), IPv4 and IPv6 addresses (see {@link IpAddresses}), speed (0
 * when the driver does not say, as virtio does), MTU, and up (operational state up).
 * <p>
 * OSHI lists what the JDK lists, and the JDK lists only interfaces that have an address: a physical
 * port enslaved to a bridge or a bond ({@code eno1} under {@code vmbr0} on a Proxmox host) or a port
 * that is down without an address does not appear.
 */
public final class NetworkInterfaceCollector
        implements InventoryCollector
{
    /**
     * {@code ARPHRD_LOOPBACK}, the {@code /sys/class/net/<name>/type} of a loopback device.
     */
    static final int LOOPBACK_TYPE = 772;

    private final HardwareAbstractionLayer hardware;

    public NetworkInterfaceCollector(HardwareAbstractionLayer hardware)
    {
        this.hardware = requireNonNull(hardware, "hardware is null");
    }

    @Override
    public String name()
    {
        return "network_interfaces";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        NetworkInterfaces.Builder interfaces = NetworkInterfaces.newBuilder();
        hardware.getNetworkIFs(true).stream()
                .filter(networkInterface -> !isLoopback(networkInterface))
                .map(NetworkInterfaceCollector::toNetworkInterface)
                .sorted(Comparator.comparing(NetworkInterface::getName))
                .forEach(interfaces::addItems);
        inventory.setNetworkInterfaces(interfaces);
    }

    private static boolean isLoopback(NetworkIF networkInterface)
    {
        if (networkInterface.getIfType() == LOOPBACK_TYPE) {
            return true;
        }
        java.net.NetworkInterface jdkInterface = networkInterface.queryNetworkInterface();
        try {
            return jdkInterface != null && jdkInterface.isLoopback();
        }
        catch (SocketException e) {
            return false;
        }
    }

    private static NetworkInterface toNetworkInterface(NetworkIF networkInterface)
    {
        return NetworkInterface.newBuilder()
                .setName(text(networkInterface.getName()))
                .setMac(text(networkInterface.getMacaddr()).toLowerCase(Locale.ROOT))
                .addAllIpv4Addresses(IpAddresses.ipv4(networkInterface.getIPv4addr()))
                .addAllIpv6Addresses(IpAddresses.ipv6(networkInterface.getIPv6addr()))
                .setSpeedBitsPerSecond(nonNegative(networkInterface.getSpeed()))
                .setMtu(unsignedInt(networkInterface.getMTU()))
                .setUp(networkInterface.getIfOperStatus() == NetworkIF.IfOperStatus.UP)
                .build();
    }
}
