package io.rackpilot.nodeagent.kubernetes;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * The addresses of this machine's interfaces that are up, loopback excluded: what a Node's
 * InternalIP is compared with when the machine has no SMBIOS UUID to go by.
 */
public final class LocalAddresses
{
    private LocalAddresses() {}

    public static Set<InetAddress> current()
    {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!networkInterface.isUp() || networkInterface.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(networkInterface.getInetAddresses())) {
                    addresses.add(address);
                }
            }
        }
        catch (SocketException e) {
            return Set.of();
        }
        return Set.copyOf(addresses);
    }
}
