package io.rackpilot.common.tls;

import java.net.URI;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Who is on the other end of a connection, as its certificate says:
 * a role and an id, carried in a URI subject alternative name {@code rackpilot://<role>/<id>}.
 */
public record Identity(IdentityRole role, String id)
{
    public static final String URI_SCHEME = "rackpilot";

    private static final String URI_PREFIX = URI_SCHEME + "://";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public Identity
    {
        requireNonNull(role, "role is null");
        requireNonNull(id, "id is null");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid id '" + id + "': an id is 1 to 63 characters of letters, digits, '.', '_' and '-', "
                    + "starting with a letter or digit");
        }
    }

    /**
     * The URI that names this identity in a certificate, such as {@code rackpilot://node/k8s-node1}.
     */
    public URI toUri()
    {
        return URI.create(URI_PREFIX + role.uriName() + "/" + id);
    }

    /**
     * Parses {@code rackpilot://<role>/<id>}.
     */
    public static Identity fromUri(String uri)
    {
        requireNonNull(uri, "uri is null");
        if (!uri.startsWith(URI_PREFIX)) {
            throw new IllegalArgumentException("identity URI '" + uri + "' does not start with " + URI_PREFIX + " (expected " + URI_PREFIX + "<role>/<id>)");
        }
        return parseRoleAndId(uri.substring(URI_PREFIX.length()), "identity URI '" + uri + "'", URI_PREFIX + "<role>/<id>");
    }

    /**
     * Parses the form {@link #toString()} produces: {@code <role>/<id>}, such as {@code node/k8s-node1}.
     */
    public static Identity parse(String text)
    {
        requireNonNull(text, "text is null");
        return parseRoleAndId(text, "identity '" + text + "'", "<role>/<id>");
    }

    private static Identity parseRoleAndId(String roleAndId, String what, String expectedForm)
    {
        int slash = roleAndId.indexOf('/');
        if (slash < 0 || roleAndId.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException(what + " is not of the form " + expectedForm);
        }
        try {
            return new Identity(IdentityRole.parse(roleAndId.substring(0, slash)), roleAndId.substring(slash + 1));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code <role>/<id>}, such as {@code node/k8s-node1}.
     */
    @Override
    public String toString()
    {
        return role.uriName() + "/" + id;
    }
}
