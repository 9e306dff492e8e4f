package io.rackpilot.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Helpers for the compact constructors of config records: required values, defaults, and
 * immutable copies of lists and maps that reject empty entries with a message naming the entry.
 * Each throws {@link ConfigValueException}, which {@link YamlLoader} reports with the file, line
 * and full key path.
 */
public final class ConfigValues
{
    private ConfigValues() {}

    /**
     * The value, or a {@link ConfigValueException#missing(String) missing-key} error when it is null.
     */
    public static <T> T required(T value, String key)
    {
        if (value == null) {
            throw ConfigValueException.missing(key);
        }
        return value;
    }

    /**
     * A required string that must also not be blank.
     */
    public static String requiredText(String value, String key)
    {
        required(value, key);
        if (value.isBlank()) {
            throw new ConfigValueException(key, "must not be empty");
        }
        return value;
    }

    public static <T> T orDefault(T value, T defaultValue)
    {
        return value == null ? defaultValue : value;
    }

    public static <T> Optional<T> optional(Optional<T> value)
    {
        return value == null ? Optional.empty() : value;
    }

    public static OptionalInt optional(OptionalInt value)
    {
        return value == null ? OptionalInt.empty() : value;
    }

    /**
     * An immutable copy in the same order; an absent list is empty; an empty entry (a {@code -}
     * with nothing after it) is an error naming its position ({@code networks[2]}).
     */
    public static <T> List<T> list(List<T> values, String key)
    {
        if (values == null) {
            return List.of();
        }
        for (int index = 0; index < values.size(); index++) {
            if (values.get(index) == null) {
                throw new ConfigValueException(List.of(key, index), "a value is required", true);
            }
        }
        return List.copyOf(values);
    }

    /**
     * An immutable copy that keeps the file's order; an absent map is empty; a key without a value
     * is an error naming the key.
     */
    public static <K, V> Map<K, V> map(Map<K, V> values, String key)
    {
        if (values == null) {
            return Map.of();
        }
        Map<K, V> copy = new LinkedHashMap<>();
        for (Map.Entry<K, V> entry : values.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw new ConfigValueException(List.of(key, String.valueOf(entry.getKey())), "a value is required", true);
            }
            copy.put(entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableMap(copy);
    }
}
