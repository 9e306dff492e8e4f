package io.rackpilot.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Edits of a plan's text that keep every other byte as it was (comments, key order, quoting,
 * line endings), for {@code rackctl gpu move}: the plan stays the file a person wrote.
 */
public final class PlanText
{
    private static final YAMLMapper MAPPER = new YAMLMapper();
    private static final Pattern BLANK_OR_COMMENT = Pattern.compile("[ \\t]*(#.*)?");
    private static final Pattern BLANK = Pattern.compile("[ \\t]*");
    private static final Pattern LIST_DASH = Pattern.compile("[ \\t]*-[ \\t]*");

    private PlanText() {}

    /**
     * The plan with the GPU's {@code vm} set to {@code vmid}: the value of its {@code vm:} key is
     * replaced, or, when it has none, a {@code vm:} line is added after its {@code id:} line with
     * the same indentation.
     *
     * @throws IllegalArgumentException when the plan is not YAML or has no GPU with this id
     */
    public static String withGpuAssignment(String yaml, String gpuId, int vmid)
    {
        requireNonNull(yaml, "yaml is null");
        requireNonNull(gpuId, "gpuId is null");
        PlanLocations locations = PlanLocations.of(yaml);
        String gpu = gpuPath(yaml, gpuId);
        String value = Integer.toString(vmid);
        Optional<PlanLocations.Position> vmKey = locations.position(gpu + ".vm");
        if (vmKey.isPresent()) {
            PlanLocations.Span span = locations.value(gpu + ".vm")
                    .orElseThrow(() -> new IllegalArgumentException("GPU " + gpuId + ": vm is not a single value"));
            int start = span.start().offset();
            int end = span.end().offset();
            if (start == end) {
                // "vm:" without a value: write it after the colon
                int colon = yaml.indexOf(':', vmKey.get().offset());
                return yaml.substring(0, colon + 1) + " " + value + yaml.substring(colon + 1);
            }
            return yaml.substring(0, start) + value + yaml.substring(end);
        }
        PlanLocations.Position idKey = locations.position(gpu + ".id")
                .orElseThrow(() -> new IllegalArgumentException("GPU " + gpuId + " has no id key written in the plan"));
        PlanLocations.Span idValue = locations.value(gpu + ".id")
                .orElseThrow(() -> new IllegalArgumentException("GPU " + gpuId + ": id is not a single value"));
        int idLineStart = lineStart(yaml, idKey.offset());
        if (isFlowMapping(yaml, idLineStart, idKey.offset())) {
            int after = idValue.end().offset();
            return yaml.substring(0, after) + ", vm: " + value + yaml.substring(after);
        }
        int lineEnd = lineEnd(yaml, idValue.end().offset());
        String newline = lineBreak(yaml, lineEnd);
        String line = " ".repeat(idKey.column() - 1) + "vm: " + value;
        if (newline.isEmpty()) {
            return yaml + firstLineBreak(yaml) + line;
        }
        int nextLine = lineEnd + newline.length();
        return yaml.substring(0, nextLine) + line + newline + yaml.substring(nextLine);
    }

    /**
     * The plan with the GPU's {@code vm} key removed, so the card is unassigned: its line goes
     * (a trailing comment on it too); the plan is returned unchanged when the GPU has no {@code vm}.
     *
     * @throws IllegalArgumentException when the plan is not YAML or has no GPU with this id
     */
    public static String withoutGpuAssignment(String yaml, String gpuId)
    {
        requireNonNull(yaml, "yaml is null");
        requireNonNull(gpuId, "gpuId is null");
        PlanLocations locations = PlanLocations.of(yaml);
        String gpu = gpuPath(yaml, gpuId);
        Optional<PlanLocations.Position> vmKey = locations.position(gpu + ".vm");
        if (vmKey.isEmpty()) {
            return yaml;
        }
        int keyStart = vmKey.get().offset();
        int valueEnd = locations.value(gpu + ".vm").map(span -> span.end().offset()).orElse(yaml.indexOf(':', keyStart) + 1);
        valueEnd = Math.max(valueEnd, yaml.indexOf(':', keyStart) + 1);
        int lineStart = lineStart(yaml, keyStart);
        int lineEnd = lineEnd(yaml, valueEnd);
        String before = yaml.substring(lineStart, keyStart);
        String after = yaml.substring(valueEnd, lineEnd);
        if (BLANK.matcher(before).matches() && BLANK_OR_COMMENT.matcher(after).matches()) {
            return yaml.substring(0, lineStart) + yaml.substring(lineEnd + lineBreak(yaml, lineEnd).length());
        }
        if (LIST_DASH.matcher(before).matches() && BLANK_OR_COMMENT.matcher(after).matches()) {
            // "- vm: 201" starts the item: keep the dash, the item's other keys follow on their lines
            return yaml.substring(0, lineStart) + before.stripTrailing() + yaml.substring(lineEnd);
        }
        // a flow mapping, {id: x, vm: 201, pcie: true}: take the entry and one comma next to it
        int end = valueEnd;
        while (end < yaml.length() && (yaml.charAt(end) == ' ' || yaml.charAt(end) == '\t')) {
            end++;
        }
        if (end < yaml.length() && yaml.charAt(end) == ',') {
            end++;
            while (end < yaml.length() && (yaml.charAt(end) == ' ' || yaml.charAt(end) == '\t')) {
                end++;
            }
            return yaml.substring(0, keyStart) + yaml.substring(end);
        }
        int start = keyStart;
        while (start > 0 && (yaml.charAt(start - 1) == ' ' || yaml.charAt(start - 1) == '\t')) {
            start--;
        }
        if (start > 0 && yaml.charAt(start - 1) == ',') {
            start--;
        }
        return yaml.substring(0, start) + yaml.substring(valueEnd);
    }

    private static String gpuPath(String yaml, String gpuId)
    {
        JsonNode root;
        try {
            root = MAPPER.readTree(yaml);
        }
        catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot find GPU " + gpuId + ": the plan is not valid YAML: " + e.getOriginalMessage(), e);
        }
        JsonNode gpus = root == null ? null : root.path("spec").path("gpus");
        if (gpus != null && gpus.isArray()) {
            for (int index = 0; index < gpus.size(); index++) {
                JsonNode id = gpus.get(index).path("id");
                if (id.isValueNode() && id.asText().equals(gpuId)) {
                    return PlanLocations.render(List.of("spec", "gpus", index));
                }
            }
        }
        throw new IllegalArgumentException("the plan has no GPU with id " + gpuId + " in spec.gpus");
    }

    private static boolean isFlowMapping(String yaml, int lineStart, int keyOffset)
    {
        return yaml.substring(lineStart, keyOffset).contains("{");
    }

    private static int lineStart(String yaml, int offset)
    {
        int index = offset;
        while (index > 0 && yaml.charAt(index - 1) != '\n' && yaml.charAt(index - 1) != '\r') {
            index--;
        }
        return index;
    }

    private static int lineEnd(String yaml, int offset)
    {
        int index = offset;
        while (index < yaml.length() && yaml.charAt(index) != '\n' && yaml.charAt(index) != '\r') {
            index++;
        }
        return index;
    }

    private static String firstLineBreak(String yaml)
    {
        int lineEnd = lineEnd(yaml, 0);
        return lineEnd < yaml.length() ? lineBreak(yaml, lineEnd) : "\n";
    }

    private static String lineBreak(String yaml, int lineEnd)
    {
        if (yaml.startsWith("\r\n", lineEnd)) {
            return "\r\n";
        }
        if (lineEnd < yaml.length()) {
            return yaml.substring(lineEnd, lineEnd + 1);
        }
        return "";
    }
}
