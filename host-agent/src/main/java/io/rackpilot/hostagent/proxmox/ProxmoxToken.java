package io.rackpilot.hostagent.proxmox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A Proxmox VE API token, {@code USER@REALM!TOKENID=SECRET}. The secret never appears in
 * {@link #toString()} nor in any exception message.
 */
public final class ProxmoxToken
{
    private static final Pattern FORM = Pattern.compile("([^\\s@!=]+)@([^\\s@!=]+)!([A-Za-z][A-Za-z0-9._-]*)=(\\S+)");

    private final String user;
    private final String realm;
    private final String tokenId;
    private final String secret;
    private final String source;

    private ProxmoxToken(String user, String realm, String tokenId, String secret, String source)
    {
        this.source = requireNonNull(source, "source is null");
        this.user = requireNonNull(user, "user is null");
        this.realm = requireNonNull(realm, "realm is null");
        this.tokenId = requireNonNull(tokenId, "tokenId is null");
        this.secret = requireNonNull(secret, "secret is null");
    }

    /**
     * Reads the token from a file holding one line {@code USER@REALM!TOKENID=SECRET}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or is malformed
     */
    public static ProxmoxToken read(Path file)
    {
        requireNonNull(file, "file is null");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        }
        catch (IOException e) {
            throw new IllegalArgumentException("cannot read the Proxmox API token file " + file + ": " + e.getClass().getSimpleName(), e);
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the Proxmox API token file " + file + " is empty: expected USER@REALM!TOKENID=SECRET");
        }
        if (text.lines().count() > 1) {
            throw new IllegalArgumentException("the Proxmox API token file " + file + " has more than one line: expected one line USER@REALM!TOKENID=SECRET");
        }
        return parse(text, "the Proxmox API token file " + file);
    }

    public static ProxmoxToken parse(String text, String source)
    {
        requireNonNull(text, "text is null");
        Matcher matcher = FORM.matcher(text.strip());
        if (!matcher.matches()) {
            // Say which part is missing without echoing the text: it may hold the secret.
            String problem;
            if (!text.contains("@")) {
                problem = "no @REALM after the user";
            }
            else if (!text.contains("!")) {
                problem = "no !TOKENID after USER@REALM";
            }
            else if (!text.contains("=")) {
                problem = "no =SECRET after the token id";
            }
            else {
                problem = "malformed";
            }
            throw new IllegalArgumentException(source + " is not a Proxmox API token (" + problem + "): expected USER@REALM!TOKENID=SECRET, e.g. rackpilot@pve!host-agent=<uuid>");
        }
        return new ProxmoxToken(matcher.group(1), matcher.group(2), matcher.group(3), matcher.group(4), source);
    }

    /**
     * {@code USER@REALM!TOKENID}: safe to log.
     */
    public String tokenName()
    {
        return user + "@" + realm + "!" + tokenId;
    }

    /**
     * Where the token came from, e.g. {@code the Proxmox API token file /etc/rackpilot/proxmox-token}.
     */
    public String source()
    {
        return source;
    }

    public String userId()
    {
        return user + "@" + realm;
    }

    /**
     * The value of the {@code Authorization} header.
     */
    String authorizationHeader()
    {
        return "PVEAPIToken=" + tokenName() + "=" + secret;
    }

    @Override
    public String toString()
    {
        return tokenName() + "=<secret>";
    }
}
