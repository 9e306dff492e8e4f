package io.rackpilot.agent.inventory;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Canonical text of IP addresses: IPv4 dotted quad, IPv6 in the RFC 5952 form that {@code ip addr}
 * and Kubernetes show ({@code fe80::fc:ff:fe00:1}, not Java's {@code fe80:0:0:0:fc:ff:fe00:1}),
 * without a zone ({@code %eth0}), sorted by address bytes so that the same set of addresses always
 * gives the same list. Only literal addresses are parsed: nothing here resolves a name.
 */
final class IpAddresses
{
    private static final Pattern IPV4_LITERAL = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    // InetAddress parses a string with a colon as an IPv6 literal or fails; it never resolves it
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    private static final Comparator<byte[]> BY_BYTES = Arrays::compareUnsigned;

    private IpAddresses() {}

    static List<String> ipv4(String[] addresses)
    {
        return canonicalList(addresses, false);
    }

    static List<String> ipv6(String[] addresses)
    {
        return canonicalList(addresses, true);
    }

    private static List<String> canonicalList(String[] addresses, boolean version6)
    {
        if (addresses == null) {
            return List.of();
        }
        return Arrays.stream(addresses)
                .filter(Objects::nonNull)
                .map(address -> parse(address, version6))
                .flatMap(Optional::stream)
                .distinct()
                .sorted(Comparator.comparing(ParsedAddress::bytes, BY_BYTES))
                .map(ParsedAddress::text)
                .toList();
    }

    private record ParsedAddress(byte[] bytes, String text)
    {
        @Override
        public boolean equals(Object other)
        {
            return other instanceof ParsedAddress parsed && Arrays.equals(bytes, parsed.bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }
    }

    private static Optional<ParsedAddress> parse(String address, boolean version6)
    {
        String withoutZone = address.strip();
        int zone = withoutZone.indexOf('%');
        if (zone >= 0) {
            withoutZone = withoutZone.substring(0, zone);
        }
        Pattern literal = version6 ? IPV6_LITERAL : IPV4_LITERAL;
        if (!literal.matcher(withoutZone).matches()) {
            return Optional.empty();
        }
        InetAddress parsed;
        try {
            parsed = InetAddress.getByName(withoutZone);
        }
        catch (UnknownHostException e) {
            return Optional.empty();
        }
        if (parsed instanceof Inet6Address) {
            byte[] bytes = parsed.getAddress();
            return Optional.of(new ParsedAddress(bytes, formatIpv6(bytes)));
        }
        if (parsed instanceof Inet4Address) {
            if (version6) {
                // Java turns ::ffff:a.b.c.d into an IPv4 address; keep it an IPv6 address
                byte[] bytes = new byte[16];
                bytes[10] = (byte) 0xff;
                bytes[11] = (byte) 0xff;
                System.arraycopy(parsed.getAddress(), 0, bytes, 12, 4);
                return Optional.of(new ParsedAddress(bytes, "::ffff:" + parsed.getHostAddress()));
            }
            return Optional.of(new ParsedAddress(parsed.getAddress(), parsed.getHostAddress()));
        }
        return Optional.empty();
    }

    /**
     * RFC 5952: lower-case hex without leading zeros; the longest run of two or more zero groups
     * (the first, when two are equally long) becomes {@code ::}.
     */
    static String formatIpv6(byte[] address)
    {
        if (address.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + address.length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        if (bestLength < 2) {
            bestStart = -1;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
