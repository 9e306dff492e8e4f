package io.rackpilot.sim.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.sim.kubernetes.ApiStatusException.FieldError;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks the API server makes on a Node write that the simulator repeats: label keys and values,
 * annotation keys, and taints (key, value, effect, no two with one key and effect).
 */
final class NodeValidation
{
    static final String QUALIFIED_NAME_MESSAGE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private static final String LABEL_VALUE_MESSAGE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            + "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    private static final String PREFIX_MESSAGE = "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
            + "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final Pattern NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final List<String> TAINT_EFFECTS = List.of("NoSchedule", "PreferNoSchedule", "NoExecute");

    private NodeValidation() {}

    static boolean isQualifiedName(String name)
    {
        return qualifiedNameErrors(name).isEmpty();
    }

    /**
     * Errors of a Node about to be stored; empty when the API server would take it.
     */
    static List<FieldError> validate(JsonNode node)
    {
        List<FieldError> errors = new ArrayList<>();
        JsonNode labels = node.path("metadata").path("labels");
        for (Iterator<Map.Entry<String, JsonNode>> fields = labels.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> label = fields.next();
            for (String problem : qualifiedNameErrors(label.getKey())) {
                errors.add(FieldError.invalid("metadata.labels", label.getKey(), problem));
            }
            checkLabelValue("metadata.labels", label.getValue().asText(), errors);
        }
        JsonNode annotations = node.path("metadata").path("annotations");
        for (Iterator<String> names = annotations.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            for (String problem : qualifiedNameErrors(name.toLowerCase(java.util.Locale.ROOT))) {
                errors.add(FieldError.invalid("metadata.annotations", name, problem));
            }
        }
        JsonNode taints = node.path("spec").path("taints");
        Set<String> seen = new HashSet<>();
        for (int index = 0; index < taints.size(); index++) {
            JsonNode taint = taints.get(index);
            String path = "spec.taints[" + index + "]";
            String key = taint.path("key").asText("");
            for (String problem : qualifiedNameErrors(key)) {
                errors.add(FieldError.invalid(path + ".key", key, problem));
            }
            checkLabelValue(path + ".value", taint.path("value").asText(""), errors);
            String effect = taint.path("effect").asText("");
            if (effect.isEmpty()) {
                errors.add(FieldError.required(path + ".effect"));
            }
            else if (!TAINT_EFFECTS.contains(effect)) {
                errors.add(FieldError.notSupported(path + ".effect", effect, TAINT_EFFECTS));
            }
            if (!seen.add(key + ":" + effect)) {
                errors.add(FieldError.duplicate(path, "taints must be unique by key and effect pair"));
            }
        }
        return errors;
    }

    private static void checkLabelValue(String field, String value, List<FieldError> errors)
    {
        if (value.length() > 63) {
            errors.add(FieldError.invalid(field, value, "must be no more than 63 characters"));
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            errors.add(FieldError.invalid(field, value, LABEL_VALUE_MESSAGE));
        }
    }

    private static List<String> qualifiedNameErrors(String name)
    {
        List<String> problems = new ArrayList<>();
        String[] parts = name.split("/", -1);
        String namePart;
        if (parts.length == 1) {
            namePart = parts[0];
        }
        else if (parts.length == 2) {
            String prefix = parts[0];
            namePart = parts[1];
            if (prefix.isEmpty()) {
                problems.add("prefix part must be non-empty");
            }
            else if (prefix.length() > 253) {
                problems.add("prefix part must be no more than 253 characters");
            }
            else if (!DNS_SUBDOMAIN.matcher(prefix).matches()) {
                problems.add(PREFIX_MESSAGE);
            }
        }
        else {
            return List.of("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                    + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
                    + "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        }
        if (namePart.isEmpty()) {
            problems.add("name part must be non-empty");
        }
        else if (namePart.length() > 63) {
            problems.add("name part must be no more than 63 characters");
        }
        else if (!NAME_PART.matcher(namePart).matches()) {
            problems.add(QUALIFIED_NAME_MESSAGE);
        }
        return problems;
    }
}
