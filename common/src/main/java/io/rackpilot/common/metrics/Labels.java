package io.rackpilot.common.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The Prometheus labels of one series: label names with their values, for example
 * {@code Labels.of("action", "agent.ping", "outcome", "succeeded")}.
 * <p>
 * Label names follow the Prometheus rules ({@code [a-zA-Z_][a-zA-Z0-9_]*}, no {@code __} prefix);
 * {@code quantile} and {@code le} are refused because summaries and histograms use them.
 * Label values may be any text (dots, spaces, quotes, backslashes, newlines); they are escaped on output.
 * <p>
 * The labels are kept sorted by name, which is the order Prometheus client_java writes them in, so
 * {@code Labels.of("b", "1", "a", "2")} equals {@code Labels.of("a", "2", "b", "1")}.
 */
public final class Labels
{
    private static final Labels EMPTY = new Labels(new TreeMap<>());

    private final SortedMap<String, String> values;

    private Labels(SortedMap<String, String> values)
    {
        this.values = Collections.unmodifiableSortedMap(values);
    }

    public static Labels empty()
    {
        return EMPTY;
    }

    /**
     * Labels from name/value pairs: {@code of("id", "k8s-node1", "version", "0.1.0")}.
     */
    public static Labels of(String... namesAndValues)
    {
        requireNonNull(namesAndValues, "namesAndValues is null");
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Labels.of needs name/value pairs, got " + namesAndValues.length + " arguments");
        }
        SortedMap<String, String> values = new TreeMap<>();
        for (int index = 0; index < namesAndValues.length; index += 2) {
            put(values, namesAndValues[index], namesAndValues[index + 1]);
        }
        return new Labels(values);
    }

    public static Labels of(Map<String, String> namesToValues)
    {
        requireNonNull(namesToValues, "namesToValues is null");
        SortedMap<String, String> values = new TreeMap<>();
        namesToValues.forEach((name, value) -> put(values, name, value));
        return new Labels(values);
    }

    /**
     * These labels with one more label; refuses a name that is already present.
     */
    public Labels with(String name, String value)
    {
        SortedMap<String, String> copy = new TreeMap<>(values);
        put(copy, name, value);
        return new Labels(copy);
    }

    private static void put(SortedMap<String, String> values, String name, String value)
    {
        MetricNames.checkLabelName(name);
        if (value == null) {
            throw new IllegalArgumentException("value of label '" + name + "' is null");
        }
        if (values.putIfAbsent(name, value) != null) {
            throw new IllegalArgumentException("label '" + name + "' is given twice");
        }
    }

    /**
     * The label names, sorted.
     */
    public List<String> names()
    {
        return List.copyOf(values.keySet());
    }

    /**
     * The label values, in the order of {@link #names()}.
     */
    public List<String> values()
    {
        return List.copyOf(values.values());
    }

    public Optional<String> value(String name)
    {
        requireNonNull(name, "name is null");
        return Optional.ofNullable(values.get(name));
    }

    public Map<String, String> asMap()
    {
        return values;
    }

    public int size()
    {
        return values.size();
    }

    public boolean isEmpty()
    {
        return values.isEmpty();
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof Labels labels && values.equals(labels.values);
    }

    @Override
    public int hashCode()
    {
        return values.hashCode();
    }

    /**
     * The labels as Prometheus writes them: {@code {action="agent.ping",outcome="succeeded"}}, values escaped
     * ({@code \\}, {@code \"}, {@code \n}); empty labels give {@code ""}.
     */
    @Override
    public String toString()
    {
        if (values.isEmpty()) {
            return "";
        }
        List<String> pairs = new ArrayList<>(values.size());
        values.forEach((name, value) -> pairs.add(name + "=\"" + escape(value) + "\""));
        return "{" + String.join(",", pairs) + "}";
    }

    static String escape(String value)
    {
        StringBuilder escaped = new StringBuilder(value.length() + 8);
        for (int index = 0; index < value.length(); index++) {
            char character = value.charAt(index);
            switch (character) {
                case '\\' -> escaped.append("\\\\");
                case '"' -> escaped.append("\\\"");
                case '\n' -> escaped.append("\\n");
                default -> escaped.append(character);
            }
        }
        return escaped.toString();
    }
}
