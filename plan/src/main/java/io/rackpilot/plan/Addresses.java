package io.rackpilot.plan;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Syntax checks for addresses written in a plan; nothing here resolves names.
 */
final class Addresses
{
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private Addresses() {}

    static boolean isIpAddress(String text)
    {
        return isIpv4(text) || isIpv6(text);
    }

    static boolean isCidr(String text)
    {
        int slash = text.indexOf('/');
        if (slash < 0 || slash == text.length() - 1) {
            return false;
        }
        String address = text.substring(0, slash);
        String prefix = text.substring(slash + 1);
        if (!prefix.chars().allMatch(Character::isDigit) || prefix.length() > 3) {
            return false;
        }
        int length = Integer.parseInt(prefix);
        if (isIpv4(address)) {
            return length <= 32;
        }
        return isIpv6(address) && length <= 128;
    }

    private static boolean isIpv4(String text)
    {
        Matcher matcher = IPV4.matcher(text);
        if (!matcher.matches()) {
            return false;
        }
        for (int group = 1; group <= 4; group++) {
            if (Integer.parseInt(matcher.group(group)) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String text)
    {
        if (!IPV6.matcher(text).matches()) {
            return false;
        }
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String[] groups = text.split(":", -1);
        int count = 0;
        for (int index = 0; index < groups.length; index++) {
            String group = groups[index];
            if (group.isEmpty()) {
                continue;
            }
            if (index == groups.length - 1 && group.contains(".")) {
                if (!isIpv4(group)) {
                    return false;
                }
                count += 2;
            }
            else if (group.length() > 4 || group.contains(".")) {
                return false;
            }
            else {
                count++;
            }
        }
        return doubleColon >= 0 ? count < 8 : count == 8;
    }
}
