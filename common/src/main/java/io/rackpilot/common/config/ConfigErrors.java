package io.rackpilot.common.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.JacksonYAMLParseException;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Turns what Jackson and SnakeYAML throw into one {@link ConfigException} with the file, line,
 * column, key path and a sentence a person can act on.
 */
final class ConfigErrors
{
    private static final Pattern MISSING_CREATOR_PROPERTY = Pattern.compile("Missing required creator property '([^']*)'");
    private static final Pattern DUPLICATE_FIELD = Pattern.compile("Duplicate (?:field|Object property) '([^']*)'");

    private ConfigErrors() {}

    static ConfigException translate(JacksonException exception, LocationTrackingParser parser, DeserializationConfig config, Optional<Path> file, String sourceName)
    {
        requireNonNull(parser, "parser is null");
        Problem problem = describe(exception, parser, config);
        JsonLocation location = problem.location();
        int line = location == null || location.getLineNr() < 0 ? 0 : location.getLineNr();
        int column = location == null || location.getColumnNr() < 0 ? 0 : location.getColumnNr();
        return new ConfigException(file, sourceName, line, column, FieldPath.render(problem.path()), problem.message(), exception);
    }

    private static Problem describe(JacksonException exception, LocationTrackingParser parser, DeserializationConfig config)
    {
        if (exception instanceof InvalidDefinitionException definition) {
            throw new IllegalStateException("not a usable config class: " + definition.getOriginalMessage(), definition);
        }
        if (exception instanceof JsonMappingException wrapper && wrapper.getCause() instanceof StreamReadException read) {
            return describe(read, parser, config);
        }
        if (exception instanceof PropertyBindingException unknown) {
            return unknownKey(unknown, parser);
        }
        if (exception instanceof ValueInstantiationException instantiation) {
            return refusedByConstructor(instantiation, parser, config);
        }
        if (exception instanceof JsonMappingException databind) {
            return wrongValue(databind, parser, config);
        }
        if (exception instanceof JacksonYAMLParseException yaml && yaml.getCause() instanceof MarkedYAMLException marked) {
            return invalidYaml(marked, parser);
        }
        if (exception instanceof StreamReadException read) {
            return unreadableToken(read, parser);
        }
        return new Problem(exception.getLocation(), contextPath(parser), String.valueOf(exception.getOriginalMessage()));
    }

    private static Problem unknownKey(PropertyBindingException exception, LocationTrackingParser parser)
    {
        List<Object> path = path(exception);
        List<String> known = exception.getKnownPropertyIds() == null
                ? List.of()
                : exception.getKnownPropertyIds().stream().map(String::valueOf).collect(Collectors.toList());
        JsonLocation location = parser.keyLocation(path).orElse(exception.getLocation());
        return unknownKey(path, exception.getPropertyName(), inDeclarationOrder(exception.getReferringClass(), known), location);
    }

    private static Problem unknownKey(List<Object> path, String key, List<String> known, JsonLocation location)
    {
        StringBuilder message = new StringBuilder();
        if (path.size() > 1) {
            message.append(FieldPath.render(path)).append(": ");
        }
        message.append("unknown key '").append(key).append('\'');
        closest(key, known).ifPresent(suggestion -> message.append(", did you mean '").append(suggestion).append("'?"));
        if (!known.isEmpty()) {
            message.append(" (known keys: ").append(String.join(", ", known)).append(')');
        }
        return new Problem(location, path, message.toString());
    }

    /**
     * Jackson reports unknown keys of a record only after its constructor ran, so a constructor
     * that refuses the object (a missing key, a bad value) would hide a misspelt key that is the
     * real cause; this finds such a key first.
     */
    private static Optional<Problem> unknownKeyIn(List<Object> objectPath, Class<?> type, LocationTrackingParser parser, DeserializationConfig config)
    {
        if (type == null) {
            return Optional.empty();
        }
        BeanDescription description = config.introspect(config.constructType(type));
        JsonIgnoreProperties.Value ignorals = config.getDefaultPropertyIgnorals(type, description.getClassInfo());
        if (ignorals.getIgnoreUnknown()) {
            return Optional.empty();
        }
        Set<String> ignored = description.getIgnoredPropertyNames();
        List<String> known = description.findProperties().stream()
                .filter(BeanPropertyDefinition::couldDeserialize)
                .map(BeanPropertyDefinition::getName)
                .filter(name -> !ignored.contains(name))
                .collect(Collectors.toList());
        for (Map.Entry<String, JsonLocation> written : parser.keysIn(objectPath).entrySet()) {
            if (!known.contains(written.getKey())) {
                List<Object> path = new ArrayList<>(objectPath);
                path.add(written.getKey());
                return Optional.of(unknownKey(path, written.getKey(), inDeclarationOrder(type, known), written.getValue()));
            }
        }
        return Optional.empty();
    }

    /**
     * The keys a class accepts, in the order its record declares them when it is a record whose
     * keys are its component names, else in alphabetical order.
     */
    private static List<String> inDeclarationOrder(Class<?> type, List<String> keys)
    {
        List<String> known = keys.stream().sorted().collect(Collectors.toList());
        if (type != null && type.isRecord()) {
            List<String> declared = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).collect(Collectors.toList());
            if (declared.size() == known.size() && declared.containsAll(known)) {
                return declared;
            }
        }
        return known;
    }

    private static Problem refusedByConstructor(ValueInstantiationException exception, LocationTrackingParser parser, DeserializationConfig config)
    {
        List<Object> objectPath = path(exception);
        Optional<Problem> unknown = unknownKeyIn(objectPath, exception.getType() == null ? null : exception.getType().getRawClass(), parser, config);
        if (unknown.isPresent()) {
            return unknown.get();
        }
        JsonLocation objectLocation = parser.valueLocation(objectPath).orElse(exception.getLocation());
        if (exception.getCause() instanceof ConfigValueException refused) {
            List<Object> path = new ArrayList<>(objectPath);
            path.addAll(refused.relativePath());
            Optional<JsonLocation> valueLocation = parser.valueLocation(path);
            if (refused.isMissing()) {
                Optional<JsonLocation> written = valueLocation.or(() -> parser.keyLocation(path));
                if (written.isPresent()) {
                    return new Problem(written.get(), path, prefixed(path, "a value is required, got an empty value"));
                }
                return missingKey(objectPath, refused.relativePath(), objectLocation);
            }
            Optional<JsonLocation> keyLocation = parser.keyLocation(path);
            JsonLocation location = valueLocation.isPresent() && (keyLocation.isEmpty() || keyLocation.get().getLineNr() == valueLocation.get().getLineNr())
                    ? valueLocation.get()
                    : keyLocation.orElse(objectLocation);
            return new Problem(location, path, prefixed(path, refused.problem()));
        }
        Throwable cause = exception.getCause() == null ? exception : exception.getCause();
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new Problem(objectLocation, objectPath, prefixed(objectPath, reason));
    }

    private static Problem missingKey(List<Object> objectPath, List<Object> relativePath, JsonLocation objectLocation)
    {
        List<Object> path = new ArrayList<>(objectPath);
        path.addAll(relativePath);
        String key = FieldPath.render(relativePath);
        return new Problem(objectLocation, path, prefixed(objectPath, "missing required key '" + key + "'"));
    }

    private static Problem wrongValue(JsonMappingException exception, LocationTrackingParser parser, DeserializationConfig config)
    {
        List<Object> path = path(exception);
        String original = String.valueOf(exception.getOriginalMessage());
        Matcher missing = MISSING_CREATOR_PROPERTY.matcher(original);
        if (missing.find()) {
            List<Object> objectPath = new ArrayList<>(path);
            Class<?> type = null;
            if (!objectPath.isEmpty() && missing.group(1).equals(objectPath.get(objectPath.size() - 1))) {
                objectPath.remove(objectPath.size() - 1);
                type = owner(exception);
            }
            Optional<Problem> unknown = unknownKeyIn(objectPath, type, parser, config);
            if (unknown.isPresent()) {
                return unknown.get();
            }
            JsonLocation objectLocation = parser.valueLocation(objectPath).orElse(exception.getLocation());
            return missingKey(objectPath, List.of(missing.group(1)), objectLocation);
        }
        if (original.startsWith("Trailing token")) {
            return new Problem(parser.currentTokenLocation(), List.of(), "only one YAML document is allowed, found a second one");
        }
        JsonLocation location = parser.valueLocation(path).orElse(exception.getLocation());
        if (exception instanceof InvalidFormatException format
                && (format.getTargetType() == Duration.class || format.getTargetType() == DataSize.class)) {
            return new Problem(location, path, prefixed(path, original));
        }
        Class<?> target = exception instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        if (target == null) {
            return new Problem(location, path, prefixed(path, firstLine(original)));
        }
        if (original.startsWith("Cannot map `null` into type") && parser.keyLocation(path).isEmpty() && !path.isEmpty()) {
            List<Object> objectPath = path.subList(0, path.size() - 1);
            Optional<Problem> unknown = unknownKeyIn(objectPath, owner(exception), parser, config);
            if (unknown.isPresent()) {
                return unknown.get();
            }
            return missingKey(objectPath, path.subList(path.size() - 1, path.size()), parser.valueLocation(objectPath).orElse(exception.getLocation()));
        }
        String actual = parser.scalarDescription(path).orElseGet(() -> currentValue(parser));
        return new Problem(location, path, prefixed(path, "expected " + expected(target) + ", got " + actual));
    }

    /**
     * The class of the object that holds the value an exception is about.
     */
    private static Class<?> owner(JsonMappingException exception)
    {
        if (exception.getPath().isEmpty()) {
            return null;
        }
        Object from = exception.getPath().get(exception.getPath().size() - 1).getFrom();
        return from instanceof Class<?> fromClass ? fromClass : from == null ? null : from.getClass();
    }

    private static Problem invalidYaml(MarkedYAMLException exception, LocationTrackingParser parser)
    {
        JsonLocation location = exception.getProblemMark() == null
                ? null
                : new JsonLocation(null, exception.getProblemMark().getIndex(), exception.getProblemMark().getLine() + 1, exception.getProblemMark().getColumn() + 1);
        String problem = exception.getProblem() == null ? firstLine(exception.getMessage()) : exception.getProblem();
        return new Problem(location, contextPath(parser), "invalid YAML: " + problem);
    }

    private static Problem unreadableToken(StreamReadException exception, LocationTrackingParser parser)
    {
        List<Object> path = contextPath(parser);
        Matcher duplicate = DUPLICATE_FIELD.matcher(String.valueOf(exception.getOriginalMessage()));
        if (duplicate.find()) {
            List<Object> keyPath = new ArrayList<>(path);
            if (keyPath.isEmpty() || !duplicate.group(1).equals(keyPath.get(keyPath.size() - 1))) {
                keyPath.add(duplicate.group(1));
            }
            Optional<JsonLocation> first = parser.keyLocation(keyPath);
            String firstLine = first.map(location -> " (first written on line " + location.getLineNr() + ")").orElse("");
            String message = "duplicate key '" + duplicate.group(1) + "'" + firstLine;
            return new Problem(parser.currentTokenLocation(), keyPath, keyPath.size() > 1 ? prefixed(keyPath, message) : message);
        }
        if (String.valueOf(exception.getOriginalMessage()).startsWith("Malformed numeric value")) {
            return new Problem(parser.currentTokenLocation(), path, prefixed(path, "expected a number, got " + currentValue(parser)));
        }
        return new Problem(exception.getLocation(), path, prefixed(path, firstLine(String.valueOf(exception.getOriginalMessage()))));
    }

    private static String prefixed(List<Object> path, String message)
    {
        return path.isEmpty() ? message : FieldPath.render(path) + ": " + message;
    }

    private static List<Object> path(JsonMappingException exception)
    {
        List<Object> path = new ArrayList<>();
        for (JsonMappingException.Reference reference : exception.getPath()) {
            if (reference.getFieldName() != null) {
                path.add(reference.getFieldName());
            }
            else if (reference.getIndex() >= 0) {
                path.add(reference.getIndex());
            }
        }
        return path;
    }

    private static List<Object> contextPath(JsonParser parser)
    {
        List<Object> path = new ArrayList<>();
        for (JsonStreamContext context = parser.getParsingContext(); context != null && !context.inRoot(); context = context.getParent()) {
            if (context.inObject() && context.getCurrentName() != null) {
                path.add(context.getCurrentName());
            }
            else if (context.inArray() && context.getCurrentIndex() >= 0) {
                path.add(context.getCurrentIndex());
            }
        }
        Collections.reverse(path);
        return path;
    }

    private static String currentValue(JsonParser parser)
    {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        if (token.isScalarValue()) {
            try {
                return LocationTrackingParser.describeScalar(token, parser.getText());
            }
            catch (IOException e) {
                return token.name();
            }
        }
        return token == JsonToken.START_ARRAY || token == JsonToken.END_ARRAY ? "a list" : "a mapping";
    }

    private static String expected(Class<?> type)
    {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == BigInteger.class || type == OptionalInt.class || type == OptionalLong.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || type == BigDecimal.class || type == OptionalDouble.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == Duration.class) {
            return DurationParser.EXAMPLES;
        }
        if (type == DataSize.class) {
            return DataSize.EXAMPLES;
        }
        if (type == UUID.class) {
            return "a UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427";
        }
        if (Path.class.isAssignableFrom(type)) {
            return "a file path";
        }
        if (type.isEnum()) {
            return "one of " + String.join(", ", enumNames(type));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping";
    }

    private static List<String> enumNames(Class<?> type)
    {
        List<String> names = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            String name = ((Enum<?>) constant).name();
            try {
                Field field = type.getField(name);
                JsonProperty property = field.getAnnotation(JsonProperty.class);
                names.add(property == null || property.value().isEmpty() ? name : property.value());
            }
            catch (NoSuchFieldException e) {
                names.add(name);
            }
        }
        return names;
    }

    private static String firstLine(String message)
    {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /**
     * The known key closest to a misspelt one, when it is close enough to be a likely typo.
     */
    static Optional<String> closest(String key, List<String> known)
    {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best == null || bestDistance > Math.max(1, Math.min(key.length(), best.length()) / 3)) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    /**
     * Edit distance in which swapping two neighbouring letters counts as one edit
     * ({@code corse} is one edit from {@code cores}).
     */
    private static int distance(String left, String right)
    {
        int[][] distances = new int[left.length() + 1][right.length() + 1];
        for (int i = 0; i <= left.length(); i++) {
            distances[i][0] = i;
        }
        for (int j = 0; j <= right.length(); j++) {
            distances[0][j] = j;
        }
        for (int i = 1; i <= left.length(); i++) {
            for (int j = 1; j <= right.length(); j++) {
                int cost = left.charAt(i - 1) == right.charAt(j - 1) ? 0 : 1;
                int best = Math.min(distances[i - 1][j - 1] + cost, Math.min(distances[i - 1][j] + 1, distances[i][j - 1] + 1));
                if (i > 1 && j > 1 && left.charAt(i - 1) == right.charAt(j - 2) && left.charAt(i - 2) == right.charAt(j - 1)) {
                    best = Math.min(best, distances[i - 2][j - 2] + 1);
                }
                distances[i][j] = best;
            }
        }
        return distances[left.length()][right.length()];
    }

    private record Problem(JsonLocation location, List<Object> path, String message) {}
}
