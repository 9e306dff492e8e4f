package io.rackpilot.common.nfs;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks an exports(5) client spec: an IPv4 or IPv6 address, a network (CIDR prefix, or an IPv4
 * netmask), a host name, a wildcard ({@code *}, {@code *.lan}, {@code node?.lan}) or an
 * {@code @netgroup}. Pure.
 */
public final class ClientSpecs
{
    private static final int MAXIMUM_LENGTH = 253;
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern WILDCARD_LABEL = Pattern.compile("[A-Za-z0-9*?-]{1,63}");
    private static final Pattern NETGROUP = Pattern.compile("@[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,3}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");

    private ClientSpecs() {}

    /**
     * Why {@code spec} is not a valid client spec, or empty when it is.
     */
    public static Optional<String> problem(String spec)
    {
        if (spec.isEmpty()) {
            return Optional.of("client spec is empty");
        }
        for (int index = 0; index < spec.length(); index++) {
            char character = spec.charAt(index);
            if (Character.isWhitespace(character) || Character.isISOControl(character)) {
                return Optional.of("client spec '" + Texts.printable(spec) + "' contains whitespace or a control character");
            }
            if ("(),'\"`\\#".indexOf(character) >= 0) {
                return Optional.of("client spec '" + Texts.printable(spec) + "' contains '" + character + "'");
            }
        }
        if (spec.length() > MAXIMUM_LENGTH) {
            return Optional.of("client spec is longer than " + MAXIMUM_LENGTH + " characters");
        }
        if (spec.startsWith("@")) {
            return NETGROUP.matcher(spec).matches() ? Optional.empty() : invalid(spec, "netgroup");
        }
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            return networkProblem(spec, spec.substring(0, slash), spec.substring(slash + 1));
        }
        if (isIpv4(spec) || isIpv6(spec)) {
            return Optional.empty();
        }
        if (spec.contains(":")) {
            return invalid(spec, "IPv6 address");
        }
        if (spec.chars().allMatch(character -> Character.isDigit(character) || character == '.')) {
            return invalid(spec, "IPv4 address");
        }
        if (spec.contains("*") || spec.contains("?")) {
            return hostPattern(spec, WILDCARD_LABEL) ? Optional.empty() : invalid(spec, "wildcard");
        }
        return hostPattern(spec, HOST_LABEL) ? Optional.empty() : invalid(spec, "host name");
    }

    private static Optional<String> networkProblem(String spec, String address, String mask)
    {
        if (isIpv4(address)) {
            if (isPrefix(mask, 32) || isIpv4(mask)) {
                return Optional.empty();
            }
            return Optional.of("client spec '" + spec + "' has an invalid IPv4 prefix or netmask '" + mask + "'");
        }
        if (isIpv6(address)) {
            if (isPrefix(mask, 128)) {
                return Optional.empty();
            }
            return Optional.of("client spec '" + spec + "' has an invalid IPv6 prefix '" + mask + "'");
        }
        return Optional.of("client spec '" + spec + "' is not a network: '" + address + "' is not an IP address");
    }

    private static Optional<String> invalid(String spec, String what)
    {
        return Optional.of("client spec '" + spec + "' is not a valid " + what);
    }

    private static boolean hostPattern(String spec, Pattern label)
    {
        if (spec.startsWith(".") || spec.endsWith(".") || spec.contains("..")) {
            return false;
        }
        for (String part : spec.split("\\.")) {
            if (!label.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPrefix(String text, int maximum)
    {
        if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Integer.parseInt(text) <= maximum;
    }

    static boolean isIpv4(String text)
    {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (!DECIMAL.matcher(part).matches() || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String text)
    {
        if (!text.contains(":")) {
            return false;
        }
        String body = text;
        int lastColon = body.lastIndexOf(':');
        if (body.substring(lastColon + 1).contains(".")) {
            if (!isIpv4(body.substring(lastColon + 1))) {
                return false;
            }
            // an embedded IPv4 address takes the room of two groups
            body = body.substring(0, lastColon + 1) + "0:0";
        }
        int compression = body.indexOf("::");
        if (compression < 0) {
            return countGroups(body) == 8;
        }
        if (body.indexOf("::", compression + 1) >= 0) {
            return false;
        }
        int head = countGroups(body.substring(0, compression));
        int tail = countGroups(body.substring(compression + 2));
        // "::" stands for at least one group
        return head >= 0 && tail >= 0 && head + tail <= 7;
    }

    /**
     * The number of colon-separated hex groups in {@code text}, 0 for an empty text, -1 when malformed.
     */
    private static int countGroups(String text)
    {
        if (text.isEmpty()) {
            return 0;
        }
        String[] groups = text.split(":", -1);
        for (String group : groups) {
            if (!HEX_GROUP.matcher(group).matches()) {
                return -1;
            }
        }
        return groups.length;
    }
}
