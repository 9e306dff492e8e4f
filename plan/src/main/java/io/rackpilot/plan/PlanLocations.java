package io.rackpilot.plan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Where each key and list item of a YAML document is written, by its path ({@code spec.vms[4].ip},
 * {@code spec.gpuNodePolicy.labels["nvidia.com/gpu.present"]}, the same style as
 * {@link io.rackpilot.common.config.ConfigException#fieldPath()}), so that a finding about a
 * value can name its line. A mapping entry is located at its key, a list item where the item
 * starts. A document that is not valid YAML is located as far as it could be read.
 */
public final class PlanLocations
{
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private final Map<String, Position> positions;
    private final Map<String, Span> values;

    /**
     * A place in the text.
     *
     * @param line 1-based line
     * @param column 1-based column, counted in characters
     * @param offset 0-based index in the text, as {@link String#charAt} counts
     */
    public record Position(int line, int column, int offset)
    {
        public Position
        {
            if (line < 1 || column < 1 || offset < 0) {
                throw new IllegalArgumentException("not a position in a text: line " + line + ", column " + column + ", offset " + offset);
            }
        }
    }

    /**
     * Where a scalar value is written: from {@code start} up to, not including, {@code end}
     * (quotes included; empty for a key without a value).
     */
    public record Span(Position start, Position end)
    {
        public Span
        {
            requireNonNull(start, "start is null");
            requireNonNull(end, "end is null");
        }
    }

    private PlanLocations(Map<String, Position> positions, Map<String, Span> values)
    {
        this.positions = Map.copyOf(positions);
        this.values = Map.copyOf(values);
    }

    public static PlanLocations of(String yaml)
    {
        requireNonNull(yaml, "yaml is null");
        Map<String, Position> positions = new HashMap<>();
        Map<String, Span> values = new HashMap<>();
        TextIndex index = new TextIndex(yaml);
        try (JsonParser parser = FACTORY.createParser(yaml)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                JsonStreamContext context = parser.getParsingContext();
                Position start = index.position(parser.currentTokenLocation());
                if (token == JsonToken.FIELD_NAME) {
                    positions.put(render(segments(context)), start);
                    continue;
                }
                JsonStreamContext holder = token.isStructStart() ? context.getParent() : context;
                String path = render(segments(holder));
                if (holder.inArray()) {
                    positions.putIfAbsent(path, start);
                }
                if (token.isScalarValue()) {
                    values.put(path, new Span(start, index.position(parser.currentLocation())));
                }
            }
        }
        catch (IOException e) {
            // invalid YAML: keep what was located before the problem; the loader reports it
        }
        return new PlanLocations(positions, values);
    }

    /**
     * Where the key (or, for a list item, the item) at this path is written.
     */
    public Optional<Position> position(String path)
    {
        requireNonNull(path, "path is null");
        return Optional.ofNullable(positions.get(path));
    }

    /**
     * Where the scalar value at this path is written; empty for a mapping, a list or an absent key.
     */
    public Optional<Span> value(String path)
    {
        requireNonNull(path, "path is null");
        return Optional.ofNullable(values.get(path));
    }

    /**
     * The line of the key or item at this path or, when it is not written, of its nearest
     * written parent ({@code spec.host} for an absent {@code spec.host.memory}); 0 when none is.
     */
    public int line(String path)
    {
        requireNonNull(path, "path is null");
        for (String candidate = path; !candidate.isEmpty(); candidate = parent(candidate)) {
            Position position = positions.get(candidate);
            if (position != null) {
                return position.line();
            }
        }
        return 0;
    }

    /**
     * The path of keys and list positions as messages show it: {@code spec.vms[3].cores}, with
     * keys other than letters, digits, {@code -} and {@code _} quoted ({@code labels["nvidia.com/gpu"]}).
     */
    public static String render(List<?> segments)
    {
        StringBuilder path = new StringBuilder();
        for (Object segment : segments) {
            if (segment instanceof Integer position) {
                path.append('[').append(position).append(']');
                continue;
            }
            String key = String.valueOf(segment);
            if (PLAIN_KEY.matcher(key).matches()) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(key);
            }
            else {
                path.append("[\"").append(key.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
            }
        }
        return path.toString();
    }

    /**
     * The path without its last key or position; empty for a top-level key.
     */
    static String parent(String path)
    {
        int lastStart = 0;
        int index = 0;
        while (index < path.length()) {
            char character = path.charAt(index);
            if (character == '[') {
                lastStart = index;
                index++;
                if (index < path.length() && path.charAt(index) == '"') {
                    index++;
                    while (index < path.length() && path.charAt(index) != '"') {
                        index += path.charAt(index) == '\\' ? 2 : 1;
                    }
                    index++;
                }
                while (index < path.length() && path.charAt(index) != ']') {
                    index++;
                }
                index++;
            }
            else if (character == '.') {
                lastStart = index;
                index++;
            }
            else {
                index++;
            }
        }
        return path.substring(0, Math.min(lastStart, path.length()));
    }

    private static List<Object> segments(JsonStreamContext context)
    {
        Deque<Object> segments = new ArrayDeque<>();
        for (JsonStreamContext current = context; current != null && !current.inRoot(); current = current.getParent()) {
            if (current.inArray()) {
                segments.addFirst(Math.max(0, current.getCurrentIndex()));
            }
            else if (current.getCurrentName() != null) {
                segments.addFirst(current.getCurrentName());
            }
        }
        return new ArrayList<>(segments);
    }

    /**
     * Turns the parser's line and column (counted in Unicode code points by SnakeYAML) into
     * positions counted in Java characters.
     */
    private static final class TextIndex
    {
        private final String text;
        private final List<Integer> lineStarts = new ArrayList<>();

        TextIndex(String text)
        {
            this.text = text;
            lineStarts.add(0);
            for (int index = 0; index < text.length(); index++) {
                char character = text.charAt(index);
                if (character == '\n' || (character == '\r' && (index + 1 == text.length() || text.charAt(index + 1) != '\n'))) {
                    lineStarts.add(index + 1);
                }
            }
        }

        Position position(JsonLocation location)
        {
            int line = Math.max(1, Math.min(location.getLineNr(), lineStarts.size()));
            int lineStart = lineStarts.get(line - 1);
            int lineEnd = line < lineStarts.size() ? lineStarts.get(line) : text.length();
            int codePoints = Math.max(0, location.getColumnNr() - 1);
            int offset = lineStart;
            for (int counted = 0; counted < codePoints && offset < lineEnd; counted++) {
                offset += Character.charCount(text.codePointAt(offset));
            }
            return new Position(line, offset - lineStart + 1, offset);
        }
    }
}
