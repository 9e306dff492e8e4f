package io.rackpilot.common.systemd;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

import java.io.IOException;

/**
 * Sends one datagram to a unix socket through libc ({@code socket}, {@code sendto}, {@code close}):
 * the JDK's {@code DatagramChannel} has no {@code AF_UNIX}. libc is loaded on first use, so a
 * daemon outside systemd never touches native code.
 */
final class UnixDatagramSender
{
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;

    private UnixDatagramSender() {}

    static void send(UnixSocketAddress address, byte[] message)
            throws IOException
    {
        Libc libc = LibcHolder.LIBC;
        int socket;
        try {
            socket = libc.socket(UnixSocketAddress.AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        }
        catch (LastErrorException e) {
            throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed: errno " + e.getErrorCode(), e);
        }
        try {
            byte[] sockaddr = address.sockaddr();
            long sent = libc.sendto(socket, message, new NativeLong(message.length), MSG_DONTWAIT | MSG_NOSIGNAL, sockaddr, address.length()).longValue();
            if (sent != message.length) {
                throw new IOException("sent " + sent + " of " + message.length + " bytes to " + address);
            }
        }
        catch (LastErrorException e) {
            throw new IOException("sendto " + address + " failed: errno " + e.getErrorCode(), e);
        }
        finally {
            try {
                libc.close(socket);
            }
            catch (LastErrorException ignored) {
                // nothing was left to flush: a datagram is sent or not
            }
        }
    }

    interface Libc
            extends Library
    {
        int socket(int domain, int type, int protocol)
                throws LastErrorException;

        NativeLong sendto(int socket, byte[] buffer, NativeLong length, int flags, byte[] address, int addressLength)
                throws LastErrorException;

        int close(int socket)
                throws LastErrorException;
    }

    private static final class LibcHolder
    {
        static final Libc LIBC = Native.load("c", Libc.class);
    }
}
