package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Who may mount an export.
 *
 * @param spec the client as exports(5) writes it: a host, a subnet ({@code 10.0.20.0/24}), a
 *         wildcard ({@code *.lab}) or a netgroup ({@code @k8s})
 * @param options the export options ({@code rw}, {@code sync}, {@code no_root_squash}, {@code anonuid=1000})
 */
public record NfsClient(String spec, List<String> options)
{
    private static final Pattern CLIENT = Pattern.compile("[^\\s(),]+");
    private static final Pattern OPTION = Pattern.compile("[A-Za-z0-9_]+(=[^\\s(),]+)?");

    public NfsClient
    {
        spec = ConfigValues.requiredText(spec, "spec");
        if (!CLIENT.matcher(spec).matches()) {
            throw new ConfigValueException("spec", "expected a host, subnet, wildcard or @netgroup without spaces, commas or parentheses, got \"" + spec + "\"");
        }
        options = ConfigValues.list(options, "options");
        for (int index = 0; index < options.size(); index++) {
            if (!OPTION.matcher(options.get(index)).matches()) {
                throw ConfigValueException.at(List.of("options", index), "expected an export option such as rw or anonuid=1000, got \"" + options.get(index) + "\"");
            }
        }
    }

    /**
     * As in an exports file: {@code 10.0.20.0/24(rw,sync)}.
     */
    @Override
    public String toString()
    {
        return spec + "(" + String.join(",", options) + ")";
    }
}
