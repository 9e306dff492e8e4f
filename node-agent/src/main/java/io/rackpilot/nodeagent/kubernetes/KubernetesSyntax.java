package io.rackpilot.nodeagent.kubernetes;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kubernetes' own syntax rules for what the agent writes on its Node, checked before any call so
 * that a refusal names the field: qualified names for label and taint keys, label values (taint
 * values follow the same rule), and taint effects.
 */
public final class KubernetesSyntax
{
    public static final Set<String> TAINT_EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    private static final int MAXIMUM_NAME_LENGTH = 63;
    private static final int MAXIMUM_PREFIX_LENGTH = 253;
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private KubernetesSyntax() {}

    /**
     * A label or taint key: an optional DNS subdomain prefix and '/', then a name of at most 63
     * characters that starts and ends with a letter or digit, with '-', '_' and '.' between.
     */
    public static Optional<String> qualifiedNameProblem(String key)
    {
        if (key.isEmpty()) {
            return Optional.of("must not be empty");
        }
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty()) {
                return Optional.of("'" + key + "': the prefix before '/' must not be empty");
            }
            if (prefix.length() > MAXIMUM_PREFIX_LENGTH) {
                return Optional.of("'" + shorten(key) + "': the prefix must be at most " + MAXIMUM_PREFIX_LENGTH + " characters");
            }
            if (!DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return Optional.of("'" + key + "': the prefix '" + prefix + "' must be a DNS subdomain (lower-case letters, digits, '-' and '.')");
            }
        }
        if (name.isEmpty()) {
            return Optional.of("'" + key + "': the name after the prefix must not be empty");
        }
        if (name.length() > MAXIMUM_NAME_LENGTH) {
            return Optional.of("'" + shorten(key) + "': the name must be at most " + MAXIMUM_NAME_LENGTH + " characters, got " + name.length());
        }
        if (!NAME.matcher(name).matches()) {
            return Optional.of("'" + key + "': the name must start and end with a letter or digit and hold only letters, digits, '-', '_' and '.'");
        }
        return Optional.empty();
    }

    /**
     * A label value (and a taint value): empty, or at most 63 characters that start and end with a
     * letter or digit, with '-', '_' and '.' between.
     */
    public static Optional<String> labelValueProblem(String value)
    {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.length() > MAXIMUM_NAME_LENGTH) {
            return Optional.of("'" + shorten(value) + "' must be at most " + MAXIMUM_NAME_LENGTH + " characters, got " + value.length());
        }
        if (!NAME.matcher(value).matches()) {
            return Optional.of("'" + value + "' must start and end with a letter or digit and hold only letters, digits, '-', '_' and '.'");
        }
        return Optional.empty();
    }

    public static Optional<String> taintEffectProblem(String effect)
    {
        if (TAINT_EFFECTS.contains(effect)) {
            return Optional.empty();
        }
        return Optional.of((effect.isEmpty() ? "missing" : "'" + effect + "' is not an effect") + ": use NoSchedule, PreferNoSchedule or NoExecute");
    }

    private static String shorten(String value)
    {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
