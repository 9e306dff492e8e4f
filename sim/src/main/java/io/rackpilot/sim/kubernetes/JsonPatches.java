package io.rackpilot.sim.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The three patch formats of the API server, applied to a JSON object: JSON merge patch (RFC 7386),
 * JSON patch (RFC 6902) and strategic merge patch (without directives other than
 * {@code $setElementOrder}, which only orders and is ignored).
 */
final class JsonPatches
{
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private JsonPatches() {}

    /**
     * RFC 7386: objects merge, {@code null} removes, anything else (lists included) replaces.
     */
    static JsonNode mergePatch(JsonNode target, JsonNode patch)
    {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            }
            else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    /**
     * RFC 6902. A patch that is not a list of operations is a bad request; an operation that cannot
     * be applied (a failed {@code test}, a missing path) fails the whole patch as the API server does.
     */
    static JsonNode jsonPatch(JsonNode target, JsonNode patch)
    {
        if (!patch.isArray()) {
            throw ApiStatusException.badRequest("json: cannot unmarshal " + (patch.isObject() ? "object" : "value") + " into Go value of type jsonpatch.Patch");
        }
        JsonNode document = target.deepCopy();
        for (JsonNode operation : patch) {
            String op = operation.path("op").asText("");
            String path = operation.path("path").asText(null);
            if (path == null) {
                throw ApiStatusException.patchNotApplied();
            }
            switch (op) {
                case "add" -> document = add(document, path, requiredValue(operation));
                case "remove" -> {
                    get(document, path).orElseThrow(ApiStatusException::patchNotApplied);
                    document = remove(document, path);
                }
                case "replace" -> {
                    get(document, path).orElseThrow(ApiStatusException::patchNotApplied);
                    document = add(remove(document, path), path, requiredValue(operation));
                }
                case "move" -> {
                    String from = operation.path("from").asText("");
                    JsonNode value = get(document, from).orElseThrow(ApiStatusException::patchNotApplied);
                    document = add(remove(document, from), path, value);
                }
                case "copy" -> {
                    String from = operation.path("from").asText("");
                    JsonNode value = get(document, from).orElseThrow(ApiStatusException::patchNotApplied);
                    document = add(document, path, value.deepCopy());
                }
                case "test" -> {
                    JsonNode actual = get(document, path).orElseThrow(ApiStatusException::patchNotApplied);
                    if (!equal(actual, requiredValue(operation))) {
                        throw ApiStatusException.patchNotApplied();
                    }
                }
                default -> throw ApiStatusException.patchNotApplied();
            }
        }
        return document;
    }

    /**
     * A strategic merge patch on an object whose lists of objects at the given paths merge by a key
     * ({@code status.conditions} by {@code type}); every other list is replaced, maps merge and
     * {@code null} removes. Paths are dotted field names from the root ({@code status.conditions}).
     *
     * @throws ApiStatusException 415 for a directive ({@code $patch}, {@code $retainKeys},
     *         {@code $deleteFromPrimitiveList}) the simulator does not implement
     */
    static JsonNode strategicMergePatch(JsonNode target, JsonNode patch, Map<String, String> mergeKeys)
    {
        if (!patch.isObject()) {
            throw ApiStatusException.badRequest("json: cannot unmarshal " + (patch.isArray() ? "array" : "value") + " into Go value of type map[string]interface {}");
        }
        return strategicMerge(target, patch, "", mergeKeys);
    }

    private static JsonNode strategicMerge(JsonNode target, JsonNode patch, String path, Map<String, String> mergeKeys)
    {
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (name.startsWith("$setElementOrder/")) {
                continue;
            }
            if (name.startsWith("$")) {
                throw ApiStatusException.unsupportedMediaType("the simulated API server does not implement the strategic merge patch directive " + name + " (at " + (path.isEmpty() ? "the root" : path) + ")");
            }
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            if (value.isNull()) {
                result.remove(name);
            }
            else if (value.isObject()) {
                result.set(name, strategicMerge(result.get(name), value, fieldPath, mergeKeys));
            }
            else if (value.isArray() && mergeKeys.containsKey(fieldPath) && result.path(name).isArray()) {
                result.set(name, mergeList((ArrayNode) result.get(name), (ArrayNode) value, mergeKeys.get(fieldPath), fieldPath, mergeKeys));
            }
            else {
                result.set(name, value.deepCopy());
            }
        }
        return result;
    }

    private static ArrayNode mergeList(ArrayNode current, ArrayNode patch, String mergeKey, String path, Map<String, String> mergeKeys)
    {
        ArrayNode result = current.deepCopy();
        for (JsonNode element : patch) {
            if (!element.isObject()) {
                if (!contains(result, element)) {
                    result.add(element.deepCopy());
                }
                continue;
            }
            if (element.has("$patch")) {
                throw ApiStatusException.unsupportedMediaType("the simulated API server does not implement the strategic merge patch directive $patch (in " + path + ")");
            }
            JsonNode key = element.get(mergeKey);
            if (key == null) {
                throw ApiStatusException.badRequest("map: " + element + " does not contain declared merge key: " + mergeKey);
            }
            int index = indexOf(result, mergeKey, key);
            if (index < 0) {
                result.add(element.deepCopy());
            }
            else {
                result.set(index, strategicMerge(result.get(index), element, path, mergeKeys));
            }
        }
        return result;
    }

    private static boolean contains(ArrayNode list, JsonNode element)
    {
        for (JsonNode existing : list) {
            if (equal(existing, element)) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(ArrayNode list, String mergeKey, JsonNode key)
    {
        for (int index = 0; index < list.size(); index++) {
            if (equal(list.get(index).path(mergeKey), key)) {
                return index;
            }
        }
        return -1;
    }

    private static JsonNode requiredValue(JsonNode operation)
    {
        JsonNode value = operation.get("value");
        if (value == null) {
            throw ApiStatusException.patchNotApplied();
        }
        return value.deepCopy();
    }

    /**
     * Numbers compare by value (1 equals 1.0), as Go's JSON decoding makes them.
     */
    static boolean equal(JsonNode left, JsonNode right)
    {
        if (left.isNumber() && right.isNumber()) {
            return left.decimalValue().compareTo(right.decimalValue()) == 0;
        }
        if (left.isArray() && right.isArray()) {
            if (left.size() != right.size()) {
                return false;
            }
            for (int index = 0; index < left.size(); index++) {
                if (!equal(left.get(index), right.get(index))) {
                    return false;
                }
            }
            return true;
        }
        if (left.isObject() && right.isObject()) {
            if (left.size() != right.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = left.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!right.has(field.getKey()) || !equal(field.getValue(), right.get(field.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return left.equals(right);
    }

    private static List<String> tokens(String pointer)
    {
        if (pointer.isEmpty()) {
            return List.of();
        }
        if (!pointer.startsWith("/")) {
            throw ApiStatusException.patchNotApplied();
        }
        List<String> tokens = new ArrayList<>();
        for (String token : pointer.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static Optional<JsonNode> get(JsonNode document, String pointer)
    {
        JsonNode node = document;
        for (String token : tokens(pointer)) {
            if (node.isObject()) {
                node = node.get(token);
            }
            else if (node.isArray()) {
                int index = arrayIndex(token, node.size() - 1);
                node = node.get(index);
            }
            else {
                return Optional.empty();
            }
            if (node == null) {
                return Optional.empty();
            }
        }
        return Optional.of(node);
    }

    private static JsonNode add(JsonNode document, String pointer, JsonNode value)
    {
        List<String> tokens = tokens(pointer);
        if (tokens.isEmpty()) {
            return value;
        }
        JsonNode parent = get(document, parentPointer(tokens)).orElseThrow(ApiStatusException::patchNotApplied);
        String last = tokens.get(tokens.size() - 1);
        if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value);
        }
        else if (parent.isArray()) {
            ArrayNode array = (ArrayNode) parent;
            if (last.equals("-")) {
                array.add(value);
            }
            else {
                array.insert(arrayIndex(last, array.size()), value);
            }
        }
        else {
            throw ApiStatusException.patchNotApplied();
        }
        return document;
    }

    private static JsonNode remove(JsonNode document, String pointer)
    {
        List<String> tokens = tokens(pointer);
        if (tokens.isEmpty()) {
            throw ApiStatusException.patchNotApplied();
        }
        JsonNode parent = get(document, parentPointer(tokens)).orElseThrow(ApiStatusException::patchNotApplied);
        String last = tokens.get(tokens.size() - 1);
        if (parent.isObject() && parent.has(last)) {
            ((ObjectNode) parent).remove(last);
        }
        else if (parent.isArray()) {
            ((ArrayNode) parent).remove(arrayIndex(last, parent.size() - 1));
        }
        else {
            throw ApiStatusException.patchNotApplied();
        }
        return document;
    }

    private static String parentPointer(List<String> tokens)
    {
        StringBuilder parent = new StringBuilder();
        for (String token : tokens.subList(0, tokens.size() - 1)) {
            parent.append('/').append(token.replace("~", "~0").replace("/", "~1"));
        }
        return parent.toString();
    }

    private static int arrayIndex(String token, int maximum)
    {
        if (!token.matches("0|[1-9][0-9]{0,8}")) {
            throw ApiStatusException.patchNotApplied();
        }
        int index = Integer.parseInt(token);
        if (index > maximum) {
            throw ApiStatusException.patchNotApplied();
        }
        return index;
    }
}
