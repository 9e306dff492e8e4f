package io.rackpilot.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * A shipped configuration file: every key commented out with its default. A setting is written
 * {@code #key: value} (a nested one {@code #  key: value}), prose {@code # words}; removing the
 * {@code #} of the settings gives the YAML a user gets by uncommenting everything.
 */
final class ShippedConfig
{
    private static final Pattern COMMENTED_SETTING = Pattern.compile("#( *[A-Za-z][A-Za-z0-9-]*:(\\s.*)?)");

    private ShippedConfig() {}

    static String uncommentSettings(String text)
    {
        requireNonNull(text, "text is null");
        return text.lines()
                .map(line -> COMMENTED_SETTING.matcher(line).matches() ? line.substring(1) : line)
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /**
     * The keys of {@code type} (a record, its record-typed components followed as sections) that
     * the YAML does not set, as dotted paths; sections named in {@code leftOut} are not looked at.
     */
    static List<String> missingKeys(String yaml, Class<? extends Record> type, List<String> leftOut)
    {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> missing = new ArrayList<>();
        collectMissing(root, type, "", leftOut, missing);
        return List.copyOf(missing);
    }

    private static void collectMissing(JsonNode node, Class<?> type, String prefix, List<String> leftOut, List<String> missing)
    {
        for (RecordComponent component : type.getRecordComponents()) {
            String path = prefix + component.getName();
            if (leftOut.contains(path)) {
                continue;
            }
            if (node == null || !node.has(component.getName())) {
                missing.add(path);
                continue;
            }
            Class<?> componentType = component.getType();
            if (componentType.isRecord()) {
                JsonNode section = node.get(component.getName());
                if (!section.isObject()) {
                    missing.add(path + ".*");
                    continue;
                }
                collectMissing(section, componentType, path + ".", leftOut, missing);
            }
        }
    }
}
