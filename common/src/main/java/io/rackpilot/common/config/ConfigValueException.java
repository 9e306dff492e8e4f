package io.rackpilot.common.config;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Thrown by a config class's constructor when one of its values is wrong. {@link YamlLoader} turns
 * it into a {@link ConfigException} that names the file, the line of the offending value and its
 * full path, so the constructor only says which of its own keys is wrong and why:
 *
 * <pre>
 * throw new ConfigValueException("pciAddress", "expected a PCI address such as 0000:06:00.0, got \"" + pciAddress + "\"");
 * </pre>
 *
 * Outside of loading (a config built in code) it is an ordinary {@link IllegalArgumentException}
 * whose message starts with the key.
 */
public final class ConfigValueException
        extends IllegalArgumentException
{
    private final List<Object> relativePath;
    private final String problem;
    private final boolean missing;

    /**
     * @param key the key of the constructor's own object that is wrong, or "" for the object as a whole
     * @param problem what is wrong, without the key (for example {@code must be at least 1, got 0})
     */
    public ConfigValueException(String key, String problem)
    {
        this(key.isEmpty() ? List.of() : List.of(key), problem, false);
    }

    ConfigValueException(List<?> relativePath, String problem, boolean missing)
    {
        super(describe(relativePath, problem));
        this.relativePath = List.<Object>copyOf(relativePath);
        this.problem = requireNonNull(problem, "problem is null");
        this.missing = missing;
    }

    /**
     * A wrong value further down, for a constructor that checks the entries of its lists or
     * nested objects: {@code ConfigValueException.at(List.of("vms", 3, "vmid"), "duplicate vmid 201")}.
     *
     * @param relativePath keys ({@link String}) and list positions ({@link Integer}) below the object being constructed
     */
    public static ConfigValueException at(List<?> relativePath, String problem)
    {
        for (Object segment : relativePath) {
            if (!(segment instanceof String) && !(segment instanceof Integer)) {
                throw new IllegalArgumentException("a path segment must be a String key or an Integer position: " + segment);
            }
        }
        return new ConfigValueException(relativePath, problem, false);
    }

    /**
     * A required key that is absent, or present without a value.
     */
    public static ConfigValueException missing(String key)
    {
        requireNonNull(key, "key is null");
        return new ConfigValueException(List.of(key), "a value is required", true);
    }

    /**
     * The wrong value's path below the object being constructed: key names ({@link String}) and
     * list positions ({@link Integer}).
     */
    public List<Object> relativePath()
    {
        return relativePath;
    }

    public String problem()
    {
        return problem;
    }

    /**
     * Whether the problem is a required key with no value.
     */
    public boolean isMissing()
    {
        return missing;
    }

    private static String describe(List<?> relativePath, String problem)
    {
        String path = FieldPath.render(relativePath);
        return path.isEmpty() ? problem : path + ": " + problem;
    }
}
