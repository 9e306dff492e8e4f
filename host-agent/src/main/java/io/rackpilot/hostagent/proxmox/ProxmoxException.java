package io.rackpilot.hostagent.proxmox;

import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The Proxmox API said no, or could not be reached. {@link #status()} is the HTTP status, 0 when no
 * answer came; {@link #errors()} holds Proxmox' per-parameter messages.
 */
public final class ProxmoxException
        extends Exception
{
    private final int status;
    private final String apiMessage;
    private final Map<String, String> errors;

    public ProxmoxException(int status, String apiMessage, Map<String, String> errors)
    {
        this(status, apiMessage, errors, null);
    }

    public ProxmoxException(int status, String apiMessage, Map<String, String> errors, Throwable cause)
    {
        super(describe(status, apiMessage, errors), cause);
        this.status = status;
        this.apiMessage = requireNonNull(apiMessage, "apiMessage is null");
        this.errors = Map.copyOf(requireNonNull(errors, "errors is null"));
    }

    private static String describe(int status, String apiMessage, Map<String, String> errors)
    {
        StringBuilder text = new StringBuilder();
        text.append(status == 0 ? "Proxmox API unreachable" : "Proxmox API HTTP " + status).append(": ").append(apiMessage.strip());
        new TreeMap<>(errors).forEach((parameter, message) -> text.append("; ").append(parameter).append(": ").append(message.strip()));
        return text.toString();
    }

    public int status()
    {
        return status;
    }

    public String apiMessage()
    {
        return apiMessage;
    }

    public Map<String, String> errors()
    {
        return errors;
    }

    /**
     * The config changed since the digest given was read.
     */
    public boolean isDigestConflict()
    {
        return apiMessage.contains("detected modified configuration") || errors.values().stream().anyMatch(message -> message.contains("detected modified configuration"));
    }

    /**
     * A raw host PCI address refused because the caller is not root@pam with a ticket.
     */
    public boolean isRawPciRefusal()
    {
        return apiMessage.contains("non-mapped devices") || errors.values().stream().anyMatch(message -> message.contains("non-mapped devices"));
    }
}
