package io.rackpilot.common.tls;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * What a certificate allows its holder to be: an agent on the Proxmox host, an agent on a
 * Kubernetes node, the coordinator, or a person using {@code rackctl}.
 */
public enum IdentityRole
{
    HOST,
    NODE,
    COORDINATOR,
    ADMIN;

    /**
     * The name used in a certificate's URI ({@code rackpilot://node/...}) and on the command line.
     */
    public String uriName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a role as written in a certificate URI: {@code host}, {@code node}, {@code coordinator}
     * or {@code admin} (lower case, exactly).
     */
    public static IdentityRole parse(String uriName)
    {
        requireNonNull(uriName, "uriName is null");
        for (IdentityRole role : values()) {
            if (role.uriName().equals(uriName)) {
                return role;
            }
        }
        throw new IllegalArgumentException("unknown role '" + uriName + "'; expected one of " + allUriNames());
    }

    static String allUriNames()
    {
        return Arrays.stream(values())
                .map(IdentityRole::uriName)
                .collect(Collectors.joining(", "));
    }
}
