package io.rackpilot.plan.validation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The syntax Kubernetes requires of label and taint keys (qualified names) and of label and taint
 * values. Each check returns why the text is refused, or empty when it is fine.
 */
final class KubernetesNames
{
    static final int MAXIMUM_NAME_LENGTH = 63;
    static final int MAXIMUM_PREFIX_LENGTH = 253;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private KubernetesNames() {}

    /**
     * A qualified name: {@code name} or {@code prefix/name}, where the prefix is a DNS subdomain
     * of at most 253 characters and the name at most 63 letters, digits, {@code -}, {@code _}
     * and {@code .}, starting and ending with a letter or digit.
     */
    static Optional<String> qualifiedNameProblem(String text)
    {
        int slash = text.indexOf('/');
        String name = text;
        if (slash >= 0) {
            if (text.indexOf('/', slash + 1) >= 0) {
                return Optional.of("a qualified name has at most one '/'");
            }
            String prefix = text.substring(0, slash);
            name = text.substring(slash + 1);
            if (prefix.isEmpty()) {
                return Optional.of("the prefix before '/' is empty");
            }
            if (prefix.length() > MAXIMUM_PREFIX_LENGTH) {
                return Optional.of("the prefix before '/' is " + prefix.length() + " characters long, more than " + MAXIMUM_PREFIX_LENGTH);
            }
            if (!DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return Optional.of("the prefix \"" + prefix + "\" is not a DNS subdomain (lower-case letters, digits, '-' and '.')");
            }
        }
        String which = slash >= 0 ? "the name after '/'" : "the name";
        if (name.isEmpty()) {
            return Optional.of(which + " is empty");
        }
        if (name.length() > MAXIMUM_NAME_LENGTH) {
            return Optional.of(which + " is " + name.length() + " characters long, more than " + MAXIMUM_NAME_LENGTH);
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.of(which + " must start and end with a letter or digit and hold only letters, digits, '-', '_' and '.'");
        }
        return Optional.empty();
    }

    /**
     * A label (or taint) value: empty, or at most 63 letters, digits, {@code -}, {@code _} and
     * {@code .}, starting and ending with a letter or digit.
     */
    static Optional<String> labelValueProblem(String text)
    {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.length() > MAXIMUM_NAME_LENGTH) {
            return Optional.of("it is " + text.length() + " characters long, more than " + MAXIMUM_NAME_LENGTH);
        }
        if (!NAME.matcher(text).matches()) {
            return Optional.of("it must be empty or start and end with a letter or digit and hold only letters, digits, '-', '_' and '.'");
        }
        return Optional.empty();
    }
}
