package io.rackpilot.common.nfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The exports(5) options rackpilot accepts, and the meaning of the few it checks after applying. Pure.
 */
public final class ExportOptions
{
    private static final Set<String> FLAGS = Set.of(
            "rw", "ro", "sync", "async", "secure", "insecure", "wdelay", "no_wdelay", "hide", "nohide",
            "crossmnt", "nocrossmnt", "subtree_check", "no_subtree_check", "insecure_locks", "secure_locks",
            "auth_nlm", "no_auth_nlm", "root_squash", "no_root_squash", "all_squash", "no_all_squash",
            "mountpoint", "mp", "pnfs", "no_pnfs", "security_label", "nordirplus", "acl", "no_acl");

    // options of one group say opposite things: at most one of a group may be given
    private static final Map<String, String> GROUPS = groups(List.of(
            List.of("rw", "ro"),
            List.of("sync", "async"),
            List.of("secure", "insecure"),
            List.of("wdelay", "no_wdelay"),
            List.of("hide", "nohide"),
            List.of("crossmnt", "nocrossmnt"),
            List.of("subtree_check", "no_subtree_check"),
            List.of("secure_locks", "auth_nlm", "insecure_locks", "no_auth_nlm"),
            List.of("root_squash", "no_root_squash"),
            List.of("all_squash", "no_all_squash"),
            List.of("mountpoint", "mp"),
            List.of("pnfs", "no_pnfs"),
            List.of("acl", "no_acl")));

    private static final Set<String> SECURITY_FLAVORS = Set.of("sys", "krb5", "krb5i", "krb5p");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,10}");
    private static final Pattern UUID = Pattern.compile("[0-9A-Fa-f:-]+");
    private static final Pattern LOCATIONS = Pattern.compile("[A-Za-z0-9/_.:@+\\[\\]-]+");

    private ExportOptions() {}

    /**
     * One message per bad option, each starting with {@code field} and the option's index.
     */
    public static List<String> problems(String field, List<String> options)
    {
        return findings(field, options).stream().map(NfsExportRules.Problem::toString).toList();
    }

    /**
     * One problem per bad option, its field {@code field} with the option's index.
     */
    static List<NfsExportRules.Problem> findings(String field, List<String> options)
    {
        List<NfsExportRules.Problem> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int index = 0; index < options.size(); index++) {
            String option = options.get(index);
            String optionField = field + "[" + index + "]";
            Optional<String> problem = problem(option);
            if (problem.isPresent()) {
                problems.add(new NfsExportRules.Problem(optionField, problem.get()));
                continue;
            }
            String name = name(option);
            String group = GROUPS.getOrDefault(name, name);
            Integer earlier = seen.putIfAbsent(group, index);
            if (earlier != null) {
                String other = options.get(earlier);
                if (name(other).equals(name)) {
                    problems.add(new NfsExportRules.Problem(optionField, "option '" + name + "' is given twice (also " + field + "[" + earlier + "])"));
                }
                else {
                    problems.add(new NfsExportRules.Problem(optionField, "option '" + option + "' contradicts '" + other + "' (" + field + "[" + earlier + "])"));
                }
            }
        }
        return List.copyOf(problems);
    }

    private static Optional<String> problem(String option)
    {
        if (option.isEmpty()) {
            return Optional.of("export option is empty");
        }
        for (int index = 0; index < option.length(); index++) {
            char character = option.charAt(index);
            if (Character.isWhitespace(character) || Character.isISOControl(character) || "(),'\"`\\#".indexOf(character) >= 0) {
                return Optional.of("export option '" + Texts.printable(option) + "' contains '" + Texts.printable(String.valueOf(character)) + "'");
            }
        }
        int equals = option.indexOf('=');
        if (equals < 0) {
            if (FLAGS.contains(option)) {
                return Optional.empty();
            }
            return Optional.of("unknown export option '" + option + "'");
        }
        String name = option.substring(0, equals);
        String value = option.substring(equals + 1);
        return switch (name) {
            case "anonuid", "anongid" -> NUMBER.matcher(value).matches() && Long.parseLong(value) <= 0xFFFF_FFFFL
                    ? Optional.empty()
                    : Optional.of("export option '" + option + "' needs a numeric id");
            case "fsid" -> fsidProblem(option, value);
            case "sec" -> securityProblem(option, value);
            case "mountpoint" -> value.startsWith("/") && ExportPaths.problem(value).isEmpty()
                    ? Optional.empty()
                    : Optional.of("export option '" + option + "' needs a normalised absolute path");
            case "refer", "replicas" -> LOCATIONS.matcher(value).matches() && value.contains("@")
                    ? Optional.empty()
                    : Optional.of("export option '" + option + "' needs locations such as /path@server");
            default -> Optional.of("unknown export option '" + option + "'");
        };
    }

    private static Optional<String> fsidProblem(String option, String value)
    {
        if (value.equals("root") || NUMBER.matcher(value).matches() && Long.parseLong(value) <= 0xFFFF_FFFFL) {
            return Optional.empty();
        }
        if (UUID.matcher(value).matches() && value.replace("-", "").replace(":", "").length() == 32) {
            return Optional.empty();
        }
        return Optional.of("export option '" + option + "' needs a number, 'root' or a UUID");
    }

    private static Optional<String> securityProblem(String option, String value)
    {
        for (String flavor : value.split(":", -1)) {
            if (!SECURITY_FLAVORS.contains(flavor)) {
                return Optional.of("export option '" + option + "' has unknown security flavor '" + flavor + "' (known: sys, krb5, krb5i, krb5p)");
            }
        }
        return Optional.empty();
    }

    public static String name(String option)
    {
        int equals = option.indexOf('=');
        return equals < 0 ? option : option.substring(0, equals);
    }

    /**
     * "rw" or "ro": what a client gets with these options (exports(5): ro unless rw is given).
     */
    public static String access(List<String> options)
    {
        String access = "ro";
        for (String option : options) {
            if (option.equals("rw") || option.equals("ro")) {
                access = option;
            }
        }
        return access;
    }

    /**
     * "root_squash" or "no_root_squash" (exports(5): root_squash unless no_root_squash is given).
     */
    public static String rootSquash(List<String> options)
    {
        String squash = "root_squash";
        for (String option : options) {
            if (option.equals("root_squash") || option.equals("no_root_squash")) {
                squash = option;
            }
        }
        return squash;
    }

    private static Map<String, String> groups(List<List<String>> groups)
    {
        Map<String, String> byName = new HashMap<>();
        for (List<String> group : groups) {
            for (String name : group) {
                byName.put(name, group.get(0));
            }
        }
        return Map.copyOf(byName);
    }
}
