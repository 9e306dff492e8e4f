package io.rackpilot.cli.client;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.common.config.DurationParser;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.proto.v1.Action;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Builds a typed {@link Action} from what an operator types: an action name, {@code --json} with
 * the action's message in protobuf JSON form, and {@code --set key=value} for single fields
 * (dotted keys reach nested fields; a repeated field takes several {@code --set}). Every mistake
 * names the action and the field.
 */
public final class ActionParameters
{
    private ActionParameters() {}

    public static Action build(String actionName, String json, List<String> assignments)
    {
        FieldDescriptor actionField = ActionNames.field(actionName).orElseThrow(() -> new IllegalArgumentException(
                "unknown action '" + actionName + "' (actions: " + String.join(", ", ActionNames.all()) + ")"));
        Message.Builder parameters = Action.newBuilder().newBuilderForField(actionField);
        if (json != null) {
            try {
                JsonFormat.parser().merge(json, parameters);
            }
            catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("--json for " + actionName + ": " + e.getMessage());
            }
        }
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("--set " + assignment + ": expected key=value");
            }
            String key = assignment.substring(0, equals);
            String value = assignment.substring(equals + 1);
            set(actionName, parameters, assignment, key, value);
        }
        return Action.newBuilder().setField(actionField, parameters.build()).build();
    }

    private static void set(String actionName, Message.Builder builder, String assignment, String key, String value)
    {
        int dot = key.indexOf('.');
        String head = dot < 0 ? key : key.substring(0, dot);
        Descriptor type = builder.getDescriptorForType();
        FieldDescriptor field = find(type, head);
        if (field == null) {
            String known = type.getFields().stream().map(FieldDescriptor::getJsonName).collect(Collectors.joining(", "));
            throw new IllegalArgumentException("--set " + assignment + ": " + actionName + " has no field '" + head + "'"
                    + (known.isEmpty() ? " (it takes no parameters)" : " (fields: " + known + ")"));
        }
        if (dot >= 0) {
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
                throw new IllegalArgumentException("--set " + assignment + ": '" + head + "' is not a nested message; use --json for lists of messages");
            }
            set(actionName, builder.getFieldBuilder(field), assignment, key.substring(dot + 1), value);
            return;
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && field.getMessageType().getFullName().equals(Duration.getDescriptor().getFullName()) && !field.isRepeated()) {
            builder.setField(field, duration(assignment, value));
            return;
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            throw new IllegalArgumentException("--set " + assignment + ": '" + head + "' is a message; set its fields with " + head + ".FIELD=VALUE or use --json");
        }
        Object converted = convert(assignment, field, value);
        if (field.isRepeated()) {
            builder.addRepeatedField(field, converted);
        }
        else {
            builder.setField(field, converted);
        }
    }

    /**
     * A duration as the configuration files write them: 90s, 5m, 250ms.
     */
    private static Duration duration(String assignment, String value)
    {
        java.time.Duration parsed;
        try {
            parsed = DurationParser.parse(value);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--set " + assignment + ": " + e.getMessage());
        }
        Duration duration = Duration.newBuilder().setSeconds(parsed.getSeconds()).setNanos(parsed.getNano()).build();
        if (!Durations.isValid(duration)) {
            throw new IllegalArgumentException("--set " + assignment + ": a duration can be at most 10000 years");
        }
        return duration;
    }

    private static FieldDescriptor find(Descriptor type, String name)
    {
        for (FieldDescriptor field : type.getFields()) {
            if (field.getJsonName().equals(name) || field.getName().equals(name)) {
                return field;
            }
        }
        return null;
    }

    private static Object convert(String assignment, FieldDescriptor field, String value)
    {
        try {
            return switch (field.getType()) {
                case STRING -> value;
                case BOOL -> switch (value.toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("expected true or false");
                };
                case INT32, SINT32, SFIXED32 -> Integer.parseInt(value);
                case UINT32, FIXED32 -> (int) checkedUnsigned(Long.parseLong(value), 0xFFFF_FFFFL);
                case INT64, SINT64, SFIXED64 -> Long.parseLong(value);
                case UINT64, FIXED64 -> Long.parseUnsignedLong(value);
                case DOUBLE -> Double.parseDouble(value);
                case FLOAT -> Float.parseFloat(value);
                case ENUM -> enumValue(field, value);
                default -> throw new IllegalArgumentException("this field cannot be set with --set; use --json");
            };
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("--set " + assignment + ": '" + value + "' is not a valid " + field.getType().name().toLowerCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("--set")) {
                throw e;
            }
            throw new IllegalArgumentException("--set " + assignment + ": " + e.getMessage());
        }
    }

    private static long checkedUnsigned(long value, long maximum)
    {
        if (value < 0 || value > maximum) {
            throw new NumberFormatException("out of range");
        }
        return value;
    }

    private static EnumValueDescriptor enumValue(FieldDescriptor field, String value)
    {
        for (EnumValueDescriptor candidate : field.getEnumType().getValues()) {
            if (candidate.getName().equals(value) || ProtoJson.enumWord(candidate).equals(value.toLowerCase(Locale.ROOT))) {
                return candidate;
            }
        }
        String known = field.getEnumType().getValues().stream().skip(1).map(ProtoJson::enumWord).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("'" + value + "' is not one of " + known);
    }
}
