package io.rackpilot.sim.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A {@code labelSelector} query parameter: comma-joined requirements {@code a=b}, {@code a==b},
 * {@code a!=b}, {@code a}, {@code !a}, {@code a in (x,y)}, {@code a notin (x)}.
 */
final class LabelSelector
{
    private static final Pattern SET = Pattern.compile("\\s*([^\\s!=,()]+)\\s+(in|notin)\\s*\\(([^()]*)\\)\\s*");
    private static final Pattern EQUALITY = Pattern.compile("\\s*([^\\s!=,()]+)\\s*(==|=|!=)\\s*([^\\s!=,()]*)\\s*");
    private static final Pattern EXISTS = Pattern.compile("\\s*(!?)\\s*([^\\s!=,()]+)\\s*");

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements)
    {
        this.requirements = List.copyOf(requirements);
    }

    static LabelSelector parse(String text)
    {
        requireNonNull(text, "text is null");
        List<Requirement> requirements = new ArrayList<>();
        for (String part : splitOutsideParentheses(text)) {
            if (part.isBlank()) {
                if (text.isBlank()) {
                    continue;
                }
                throw ApiStatusException.badRequest("unable to parse requirement: found '', expected: identifier");
            }
            requirements.add(requirement(part));
        }
        return new LabelSelector(requirements);
    }

    boolean matches(Map<String, String> labels)
    {
        return requirements.stream().allMatch(requirement -> requirement.matches(labels));
    }

    private static Requirement requirement(String part)
    {
        Matcher set = SET.matcher(part);
        if (set.matches()) {
            List<String> values = new ArrayList<>();
            for (String value : set.group(3).split(",")) {
                if (!value.isBlank()) {
                    values.add(value.strip());
                }
            }
            if (values.isEmpty()) {
                throw ApiStatusException.badRequest("unable to parse requirement: for 'in', 'notin' operators, values set can't be empty");
            }
            String key = checkedKey(set.group(1));
            boolean in = set.group(2).equals("in");
            return labels -> in ? values.contains(labels.get(key)) : !values.contains(labels.get(key));
        }
        Matcher equality = EQUALITY.matcher(part);
        if (equality.matches()) {
            String key = checkedKey(equality.group(1));
            String value = equality.group(3);
            boolean equals = !equality.group(2).equals("!=");
            return labels -> equals ? value.equals(labels.get(key)) : !value.equals(labels.get(key));
        }
        Matcher exists = EXISTS.matcher(part);
        if (exists.matches()) {
            String key = checkedKey(exists.group(2));
            boolean negated = !exists.group(1).isEmpty();
            return labels -> labels.containsKey(key) != negated;
        }
        throw ApiStatusException.badRequest("unable to parse requirement: found '" + part.strip() + "', expected: identifier, '=', '==', '!=', 'in' or 'notin'");
    }

    private static String checkedKey(String key)
    {
        if (!NodeValidation.isQualifiedName(key)) {
            throw ApiStatusException.badRequest("unable to parse requirement: values[0][" + key + "]: Invalid value: \"" + key + "\": " + NodeValidation.QUALIFIED_NAME_MESSAGE);
        }
        return key;
    }

    private static List<String> splitOutsideParentheses(String text)
    {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char character : text.toCharArray()) {
            if (character == '(') {
                depth++;
            }
            else if (character == ')') {
                depth--;
            }
            if (character == ',' && depth == 0) {
                parts.add(current.toString());
                current.setLength(0);
            }
            else {
                current.append(character);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private interface Requirement
    {
        boolean matches(Map<String, String> labels);
    }

    /**
     * The {@code matchLabels} of a PodDisruptionBudget or DaemonSet selector.
     */
    static boolean matchesAll(Map<String, String> matchLabels, Map<String, String> labels)
    {
        return !matchLabels.isEmpty() && labels.entrySet().containsAll(Set.copyOf(matchLabels.entrySet()));
    }
}
