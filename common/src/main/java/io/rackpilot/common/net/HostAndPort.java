package io.rackpilot.common.net;

import java.net.InetSocketAddress;

import static java.util.Objects.requireNonNull;

/**
 * A "host:port" address as operators write it: {@code devvm:7450}, {@code 10.0.10.5:7450},
 * {@code [::1]:7450}, {@code 0.0.0.0:9452}.
 */
public record HostAndPort(String host, int port)
{
    public HostAndPort
    {
        requireNonNull(host, "host is null");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /**
     * Parses "host:port"; the port may be omitted when a default is given (defaultPort >= 0).
     */
    public static HostAndPort parse(String text, int defaultPort)
    {
        requireNonNull(text, "text is null");
        String value = text.strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("address is empty (expected host:port)");
        }
        String host;
        String portText = null;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address '" + text + "' has '[' without ']'");
            }
            host = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("address '" + text + "' is not [host]:port");
                }
                portText = rest.substring(1);
            }
        }
        else {
            int colon = value.lastIndexOf(':');
            if (colon >= 0 && value.indexOf(':') != colon) {
                throw new IllegalArgumentException("address '" + text + "': write IPv6 addresses as [address]:port");
            }
            host = colon < 0 ? value : value.substring(0, colon);
            portText = colon < 0 ? null : value.substring(colon + 1);
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("address '" + text + "' has no port (expected host:port)");
            }
            port = defaultPort;
        }
        else {
            try {
                port = Integer.parseInt(portText);
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("address '" + text + "' has a port that is not a number: '" + portText + "'");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("address '" + text + "' has no host");
        }
        try {
            return new HostAndPort(host, port);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address '" + text + "': " + e.getMessage());
        }
    }

    public InetSocketAddress toSocketAddress()
    {
        return new InetSocketAddress(host, port);
    }

    public HostAndPort withPort(int newPort)
    {
        return new HostAndPort(host, newPort);
    }

    @Override
    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
