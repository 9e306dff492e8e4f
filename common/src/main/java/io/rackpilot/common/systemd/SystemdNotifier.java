package io.rackpilot.common.systemd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Tells systemd about this daemon ({@code sd_notify}, without libsystemd): {@code READY=1},
 * {@code STATUS=...}, {@code WATCHDOG=1}, {@code STOPPING=1}, as datagrams to the unix socket in
 * {@code NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace).
 * <p>
 * Outside systemd (no {@code NOTIFY_SOCKET}) every call does nothing. A message that cannot be
 * sent is logged (the first failure at WARNING, the rest at FINE) and never thrown: systemd not
 * listening must not stop a daemon. The watchdog is on when {@code WATCHDOG_USEC} is set and
 * {@code WATCHDOG_PID} is absent or this process's pid. Thread-safe.
 */
public final class SystemdNotifier
{
    private static final Logger log = Logger.getLogger(SystemdNotifier.class.getName());

    private final Optional<UnixSocketAddress> socket;
    private final Optional<Duration> watchdogTimeout;
    private final AtomicBoolean warned = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile String lastStatus = "";

    private SystemdNotifier(Optional<UnixSocketAddress> socket, Optional<Duration> watchdogTimeout)
    {
        this.socket = requireNonNull(socket, "socket is null");
        this.watchdogTimeout = requireNonNull(watchdogTimeout, "watchdogTimeout is null");
    }

    /**
     * From this process's environment.
     */
    public static SystemdNotifier fromEnvironment()
    {
        return fromEnvironment(System.getenv());
    }

    /**
     * Reads {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID}. Values systemd
     * would never write (a relative path, a non-numeric timeout) are logged and leave that part off.
     */
    public static SystemdNotifier fromEnvironment(Map<String, String> environment)
    {
        return fromEnvironment(environment, ProcessHandle.current().pid());
    }

    static SystemdNotifier fromEnvironment(Map<String, String> environment, long ownPid)
    {
        requireNonNull(environment, "environment is null");
        String notifySocket = environment.get("NOTIFY_SOCKET");
        if (notifySocket == null || notifySocket.isEmpty()) {
            return disabled();
        }
        Optional<UnixSocketAddress> socket;
        try {
            socket = Optional.of(UnixSocketAddress.parse(notifySocket));
        }
        catch (IllegalArgumentException e) {
            log.warning("NOTIFY_SOCKET: " + e.getMessage() + "; not notifying systemd");
            return disabled();
        }
        return new SystemdNotifier(socket, watchdogTimeout(environment, ownPid));
    }

    /**
     * A notifier that sends nothing.
     */
    public static SystemdNotifier disabled()
    {
        return new SystemdNotifier(Optional.empty(), Optional.empty());
    }

    private static Optional<Duration> watchdogTimeout(Map<String, String> environment, long ownPid)
    {
        String microseconds = environment.get("WATCHDOG_USEC");
        if (microseconds == null || microseconds.isEmpty()) {
            return Optional.empty();
        }
        String pid = environment.get("WATCHDOG_PID");
        if (pid != null && !pid.isEmpty()) {
            try {
                if (Long.parseLong(pid.strip()) != ownPid) {
                    log.fine("WATCHDOG_PID " + pid + " is not this process (" + ownPid + "); the watchdog is another process's");
                    return Optional.empty();
                }
            }
            catch (NumberFormatException e) {
                log.warning("WATCHDOG_PID '" + pid + "' is not a pid; not sending WATCHDOG=1");
                return Optional.empty();
            }
        }
        try {
            long value = Long.parseLong(microseconds.strip());
            if (value <= 0) {
                log.warning("WATCHDOG_USEC '" + microseconds + "' is not positive; not sending WATCHDOG=1");
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(Math.multiplyExact(value, 1000L)));
        }
        catch (NumberFormatException | ArithmeticException e) {
            log.warning("WATCHDOG_USEC '" + microseconds + "' is not a number of microseconds; not sending WATCHDOG=1");
            return Optional.empty();
        }
    }

    /**
     * Whether systemd asked for notifications ({@code NOTIFY_SOCKET} set).
     */
    public boolean enabled()
    {
        return socket.isPresent();
    }

    public Optional<UnixSocketAddress> socket()
    {
        return socket;
    }

    /**
     * How often to send {@code WATCHDOG=1}: half of {@code WATCHDOG_USEC}, as {@code sd_notify(3)}
     * advises; empty when systemd watches no watchdog for this process.
     */
    public Optional<Duration> watchdogInterval()
    {
        return watchdogTimeout.map(timeout -> timeout.dividedBy(2));
    }

    /** {@code READY=1}: startup is finished. */
    public void ready()
    {
        send("READY=1");
    }

    /**
     * {@code STATUS=line}, shown by {@code systemctl status}; remembered as {@link #lastStatus()}.
     * Line breaks become spaces.
     */
    public void status(String line)
    {
        String single = requireNonNull(line, "line is null").replace('\n', ' ').replace('\r', ' ');
        lastStatus = single;
        send("STATUS=" + single);
    }

    /**
     * The last line given to {@link #status(String)}, empty before the first.
     */
    public String lastStatus()
    {
        return lastStatus;
    }

    /** {@code WATCHDOG=1}: this daemon is alive. */
    public void watchdog()
    {
        send("WATCHDOG=1");
    }

    /**
     * {@code STOPPING=1}: shutdown has begun. From now on {@link #isStopping()} is true.
     */
    public void stopping()
    {
        stopping.set(true);
        send("STOPPING=1");
    }

    public boolean isStopping()
    {
        return stopping.get();
    }

    /**
     * Sends one notification ({@code KEY=value} lines, see {@code sd_notify(3)}); does nothing
     * outside systemd, logs a failure and returns.
     */
    public void send(String state)
    {
        requireNonNull(state, "state is null");
        if (socket.isEmpty()) {
            return;
        }
        try {
            UnixDatagramSender.send(socket.get(), state.getBytes(StandardCharsets.UTF_8));
        }
        catch (IOException | RuntimeException | LinkageError e) {
            String message = "cannot notify systemd at NOTIFY_SOCKET=" + socket.get() + " (" + firstLine(state) + "): " + e;
            if (warned.compareAndSet(false, true)) {
                log.warning(message + "; further failures are logged at FINE");
            }
            else {
                log.log(Level.FINE, message);
            }
        }
    }

    private static String firstLine(String state)
    {
        int end = state.indexOf('\n');
        return end < 0 ? state : state.substring(0, end);
    }

    @Override
    public String toString()
    {
        return socket.map(address -> "systemd notifier to " + address + watchdogInterval().map(interval -> ", watchdog every " + interval.toMillis() + " ms").orElse(""))
                .orElse("systemd notifier (not under systemd)");
    }
}
