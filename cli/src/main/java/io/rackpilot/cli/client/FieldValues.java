package io.rackpilot.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.common.config.DurationParser;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The value of one field of a protobuf message from what an operator typed: the text of
 * {@code --set key=value}, or a value of {@code --json}. A value that does not fit says so in the
 * operator's words ({@code 'abc' is not a whole number (0 to 4294967295)}), never in protobuf's or
 * Java's; the caller puts the option and the field in front.
 */
final class FieldValues
{
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL_NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    // protobuf's JSON form of a duration: seconds with up to nine decimals and an "s"
    private static final Pattern PROTOBUF_DURATION = Pattern.compile("(\\d+)(\\.(\\d{1,9}))?s");
    private static final String DURATION_FULL_NAME = Duration.getDescriptor().getFullName();

    private FieldValues() {}

    /**
     * Whether the field holds a duration ({@code google.protobuf.Duration}), which is given as one
     * value ({@code 90s}) although it is a message.
     */
    static boolean isDuration(FieldDescriptor field)
    {
        return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && field.getMessageType().getFullName().equals(DURATION_FULL_NAME);
    }

    /**
     * The value of a scalar, enum or duration field (one element of a repeated one) from text.
     *
     * @throws IllegalArgumentException saying what is wrong with the value
     */
    static Object fromText(FieldDescriptor field, String text)
    {
        if (isDuration(field)) {
            return duration(text);
        }
        return switch (field.getType()) {
            case STRING -> text;
            case BOOL -> switch (text.toLowerCase(Locale.ROOT)) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException(quote(text) + " is not true or false");
            };
            case INT32, SINT32, SFIXED32 -> wholeNumber(field, text).intValue();
            case UINT32, FIXED32 -> wholeNumber(field, text).intValue();
            case INT64, SINT64, SFIXED64, UINT64, FIXED64 -> wholeNumber(field, text).longValue();
            case DOUBLE -> decimalNumber(text).doubleValue();
            case FLOAT -> decimalNumber(text).floatValue();
            case ENUM -> enumValue(field, text);
            case MESSAGE, GROUP -> throw new IllegalArgumentException("takes several values; set its fields one by one or use --json");
            case BYTES -> throw new IllegalArgumentException("holds bytes, which rackctl cannot send");
        };
    }

    /**
     * The value of a scalar, enum or duration field (one element of a repeated one) from a JSON
     * value: what {@link #fromText} takes, as a JSON string, number or boolean as fits the field.
     *
     * @throws IllegalArgumentException saying what is wrong with the value
     */
    static Object fromJson(FieldDescriptor field, JsonNode value)
    {
        if (value.isContainerNode()) {
            throw new IllegalArgumentException("expected " + expected(field) + ", got " + (value.isArray() ? "a list" : "an object"));
        }
        if (isDuration(field)) {
            if (value.isNumber()) {
                return seconds(value.decimalValue(), value.asText());
            }
            return fromText(field, textual(field, value));
        }
        return switch (field.getType()) {
            case STRING -> textual(field, value);
            case BOOL -> value.isBoolean() ? value.booleanValue() : fromText(field, textual(field, value));
            case ENUM -> fromText(field, textual(field, value));
            default -> fromText(field, value.isNumber() ? value.asText() : textual(field, value));
        };
    }

    /**
     * What the field takes, for a message that says something else was given.
     */
    static String expected(FieldDescriptor field)
    {
        if (isDuration(field)) {
            return "a duration such as \"90s\"";
        }
        return switch (field.getType()) {
            case STRING -> "text in quotes";
            case BOOL -> "true or false";
            case ENUM -> "one of " + enumWords(field);
            case MESSAGE, GROUP -> "an object {...}";
            case DOUBLE, FLOAT -> "a number";
            case BYTES -> "bytes";
            default -> "a whole number " + range(field);
        };
    }

    private static String textual(FieldDescriptor field, JsonNode value)
    {
        if (!value.isTextual()) {
            throw new IllegalArgumentException("expected " + expected(field) + ", got " + value);
        }
        return value.textValue();
    }

    private static BigInteger wholeNumber(FieldDescriptor field, String text)
    {
        BigInteger number = null;
        String trimmed = text.strip();
        if (WHOLE_NUMBER.matcher(trimmed).matches()) {
            number = new BigInteger(trimmed);
        }
        else if (DECIMAL_NUMBER.matcher(trimmed).matches()) {
            // 201.0 and 2e2 are whole numbers; 201.5 is not
            try {
                number = new BigDecimal(trimmed).toBigIntegerExact();
            }
            catch (ArithmeticException e) {
                number = null;
            }
        }
        if (number == null || number.compareTo(minimum(field)) < 0 || number.compareTo(maximum(field)) > 0) {
            throw new IllegalArgumentException(quote(text) + " is not a whole number " + range(field));
        }
        return number;
    }

    private static String range(FieldDescriptor field)
    {
        return "(" + minimum(field) + " to " + maximum(field) + ")";
    }

    private static BigInteger minimum(FieldDescriptor field)
    {
        return switch (field.getType()) {
            case INT32, SINT32, SFIXED32 -> BigInteger.valueOf(Integer.MIN_VALUE);
            case INT64, SINT64, SFIXED64 -> BigInteger.valueOf(Long.MIN_VALUE);
            default -> BigInteger.ZERO;
        };
    }

    private static BigInteger maximum(FieldDescriptor field)
    {
        return switch (field.getType()) {
            case INT32, SINT32, SFIXED32 -> BigInteger.valueOf(Integer.MAX_VALUE);
            case UINT32, FIXED32 -> BigInteger.valueOf(0xFFFF_FFFFL);
            case INT64, SINT64, SFIXED64 -> BigInteger.valueOf(Long.MAX_VALUE);
            default -> BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        };
    }

    private static BigDecimal decimalNumber(String text)
    {
        String trimmed = text.strip();
        if (!DECIMAL_NUMBER.matcher(trimmed).matches()) {
            throw new IllegalArgumentException(quote(text) + " is not a number");
        }
        return new BigDecimal(trimmed);
    }

    private static EnumValueDescriptor enumValue(FieldDescriptor field, String text)
    {
        for (EnumValueDescriptor candidate : field.getEnumType().getValues()) {
            if (candidate.getName().equals(text) || ProtoJson.enumWord(candidate).equals(text.toLowerCase(Locale.ROOT))) {
                return candidate;
            }
        }
        throw new IllegalArgumentException(quote(text) + " is not one of " + enumWords(field));
    }

    private static String enumWords(FieldDescriptor field)
    {
        // the first value is the unspecified one, which nobody means to ask for
        return field.getEnumType().getValues().stream().skip(1).map(ProtoJson::enumWord).collect(Collectors.joining(", "));
    }

    /**
     * A duration as the configuration files write them (90s, 5m, 250ms), or as protobuf's JSON
     * form does (1.5s).
     */
    private static Duration duration(String text)
    {
        Matcher protobufForm = PROTOBUF_DURATION.matcher(text.strip());
        if (protobufForm.matches() && protobufForm.group(2) != null) {
            return seconds(new BigDecimal(protobufForm.group(1) + protobufForm.group(2)), text);
        }
        java.time.Duration parsed = DurationParser.parse(text);
        return withinRange(Duration.newBuilder().setSeconds(parsed.getSeconds()).setNanos(parsed.getNano()).build(), text);
    }

    /**
     * protobuf's duration holds at most 10,000 years; a longer one cannot be sent or printed.
     */
    private static Duration withinRange(Duration duration, String text)
    {
        if (!Durations.isValid(duration)) {
            throw new IllegalArgumentException(quote(text) + " is longer than 10000 years, the most a duration can be");
        }
        return duration;
    }

    private static Duration seconds(BigDecimal seconds, String text)
    {
        if (seconds.signum() < 0) {
            throw new IllegalArgumentException(quote(text) + " is negative; a duration is at least 0s");
        }
        BigDecimal nanos = seconds.movePointRight(9);
        if (nanos.stripTrailingZeros().scale() > 0 || nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(quote(text) + " is not a duration in seconds with at most nine decimals");
        }
        java.time.Duration duration = java.time.Duration.ofNanos(nanos.longValueExact());
        return withinRange(Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build(), text);
    }

    private static String quote(String text)
    {
        return "'" + text + "'";
    }
}
