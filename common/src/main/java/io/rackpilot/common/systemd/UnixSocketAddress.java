package io.rackpilot.common.systemd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/**
 * An {@code AF_UNIX} address as systemd writes it in {@code NOTIFY_SOCKET}: a file system path
 * ({@code /run/systemd/notify}) or, starting with {@code @}, a name in Linux's abstract namespace.
 * Encodes {@code struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }}: a path ends
 * with a NUL that the length counts; an abstract name starts with a NUL and has no trailing one, so
 * its length is {@code offsetof(sun_path) + 1 + name length}.
 *
 * @param text the address as given, {@code /path} or {@code @name}
 */
public record UnixSocketAddress(String text)
{
    public static final int AF_UNIX = 1;
    private static final int FAMILY_BYTES = 2;
    private static final int PATH_BYTES = 108;

    public UnixSocketAddress
    {
        requireNonNull(text, "text is null");
        if (!text.startsWith("/") && !text.startsWith("@")) {
            throw new IllegalArgumentException("'" + text + "' is neither an absolute path nor an abstract name starting with @");
        }
        int pathBytes = nameBytes(text).length + 1;
        if (text.length() < 2 && text.startsWith("@")) {
            throw new IllegalArgumentException("'" + text + "' names no abstract socket");
        }
        if (pathBytes > PATH_BYTES) {
            throw new IllegalArgumentException("'" + text + "' is longer than the " + (PATH_BYTES - 1) + " bytes a unix socket address holds");
        }
    }

    public static UnixSocketAddress parse(String text)
    {
        return new UnixSocketAddress(text);
    }

    public boolean isAbstract()
    {
        return text.startsWith("@");
    }

    /**
     * The {@code struct sockaddr_un} (110 bytes, the family in native byte order).
     */
    public byte[] sockaddr()
    {
        ByteBuffer buffer = ByteBuffer.allocate(FAMILY_BYTES + PATH_BYTES).order(ByteOrder.nativeOrder());
        buffer.putShort((short) AF_UNIX);
        if (isAbstract()) {
            buffer.put((byte) 0);
        }
        buffer.put(nameBytes(text));
        // the rest, including a path's terminating NUL, is already zero
        return buffer.array();
    }

    /**
     * The address length to pass with {@link #sockaddr()}.
     */
    public int length()
    {
        // an abstract name: its leading NUL and the name; a path: the path and its trailing NUL
        return FAMILY_BYTES + 1 + nameBytes(text).length;
    }

    private static byte[] nameBytes(String text)
    {
        String name = text.startsWith("@") ? text.substring(1) : text;
        return name.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return text;
    }
}
