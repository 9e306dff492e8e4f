package io.rackpilot.common.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Reads a YAML config file (a daemon's config, the homelab plan) into a record, strictly: an
 * unknown key, a duplicate key, a value of the wrong type ({@code port: "abc"}, {@code port: 1.5},
 * {@code enabled: yes}, a quoted {@code "7450"} for a number), an empty value for a primitive,
 * more than one YAML document, or a value a constructor refuses is a {@link ConfigException}
 * naming the file, the line and column, and the key path. Records, {@link java.util.Optional},
 * {@link java.util.OptionalInt}, {@link Path}, {@link java.util.UUID}, enums,
 * {@link java.time.Duration} ({@code 500ms}, {@code 1h30m}, {@code PT5S}) and {@link DataSize}
 * ({@code 4MiB}) are supported. Numbers and booleans are accepted where a string is expected and
 * read as written ({@code version: 1.10} is the string {@code "1.10"}).
 *
 * <p>An empty file (or one with only comments, or a lone {@code ---}) is read as an empty
 * mapping, so every key takes its default; a class with required keys reports the first missing
 * one.
 *
 * <h2>Writing a config class</h2>
 * A config class is a record. Jackson calls its canonical constructor with {@code null} for
 * every key that is absent (an absent primitive is an error instead), so the compact constructor
 * puts in the defaults and checks the values:
 *
 * <pre>{@code
 * public record CoordinatorLink(
 *         String address,                       // optional, with a default
 *         Duration heartbeatInterval,            // optional, with a default
 *         Integer maxMessageBytes,               // a number with a default: boxed, so absent is null
 *         Optional<String> advertiseHost,        // optional, no default
 *         List<String> labels,                   // optional list, empty by default
 *         int id)                                // a required number: a primitive
 * {
 *     public CoordinatorLink
 *     {
 *         address = ConfigValues.orDefault(address, "localhost:7450");
 *         heartbeatInterval = ConfigValues.orDefault(heartbeatInterval, Duration.ofSeconds(5));
 *         maxMessageBytes = ConfigValues.orDefault(maxMessageBytes, 4 * 1024 * 1024);
 *         advertiseHost = ConfigValues.optional(advertiseHost);
 *         labels = ConfigValues.list(labels, "labels");
 *         if (maxMessageBytes < 1024) {
 *             throw new ConfigValueException("maxMessageBytes", "must be at least 1024, got " + maxMessageBytes);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <ul>
 * <li>A required string or object: {@code ConfigValues.required(name, "name")} (or
 *     {@link ConfigValues#requiredText}); it reports a missing key at the line of the object, and
 *     {@code name:} with no value at the line of the key.</li>
 * <li>A required number or boolean: a primitive ({@code int}, {@code boolean}); an absent key is
 *     reported as missing, an empty value as the wrong type. {@code @JsonProperty(required = true)}
 *     says so explicitly and reports the same way.</li>
 * <li>A number or boolean with a default: the boxed type ({@code Integer}, {@code Boolean}), null
 *     when absent; a primitive is never optional.</li>
 * <li>A value the constructor refuses: throw {@link ConfigValueException} with the key; the
 *     message then points at the line of that value. Other exceptions from a constructor are
 *     reported at the line where the object starts.</li>
 * <li>Nested sections are records too: {@code tls = ConfigValues.orDefault(tls, Tls.DEFAULT)}.</li>
 * <li>A helper method named like a bean getter ({@code isEnabled()}, {@code getAddress()}) looks
 *     like a key to Jackson: mark it {@code @JsonIgnore}; writing that key is then an error too.</li>
 * </ul>
 * Jackson reads record component names without {@code -parameters}; keys are the component names.
 */
public final class YamlLoader
{
    private static final ObjectMapper MAPPER = createMapper();

    private YamlLoader() {}

    /**
     * Reads and maps a file.
     *
     * @throws ConfigException when the file is missing, unreadable, not UTF-8, or wrong in any way
     */
    public static <T> T load(Path file, Class<T> type)
    {
        requireNonNull(file, "file is null");
        requireNonNull(type, "type is null");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (NoSuchFileException e) {
            throw unreadable(file, "file does not exist", e);
        }
        catch (AccessDeniedException e) {
            throw unreadable(file, "permission denied", e);
        }
        catch (CharacterCodingException e) {
            throw unreadable(file, "not a UTF-8 text file", e);
        }
        catch (IOException e) {
            String reason = Files.isDirectory(file) ? "is a directory" : String.valueOf(e.getMessage());
            throw unreadable(file, reason, e);
        }
        return parse(text, Optional.of(file), file.toString(), type);
    }

    /**
     * Maps YAML text; {@code sourceName} stands for the file in messages (for example
     * {@code "--plan"} or {@code "<stdin>"}).
     *
     * @throws ConfigException when the text is wrong in any way
     */
    public static <T> T parse(String yaml, String sourceName, Class<T> type)
    {
        requireNonNull(yaml, "yaml is null");
        requireNonNull(sourceName, "sourceName is null");
        requireNonNull(type, "type is null");
        return parse(yaml, Optional.empty(), sourceName, type);
    }

    private static <T> T parse(String yaml, Optional<Path> file, String sourceName, Class<T> type)
    {
        String text = isEmptyDocument(yaml) ? "{}" : yaml;
        LocationTrackingParser parser;
        try {
            parser = new LocationTrackingParser(MAPPER.createParser(text));
        }
        catch (IOException e) {
            throw new ConfigException(file, sourceName, 0, 0, "", String.valueOf(e.getMessage()), e);
        }
        try {
            return MAPPER.readValue(parser, type);
        }
        catch (JacksonException e) {
            throw ConfigErrors.translate(e, parser, MAPPER.getDeserializationConfig(), file, sourceName);
        }
        catch (IOException e) {
            throw new ConfigException(file, sourceName, 0, 0, "", String.valueOf(e.getMessage()), e);
        }
        finally {
            closeQuietly(parser);
        }
    }

    private static void closeQuietly(LocationTrackingParser parser)
    {
        try {
            parser.close();
        }
        catch (IOException e) {
            // reading a string: nothing to release
        }
    }

    private static boolean isEmptyDocument(String yaml)
    {
        try (JsonParser probe = MAPPER.createParser(yaml)) {
            JsonToken first = probe.nextToken();
            return first == null || (first == JsonToken.VALUE_NULL && probe.nextToken() == null);
        }
        catch (IOException e) {
            // not empty: the real parse reports the problem with its location
            return false;
        }
    }

    private static ConfigException unreadable(Path file, String reason, Exception cause)
    {
        return new ConfigException(Optional.of(file), file.toString(), 0, 0, "", "cannot read: " + reason, cause);
    }

    private static ObjectMapper createMapper()
    {
        YAMLFactory factory = YAMLFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                .build();
        ObjectMapper mapper = YAMLMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(new Jdk8Module())
                .addModule(new ConfigModule())
                .build();
        mapper.coercionConfigDefaults()
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                .setAcceptBlankAsEmpty(false);
        return mapper;
    }
}
