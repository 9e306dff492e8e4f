package io.rackpilot.sim.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A {@code fieldSelector} query parameter: comma-joined {@code field=value}, {@code field==value} or
 * {@code field!=value}, over the fields the API server indexes for the resource.
 */
final class FieldSelector
{
    private static final Pattern TERM = Pattern.compile("([^=!,]+)(==|=|!=)([^,]*)");

    /**
     * The fields a Node list may select on, and where each is in the object.
     */
    static final Map<String, String> NODE_FIELDS = Map.of(
            "metadata.name", "/metadata/name",
            "spec.unschedulable", "/spec/unschedulable");

    /**
     * The fields a Pod list may select on, and where each is in the object.
     */
    static final Map<String, String> POD_FIELDS = Map.of(
            "metadata.name", "/metadata/name",
            "metadata.namespace", "/metadata/namespace",
            "spec.nodeName", "/spec/nodeName",
            "spec.restartPolicy", "/spec/restartPolicy",
            "spec.schedulerName", "/spec/schedulerName",
            "spec.serviceAccountName", "/spec/serviceAccountName",
            "status.phase", "/status/phase",
            "status.podIP", "/status/podIP",
            "status.nominatedNodeName", "/status/nominatedNodeName");

    /**
     * The fields every other resource may select on.
     */
    static final Map<String, String> OBJECT_FIELDS = Map.of(
            "metadata.name", "/metadata/name",
            "metadata.namespace", "/metadata/namespace");

    private final List<Term> terms;
    private final Map<String, String> fields;

    private FieldSelector(List<Term> terms, Map<String, String> fields)
    {
        this.terms = List.copyOf(terms);
        this.fields = Map.copyOf(fields);
    }

    static FieldSelector parse(String text, Map<String, String> fields)
    {
        requireNonNull(text, "text is null");
        List<Term> terms = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Matcher matcher = TERM.matcher(part.strip());
            if (!matcher.matches()) {
                throw ApiStatusException.badRequest("invalid selector: '" + text + "'; can't understand '" + part + "'");
            }
            String field = matcher.group(1).strip();
            if (!fields.containsKey(field)) {
                throw ApiStatusException.badRequest("field label not supported: " + field);
            }
            terms.add(new Term(field, !matcher.group(2).equals("!="), matcher.group(3).strip()));
        }
        return new FieldSelector(terms, fields);
    }

    boolean matches(JsonNode object)
    {
        for (Term term : terms) {
            JsonNode value = object.at(fields.get(term.field()));
            String text = value.isMissingNode() || value.isNull() ? defaultText(term.field()) : value.asText();
            if (text.equals(term.value()) != term.equals()) {
                return false;
            }
        }
        return true;
    }

    private static String defaultText(String field)
    {
        return field.equals("spec.unschedulable") ? "false" : "";
    }

    private record Term(String field, boolean equals, String value) {}
}
