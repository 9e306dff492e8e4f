package io.rackpilot.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parser that remembers where every key and every value started, by path, so that an error
 * found after a whole object was read (a constructor that refuses a value, a missing key) can
 * still name the line of the value or of the object. Every way of advancing goes through
 * {@link #nextToken()}, so nothing is missed when a deserializer asks for the next field name or
 * text value directly.
 */
final class LocationTrackingParser
        extends JsonParserDelegate
{
    private final Map<String, JsonLocation> keyLocations = new HashMap<>();
    private final Map<String, JsonLocation> valueLocations = new HashMap<>();
    private final Map<String, Map<String, JsonLocation>> keysByObject = new HashMap<>();
    private final Map<String, String> scalarDescriptions = new HashMap<>();

    LocationTrackingParser(JsonParser parser)
    {
        super(parser);
    }

    @Override
    public JsonToken nextToken()
            throws IOException
    {
        JsonToken token = delegate.nextToken();
        if (token != null && token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
            String pointer = delegate.getParsingContext().pathAsPointer().toString();
            if (token == JsonToken.FIELD_NAME) {
                JsonLocation location = delegate.currentTokenLocation();
                keyLocations.put(pointer, location);
                String objectPointer = delegate.getParsingContext().getParent().pathAsPointer().toString();
                keysByObject.computeIfAbsent(objectPointer, ignored -> new LinkedHashMap<>()).put(delegate.currentName(), location);
            }
            else {
                valueLocations.put(pointer, delegate.currentTokenLocation());
                if (token.isScalarValue()) {
                    scalarDescriptions.put(pointer, describeScalar(token, delegate.getText()));
                }
            }
        }
        return token;
    }

    @Override
    public JsonToken nextValue()
            throws IOException
    {
        JsonToken token = nextToken();
        return token == JsonToken.FIELD_NAME ? nextToken() : token;
    }

    @Override
    public String nextFieldName()
            throws IOException
    {
        return nextToken() == JsonToken.FIELD_NAME ? currentName() : null;
    }

    @Override
    public boolean nextFieldName(SerializableString name)
            throws IOException
    {
        return nextToken() == JsonToken.FIELD_NAME && name.getValue().equals(currentName());
    }

    @Override
    public String nextTextValue()
            throws IOException
    {
        return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
    }

    @Override
    public int nextIntValue(int defaultValue)
            throws IOException
    {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getIntValue() : defaultValue;
    }

    @Override
    public long nextLongValue(long defaultValue)
            throws IOException
    {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getLongValue() : defaultValue;
    }

    @Override
    public Boolean nextBooleanValue()
            throws IOException
    {
        JsonToken token = nextToken();
        if (token == JsonToken.VALUE_TRUE) {
            return Boolean.TRUE;
        }
        if (token == JsonToken.VALUE_FALSE) {
            return Boolean.FALSE;
        }
        return null;
    }

    /**
     * Where the key at this path was written, if it was.
     */
    Optional<JsonLocation> keyLocation(List<Object> path)
    {
        return Optional.ofNullable(keyLocations.get(pointer(path)));
    }

    /**
     * Where the value (scalar, list or mapping) at this path started, if it was read.
     */
    Optional<JsonLocation> valueLocation(List<Object> path)
    {
        return Optional.ofNullable(valueLocations.get(pointer(path)));
    }

    /**
     * The value written at this path as a message shows it: {@code "abc"} for a string,
     * {@code 1.5} for a number, {@code an empty value} for nothing; empty when no scalar was written there.
     */
    Optional<String> scalarDescription(List<Object> path)
    {
        return Optional.ofNullable(scalarDescriptions.get(pointer(path)));
    }

    static String describeScalar(JsonToken token, String text)
    {
        if (token == JsonToken.VALUE_NULL) {
            return "an empty value";
        }
        if (token == JsonToken.VALUE_STRING) {
            String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
            return "\"" + shown.replace("\n", "\\n") + "\"";
        }
        return text;
    }

    /**
     * The keys written in the mapping at this path, in the order they were written, with where each was.
     */
    Map<String, JsonLocation> keysIn(List<Object> objectPath)
    {
        return keysByObject.getOrDefault(pointer(objectPath), Map.of());
    }

    private static String pointer(List<Object> path)
    {
        JsonPointer pointer = JsonPointer.empty();
        for (Object segment : path) {
            pointer = segment instanceof Integer index ? pointer.appendIndex(index) : pointer.appendProperty(String.valueOf(segment));
        }
        return pointer.toString();
    }
}
