package io.rackpilot.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.rackpilot.common.protocol.Timestamps;

import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * rackctl's JSON: the protobuf messages with their JSON field names (lowerCamelCase, as the
 * schema declares them), numbers as JSON numbers (also 64-bit ones), enum values as lower-case
 * words without their type prefix ({@code ROLE_HOST} is {@code "host"}), timestamps as RFC 3339
 * strings and durations as seconds. Fields at their default are left out except booleans and
 * numbers of set messages, which scripts often test (unless the field is declared {@code optional}: then
 * an unset one is left out, as a GPU's fan on a card without one); that keeps the names stable and documented
 * by the .proto files. Messages that only wrap a list ({@code Disks { repeated Disk items }}) are
 * printed as that list. Map fields ({@code map<string, string> labels}) are JSON objects, as in
 * Kubernetes; lists of messages (taints) stay arrays.
 */
public final class ProtoJson
{
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ProtoJson() {}

    public static String print(JsonNode node)
    {
        try {
            return MAPPER.writeValueAsString(node);
        }
        catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ArrayNode array(List<? extends Message> messages)
    {
        ArrayNode array = NODES.arrayNode();
        for (Message message : messages) {
            array.add(object(message));
        }
        return array;
    }

    public static JsonNode value(Message message)
    {
        if (message instanceof Timestamp timestamp) {
            return NODES.textNode(Timestamps.toInstant(timestamp).toString());
        }
        if (message instanceof Duration duration) {
            return NODES.numberNode(duration.getSeconds() + duration.getNanos() / 1e9);
        }
        List<FieldDescriptor> fields = message.getDescriptorForType().getFields();
        if (fields.size() == 1 && fields.get(0).isRepeated() && fields.get(0).getName().equals("items")) {
            // List wrappers (Disks, FileSystems, ...) exist so a change report can leave a section
            // out; in JSON they are plain arrays.
            return object(message).get("items");
        }
        return object(message);
    }

    public static ObjectNode object(Message message)
    {
        ObjectNode object = NODES.objectNode();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            String name = field.getJsonName();
            if (field.isMapField()) {
                object.set(name, map(field, message));
                continue;
            }
            if (field.isRepeated()) {
                ArrayNode array = object.putArray(name);
                int count = message.getRepeatedFieldCount(field);
                for (int i = 0; i < count; i++) {
                    array.add(scalarOrMessage(field, message.getRepeatedField(field, i)));
                }
                continue;
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (message.hasField(field)) {
                    object.set(name, value((Message) message.getField(field)));
                }
                continue;
            }
            if (field.hasPresence() && !message.hasField(field)) {
                // oneof members and proto3 optional fields that are not set ("not supported" for a GPU)
                continue;
            }
            object.set(name, scalarOrMessage(field, message.getField(field)));
        }
        return object;
    }

    /**
     * A map field ({@code map<string, string> labels}) as a JSON object with its keys sorted, as
     * Kubernetes and protobuf's own JSON mapping print maps; not the list of entries that protobuf
     * reflection sees.
     */
    private static ObjectNode map(FieldDescriptor field, Message message)
    {
        FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        SortedMap<String, JsonNode> entries = new TreeMap<>();
        int count = message.getRepeatedFieldCount(field);
        for (int i = 0; i < count; i++) {
            Message entry = (Message) message.getRepeatedField(field, i);
            entries.put(String.valueOf(entry.getField(keyField)), scalarOrMessage(valueField, entry.getField(valueField)));
        }
        ObjectNode object = NODES.objectNode();
        entries.forEach(object::set);
        return object;
    }

    private static JsonNode scalarOrMessage(FieldDescriptor field, Object value)
    {
        return switch (field.getJavaType()) {
            case MESSAGE -> value((Message) value);
            case ENUM -> NODES.textNode(enumWord((EnumValueDescriptor) value));
            case INT -> unsigned32(field) && (Integer) value < 0 ? NODES.numberNode(Integer.toUnsignedLong((Integer) value)) : NODES.numberNode((Integer) value);
            case LONG -> NODES.numberNode((Long) value);
            case FLOAT -> NODES.numberNode((Float) value);
            case DOUBLE -> NODES.numberNode((Double) value);
            case BOOLEAN -> NODES.booleanNode((Boolean) value);
            case STRING -> NODES.textNode((String) value);
            case BYTE_STRING -> NODES.binaryNode(((com.google.protobuf.ByteString) value).toByteArray());
        };
    }

    private static boolean unsigned32(FieldDescriptor field)
    {
        return field.getType() == FieldDescriptor.Type.UINT32 || field.getType() == FieldDescriptor.Type.FIXED32;
    }

    /**
     * {@code ROLE_HOST} of enum {@code Role} is "host"; {@code COMMAND_STATE_TIMED_OUT} of
     * {@code CommandState} is "timed_out".
     */
    public static String enumWord(EnumValueDescriptor value)
    {
        String prefix = upperSnake(value.getType().getName()) + "_";
        String name = value.getName();
        if (name.startsWith(prefix)) {
            name = name.substring(prefix.length());
        }
        return name.toLowerCase(Locale.ROOT);
    }

    private static String upperSnake(String camel)
    {
        StringBuilder result = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char character = camel.charAt(i);
            if (Character.isUpperCase(character) && i > 0) {
                result.append('_');
            }
            result.append(Character.toUpperCase(character));
        }
        return result.toString();
    }
}
