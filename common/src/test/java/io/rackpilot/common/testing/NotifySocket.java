package io.rackpilot.common.testing;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.rackpilot.common.systemd.UnixSocketAddress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;


/**
 * What systemd listens on for {@code sd_notify}: an {@code AF_UNIX} datagram socket bound at a
 * path or an abstract {@code @name}, through libc (the JDK has no unix datagram sockets). Tests give
 * {@link #environment()} to the daemon and read what it sent with {@link #receive(Duration)}.
 */
public final class NotifySocket
        implements AutoCloseable
{
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;

    private final Libc libc = LibcHolder.LIBC;
    private final UnixSocketAddress address;
    private final Optional<Path> file;
    private final int socket;
    private final List<String> received = new ArrayList<>();

    private NotifySocket(UnixSocketAddress address, Optional<Path> file)
            throws IOException
    {
        this.address = address;
        this.file = file;
        try {
            socket = libc.socket(UnixSocketAddress.AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        }
        catch (LastErrorException e) {
            throw new IOException("socket failed: errno " + e.getErrorCode(), e);
        }
        try {
            libc.bind(socket, address.sockaddr(), address.length());
        }
        catch (LastErrorException e) {
            libc.close(socket);
            throw new IOException("bind " + address + " failed: errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Bound at {@code file} (which must not exist yet; removed on close).
     */
    public static NotifySocket atPath(Path file)
            throws IOException
    {
        return new NotifySocket(UnixSocketAddress.parse(file.toAbsolutePath().toString()), Optional.of(file));
    }

    /**
     * Bound at a fresh name in the abstract namespace.
     */
    public static NotifySocket abstractName()
            throws IOException
    {
        return new NotifySocket(UnixSocketAddress.parse("@rackpilot-test-notify-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong())), Optional.empty());
    }

    public UnixSocketAddress address()
    {
        return address;
    }

    /**
     * {@code NOTIFY_SOCKET} for a daemon to send here.
     */
    public Map<String, String> environment()
    {
        return Map.of("NOTIFY_SOCKET", address.text());
    }

    /**
     * The next datagram, or empty when none arrives within the timeout.
     */
    public synchronized Optional<String> receive(Duration timeout)
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[4096];
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Optional.empty();
            }
            long micros = Math.max(1, remaining / 1000);
            ByteBuffer timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            timeval.putLong(micros / 1_000_000).putLong(micros % 1_000_000);
            libc.setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, timeval.array(), 16);
            try {
                long length = libc.recv(socket, buffer, new NativeLong(buffer.length), 0).longValue();
                String message = new String(buffer, 0, (int) length, StandardCharsets.UTF_8);
                received.add(message);
                return Optional.of(message);
            }
            catch (LastErrorException e) {
                if (e.getErrorCode() != EAGAIN && e.getErrorCode() != EINTR) {
                    throw new IllegalStateException("recv on " + address + " failed: errno " + e.getErrorCode(), e);
                }
            }
        }
    }

    /**
     * Reads datagrams until one matches; empty when none does within the timeout.
     */
    public Optional<String> awaitMessage(Predicate<String> wanted, Duration timeout)
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return Optional.empty();
            }
            Optional<String> message = receive(Duration.ofNanos(remaining));
            if (message.isPresent() && wanted.test(message.get())) {
                return message;
            }
        }
    }

    /**
     * Every datagram read so far, in order.
     */
    public synchronized List<String> received()
    {
        return List.copyOf(received);
    }

    @Override
    public void close()
            throws IOException
    {
        libc.close(socket);
        if (file.isPresent()) {
            Files.deleteIfExists(file.get());
        }
    }

    interface Libc
            extends Library
    {
        int socket(int domain, int type, int protocol)
                throws LastErrorException;

        int bind(int socket, byte[] address, int addressLength)
                throws LastErrorException;

        int setsockopt(int socket, int level, int option, byte[] value, int valueLength)
                throws LastErrorException;

        NativeLong recv(int socket, byte[] buffer, NativeLong length, int flags)
                throws LastErrorException;

        int close(int socket)
                throws LastErrorException;
    }

    private static final class LibcHolder
    {
        static final Libc LIBC = Native.load("c", Libc.class);
    }
}
