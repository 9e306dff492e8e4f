package io.rackpilot.cli.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.proto.v1.Action;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Builds a typed {@link Action} from what an operator types: an action name, {@code --json} with
 * the action's message as JSON (the field names of {@code rackctl -o json}; durations as
 * {@code "90s"}), and {@code --set key=value} for single fields (dotted keys reach nested fields; a
 * repeated field takes several {@code --set}). Every mistake names the option, the field and what
 * the field takes ({@code --set vmid: 'abc' is not a whole number (0 to 4294967295)}); no message of
 * protobuf's own reaches the operator.
 */
public final class ActionParameters
{
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private ActionParameters() {}

    public static Action build(String actionName, String json, List<String> assignments)
    {
        FieldDescriptor actionField = ActionNames.field(actionName).orElseThrow(() -> new IllegalArgumentException(
                "unknown action '" + actionName + "' (actions: " + String.join(", ", ActionNames.all()) + ")"));
        Message.Builder parameters = Action.newBuilder().newBuilderForField(actionField);
        merge(actionName, parameters, json, assignments);
        return Action.newBuilder().setField(actionField, parameters.build()).build();
    }

    /**
     * Sets the fields of {@code builder} from {@code --json} (may be null), then from each
     * {@code --set}; {@code subject} names the message in errors ({@code agent.ping has no field 'x'}).
     */
    public static void merge(String subject, Message.Builder builder, String json, List<String> assignments)
    {
        requireNonNull(subject, "subject is null");
        requireNonNull(builder, "builder is null");
        requireNonNull(assignments, "assignments is null");
        if (json != null) {
            mergeJson(subject, builder, json);
        }
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("--set " + assignment + ": expected KEY=VALUE, e.g. --set vmid=201");
            }
            String key = assignment.substring(0, equals);
            String value = assignment.substring(equals + 1);
            set(subject, builder, key, key, value);
        }
    }

    private static void set(String subject, Message.Builder builder, String fullKey, String key, String value)
    {
        int dot = key.indexOf('.');
        String head = dot < 0 ? key : key.substring(0, dot);
        Descriptor type = builder.getDescriptorForType();
        FieldDescriptor field = find(type, head);
        if (field == null) {
            throw new IllegalArgumentException("--set " + fullKey + ": " + noSuchField(subject, type, head));
        }
        if (dot >= 0) {
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated() || FieldValues.isDuration(field)) {
                throw new IllegalArgumentException("--set " + fullKey + ": '" + head + "' is not a nested message; use --json for lists of messages");
            }
            String parent = fullKey.substring(0, fullKey.length() - key.length() + head.length());
            set(parent, builder.getFieldBuilder(field), fullKey, key.substring(dot + 1), value);
            return;
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !FieldValues.isDuration(field)) {
            throw new IllegalArgumentException("--set " + fullKey + ": '" + head + "' is a message; set its fields with " + head + ".FIELD=VALUE or use --json");
        }
        Object converted;
        try {
            converted = FieldValues.fromText(field, value);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--set " + fullKey + ": " + e.getMessage(), e);
        }
        if (field.isRepeated()) {
            builder.addRepeatedField(field, converted);
        }
        else {
            builder.setField(field, converted);
        }
    }

    private static void mergeJson(String subject, Message.Builder builder, String json)
    {
        JsonNode document;
        try {
            document = JSON.readTree(json);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--json: not valid JSON" + where(e) + ": " + reason(e), e);
        }
        if (document == null || document.isMissingNode()) {
            throw new IllegalArgumentException("--json: empty; expected an object such as '{\"vmid\": 201}'");
        }
        if (!document.isObject()) {
            throw new IllegalArgumentException("--json: expected an object such as '{\"vmid\": 201}', got " + document);
        }
        mergeObject(subject, "", document, builder);
    }

    /**
     * @param path where the object is in the document ({@code exports[0]}), empty for the document itself
     */
    private static void mergeObject(String subject, String path, JsonNode object, Message.Builder builder)
    {
        Descriptor type = builder.getDescriptorForType();
        Iterator<Map.Entry<String, JsonNode>> entries = object.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            String fieldPath = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
            FieldDescriptor field = find(type, entry.getKey());
            if (field == null) {
                throw new IllegalArgumentException("--json " + fieldPath + ": " + noSuchField(path.isEmpty() ? subject : path, type, entry.getKey()));
            }
            JsonNode value = entry.getValue();
            if (value.isNull()) {
                // as in protobuf's JSON: null leaves the field at its default
                builder.clearField(field);
                continue;
            }
            if (field.isMapField()) {
                mergeMap(fieldPath, field, value, builder);
            }
            else if (field.isRepeated()) {
                if (!value.isArray()) {
                    throw new IllegalArgumentException("--json " + fieldPath + ": expected a list [...] of " + FieldValues.expected(field) + ", got " + value);
                }
                builder.clearField(field);
                for (int index = 0; index < value.size(); index++) {
                    builder.addRepeatedField(field, element(fieldPath + "[" + index + "]", field, value.get(index), builder));
                }
            }
            else {
                builder.setField(field, element(fieldPath, field, value, builder));
            }
        }
    }

    private static Object element(String path, FieldDescriptor field, JsonNode value, Message.Builder parent)
    {
        if (value.isNull()) {
            throw new IllegalArgumentException("--json " + path + ": expected " + FieldValues.expected(field) + ", got null");
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !FieldValues.isDuration(field)) {
            if (!value.isObject()) {
                throw new IllegalArgumentException("--json " + path + ": expected an object {...}, got " + value);
            }
            Message.Builder nested = parent.newBuilderForField(field);
            mergeObject(path, path, value, nested);
            return nested.build();
        }
        try {
            return FieldValues.fromJson(field, value);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--json " + path + ": " + e.getMessage(), e);
        }
    }

    private static void mergeMap(String path, FieldDescriptor field, JsonNode value, Message.Builder builder)
    {
        if (!value.isObject()) {
            throw new IllegalArgumentException("--json " + path + ": expected an object {\"key\": value, ...}, got " + value);
        }
        Descriptor entryType = field.getMessageType();
        FieldDescriptor keyField = entryType.findFieldByNumber(1);
        FieldDescriptor valueField = entryType.findFieldByNumber(2);
        builder.clearField(field);
        Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            String entryPath = path + "." + entry.getKey();
            Object key;
            try {
                key = FieldValues.fromText(keyField, entry.getKey());
            }
            catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--json " + entryPath + ": the key " + e.getMessage(), e);
            }
            Message.Builder mapEntry = builder.newBuilderForField(field);
            mapEntry.setField(keyField, key);
            mapEntry.setField(valueField, element(entryPath, valueField, entry.getValue(), mapEntry));
            builder.addRepeatedField(field, mapEntry.build());
        }
    }

    private static String noSuchField(String subject, Descriptor type, String name)
    {
        String known = type.getFields().stream().map(FieldDescriptor::getJsonName).collect(Collectors.joining(", "));
        return subject + " has no field '" + name + "'" + (known.isEmpty() ? " (it takes no parameters)" : " (fields: " + known + ")");
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

    private static String where(JsonProcessingException e)
    {
        if (e.getLocation() == null || e.getLocation().getLineNr() < 1) {
            return "";
        }
        return " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /**
     * Jackson's reason without the parts about its own input source.
     */
    private static String reason(JsonProcessingException e)
    {
        String reason = e.getOriginalMessage();
        if (reason.startsWith("Trailing token")) {
            return "more than one value; give one object";
        }
        reason = reason.replaceAll(" \\(code \\d+\\)", "");
        int source = reason.indexOf(" (start marker at");
        if (source >= 0) {
            reason = reason.substring(0, source);
        }
        int newline = reason.indexOf('\n');
        return newline >= 0 ? reason.substring(0, newline) : reason;
    }
}
