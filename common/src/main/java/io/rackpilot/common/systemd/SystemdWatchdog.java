package io.rackpilot.common.systemd;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Sends {@code WATCHDOG=1} every {@link SystemdNotifier#watchdogInterval()} on a daemon thread of
 * its own ({@value #THREAD_NAME}), but only while the {@link Liveness} is healthy: a daemon whose
 * loop is stuck goes silent, and systemd restarts it once {@code WatchdogSec} runs out. While a loop
 * is stuck, {@code STATUS=stuck: <loop> silent for N s} replaces the status (and the log says so
 * once); when it recovers the last status comes back. Once shutdown has begun
 * ({@link SystemdNotifier#isStopping()}) it pings without asking, since the loops stop as the daemon
 * closes.
 */
public final class SystemdWatchdog
        implements AutoCloseable
{
    public static final String THREAD_NAME = "rackpilot-systemd-watchdog";

    private static final Logger log = Logger.getLogger(SystemdWatchdog.class.getName());

    private final SystemdNotifier notifier;
    private final Liveness liveness;
    private final Optional<ScheduledExecutorService> thread;
    private String reportedStall;

    private SystemdWatchdog(SystemdNotifier notifier, Liveness liveness, Optional<ScheduledExecutorService> thread)
    {
        this.notifier = notifier;
        this.liveness = liveness;
        this.thread = thread;
    }

    /**
     * Starts pinging when systemd watches this process; otherwise returns a watchdog that does
     * nothing.
     */
    public static SystemdWatchdog start(SystemdNotifier notifier, Liveness liveness)
    {
        requireNonNull(notifier, "notifier is null");
        requireNonNull(liveness, "liveness is null");
        Optional<Duration> interval = notifier.watchdogInterval();
        if (interval.isEmpty()) {
            return new SystemdWatchdog(notifier, liveness, Optional.empty());
        }
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread created = new Thread(runnable, THREAD_NAME);
            created.setDaemon(true);
            return created;
        });
        SystemdWatchdog watchdog = new SystemdWatchdog(notifier, liveness, Optional.of(thread));
        long nanos = Math.max(1, interval.get().toNanos());
        thread.scheduleAtFixedRate(watchdog::checkSafely, 0, nanos, TimeUnit.NANOSECONDS);
        log.fine("sending WATCHDOG=1 every " + interval.get().toMillis() + " ms while " + liveness.loops() + " keep going");
        return watchdog;
    }

    /**
     * Whether a thread is pinging (systemd set {@code WATCHDOG_USEC} for this process).
     */
    public boolean running()
    {
        return thread.isPresent() && !thread.get().isShutdown();
    }

    /**
     * One round: {@code WATCHDOG=1} when live, a stuck status otherwise.
     */
    synchronized void check()
    {
        if (notifier.isStopping()) {
            notifier.watchdog();
            return;
        }
        Optional<Liveness.Stall> stall = liveness.stalled();
        if (stall.isEmpty()) {
            if (reportedStall != null) {
                log.info("the " + reportedStall + " loop is going again; telling systemd this daemon is alive");
                reportedStall = null;
                notifier.send("STATUS=" + notifier.lastStatus());
            }
            notifier.watchdog();
            return;
        }
        Liveness.Stall stuck = stall.get();
        if (!stuck.loop().equals(reportedStall)) {
            reportedStall = stuck.loop();
            log.severe("the " + stuck.loop() + " loop has not gone round for " + stuck.silentFor().toSeconds() + " s (it may keep silent "
                    + stuck.maxSilence().toSeconds() + " s): no longer telling systemd this daemon is alive, so its watchdog restarts it");
        }
        notifier.send("STATUS=" + stuck.statusLine());
    }

    private void checkSafely()
    {
        try {
            check();
        }
        catch (RuntimeException e) {
            // one bad round must not end the schedule (and with it every later ping)
            log.log(Level.WARNING, "watchdog round failed", e);
        }
    }

    @Override
    public void close()
    {
        thread.ifPresent(ScheduledExecutorService::shutdownNow);
    }
}
