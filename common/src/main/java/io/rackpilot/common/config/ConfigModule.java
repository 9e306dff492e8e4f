package io.rackpilot.common.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;

import java.io.IOException;
import java.time.Duration;

/**
 * The Jackson module for the value types of config files: {@link Duration} written as
 * {@code 500ms}, {@code 1h30m} or {@code PT5S} (see {@link DurationParser}), {@link DataSize}
 * written as {@code 4MiB} or a number of bytes, and strings read exactly as written even where
 * YAML sees a number ({@code 06:00.0}, {@code 1.10}). {@link YamlLoader} registers it; register it on any
 * other mapper that reads or writes config values (for example a JSON copy of the plan).
 */
public final class ConfigModule
        extends SimpleModule
{
    public ConfigModule()
    {
        super("rackpilot-config");
        addDeserializer(Duration.class, new DurationDeserializer());
        addSerializer(Duration.class, new DurationSerializer());
        addDeserializer(DataSize.class, new DataSizeDeserializer());
        addSerializer(DataSize.class, new DataSizeSerializer());
        addDeserializer(String.class, new TextDeserializer());
    }

    /**
     * A string as written, whatever YAML makes of it: {@code 06:00.0} is a (base 60) number to YAML
     * and {@code 1.10} a float, but a string key keeps the text exactly, without reading it as a number.
     */
    private static final class TextDeserializer
            extends StdScalarDeserializer<String>
    {
        TextDeserializer()
        {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context)
                throws IOException
        {
            if (parser.currentToken() != null && parser.currentToken().isScalarValue()) {
                return parser.getText();
            }
            return (String) context.handleUnexpectedToken(String.class, parser);
        }
    }

    private static final class DurationDeserializer
            extends StdScalarDeserializer<Duration>
    {
        DurationDeserializer()
        {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext context)
                throws IOException
        {
            if (parser.hasToken(JsonToken.VALUE_STRING)) {
                String text = parser.getText();
                try {
                    return DurationParser.parse(text);
                }
                catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(parser, e.getMessage(), text, Duration.class);
                }
            }
            if (parser.hasToken(JsonToken.VALUE_NUMBER_INT) || parser.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
                String text = parser.getText();
                if (parser.hasToken(JsonToken.VALUE_NUMBER_INT) && parser.getLongValue() == 0) {
                    return Duration.ZERO;
                }
                throw InvalidFormatException.from(parser, "expected " + DurationParser.EXAMPLES + ", got " + text + " (a duration needs a unit: " + text + "s or " + text + "ms)", text, Duration.class);
            }
            return (Duration) context.handleUnexpectedToken(Duration.class, parser);
        }
    }

    private static final class DurationSerializer
            extends StdScalarSerializer<Duration>
    {
        DurationSerializer()
        {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator generator, SerializerProvider provider)
                throws IOException
        {
            generator.writeString(DurationParser.format(value));
        }
    }

    private static final class DataSizeDeserializer
            extends StdScalarDeserializer<DataSize>
    {
        DataSizeDeserializer()
        {
            super(DataSize.class);
        }

        @Override
        public DataSize deserialize(JsonParser parser, DeserializationContext context)
                throws IOException
        {
            if (parser.hasToken(JsonToken.VALUE_STRING) || parser.hasToken(JsonToken.VALUE_NUMBER_INT) || parser.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
                String text = parser.getText();
                try {
                    return DataSize.parse(text);
                }
                catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(parser, e.getMessage(), text, DataSize.class);
                }
            }
            return (DataSize) context.handleUnexpectedToken(DataSize.class, parser);
        }
    }

    private static final class DataSizeSerializer
            extends StdScalarSerializer<DataSize>
    {
        DataSizeSerializer()
        {
            super(DataSize.class);
        }

        @Override
        public void serialize(DataSize value, JsonGenerator generator, SerializerProvider provider)
                throws IOException
        {
            if (value.toString().chars().allMatch(Character::isDigit)) {
                generator.writeNumber(value.bytes());
            }
            else {
                generator.writeString(value.toString());
            }
        }
    }
}
