package io.rackpilot.plan.validation;

import java.util.Arrays;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An IPv4 or IPv6 subnet ({@code 10.0.20.0/24}, {@code fd00:20::/64}) and whether an address or
 * another subnet lies inside it. Pure arithmetic on the address bytes: nothing is resolved.
 * Host bits written in the subnet ({@code 10.0.20.7/24}) are ignored.
 */
final class Subnet
{
    private final byte[] network;
    private final int prefixLength;

    private Subnet(byte[] address, int prefixLength)
    {
        this.network = masked(address, prefixLength);
        this.prefixLength = prefixLength;
    }

    /**
     * The subnet written as {@code ADDRESS/PREFIX}; empty when the text is not one.
     */
    static Optional<Subnet> parse(String cidr)
    {
        requireNonNull(cidr, "cidr is null");
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String prefix = cidr.substring(slash + 1);
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(character -> character >= '0' && character <= '9')) {
            return Optional.empty();
        }
        int length = Integer.parseInt(prefix);
        return parseAddress(cidr.substring(0, slash))
                .filter(address -> length <= address.length * 8)
                .map(address -> new Subnet(address, length));
    }

    /**
     * The bytes of an IPv4 (4 bytes) or IPv6 (16 bytes) address; empty when the text is neither.
     */
    static Optional<byte[]> parseAddress(String text)
    {
        requireNonNull(text, "text is null");
        if (text.indexOf(':') >= 0) {
            return parseIpv6(text);
        }
        return parseIpv4(text);
    }

    boolean contains(String address)
    {
        return parseAddress(address).map(this::contains).orElse(false);
    }

    boolean contains(Subnet other)
    {
        return other.prefixLength >= prefixLength && contains(other.network);
    }

    private boolean contains(byte[] address)
    {
        return address.length == network.length && Arrays.equals(masked(address, prefixLength), network);
    }

    boolean isIpv6()
    {
        return network.length == 16;
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof Subnet subnet && prefixLength == subnet.prefixLength && Arrays.equals(network, subnet.network);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /**
     * The network address and prefix length: {@code 10.0.20.0/24}, {@code fd00:20:0:0:0:0:0:0/64}.
     */
    @Override
    public String toString()
    {
        StringBuilder text = new StringBuilder();
        if (isIpv6()) {
            for (int index = 0; index < 16; index += 2) {
                if (index > 0) {
                    text.append(':');
                }
                text.append(Integer.toHexString(((network[index] & 0xff) << 8) | (network[index + 1] & 0xff)));
            }
        }
        else {
            for (int index = 0; index < 4; index++) {
                if (index > 0) {
                    text.append('.');
                }
                text.append(network[index] & 0xff);
            }
        }
        return text.append('/').append(prefixLength).toString();
    }

    private static byte[] masked(byte[] address, int prefixLength)
    {
        byte[] result = address.clone();
        for (int index = 0; index < result.length; index++) {
            int bitsKept = Math.max(0, Math.min(8, prefixLength - index * 8));
            int mask = bitsKept == 0 ? 0 : (0xff << (8 - bitsKept)) & 0xff;
            result[index] = (byte) (result[index] & mask);
        }
        return result;
    }

    private static Optional<byte[]> parseIpv4(String text)
    {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] address = new byte[4];
        for (int index = 0; index < 4; index++) {
            String part = parts[index];
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(character -> character >= '0' && character <= '9')) {
                return Optional.empty();
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return Optional.empty();
            }
            address[index] = (byte) value;
        }
        return Optional.of(address);
    }

    private static Optional<byte[]> parseIpv6(String text)
    {
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            return Optional.empty();
        }
        String head = doubleColon >= 0 ? text.substring(0, doubleColon) : text;
        String tail = doubleColon >= 0 ? text.substring(doubleColon + 2) : "";
        Optional<byte[]> headBytes = ipv6Groups(head, doubleColon < 0);
        Optional<byte[]> tailBytes = ipv6Groups(tail, true);
        if (headBytes.isEmpty() || tailBytes.isEmpty()) {
            return Optional.empty();
        }
        int written = headBytes.get().length + tailBytes.get().length;
        if (doubleColon < 0 ? written != 16 : written > 14) {
            return Optional.empty();
        }
        byte[] address = new byte[16];
        System.arraycopy(headBytes.get(), 0, address, 0, headBytes.get().length);
        System.arraycopy(tailBytes.get(), 0, address, 16 - tailBytes.get().length, tailBytes.get().length);
        return Optional.of(address);
    }

    /**
     * The bytes of colon-separated hex groups; the last may be a dotted IPv4 address when
     * {@code mayEndInIpv4} (the groups end the address).
     */
    private static Optional<byte[]> ipv6Groups(String text, boolean mayEndInIpv4)
    {
        if (text.isEmpty()) {
            return Optional.of(new byte[0]);
        }
        String[] groups = text.split(":", -1);
        byte[] bytes = new byte[groups.length * 2 + 2];
        int length = 0;
        for (int index = 0; index < groups.length; index++) {
            String group = groups[index];
            if (group.contains(".")) {
                if (!mayEndInIpv4 || index != groups.length - 1) {
                    return Optional.empty();
                }
                Optional<byte[]> ipv4 = parseIpv4(group);
                if (ipv4.isEmpty()) {
                    return Optional.empty();
                }
                System.arraycopy(ipv4.get(), 0, bytes, length, 4);
                length += 4;
                continue;
            }
            if (group.isEmpty() || group.length() > 4 || !group.chars().allMatch(Subnet::isHexDigit)) {
                return Optional.empty();
            }
            int value = Integer.parseInt(group, 16);
            bytes[length++] = (byte) (value >> 8);
            bytes[length++] = (byte) value;
        }
        if (length > 16) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOf(bytes, length));
    }

    private static boolean isHexDigit(int character)
    {
        return (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f') || (character >= 'A' && character <= 'F');
    }
}
