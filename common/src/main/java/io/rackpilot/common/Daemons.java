package io.rackpilot.common;

import io.rackpilot.common.systemd.SystemdNotifier;
import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of every daemon's main: run until SIGTERM or SIGINT, then tell systemd
 * {@code STOPPING=1}, close the daemon on the main thread and return the exit code for
 * {@code System.exit}:
 * <ul>
 * <li>0: stopped by SIGTERM or SIGINT and closed cleanly (systemd counts the stop as a success,
 * not the 143 of a JVM killed by SIGTERM);</li>
 * <li>1: stopped, but closing the daemon threw (logged).</li>
 * </ul>
 * Any other end of the JVM ({@code System.exit} elsewhere, SIGHUP) still closes the daemon, in a
 * shutdown hook; the daemon is closed once whichever comes first.
 */
public final class Daemons
{
    private static final Logger log = Logger.getLogger(Daemons.class.getName());

    private Daemons() {}

    /**
     * Outside systemd's notifications: {@link #runUntilStopped(String, AutoCloseable, SystemdNotifier)}
     * with a notifier that sends nothing.
     */
    public static int runUntilStopped(String name, AutoCloseable daemon)
    {
        return runUntilStopped(name, daemon, SystemdNotifier.disabled());
    }

    /**
     * Blocks the calling (main) thread until SIGTERM or SIGINT, then stops the daemon.
     *
     * @return the exit code: 0 when the daemon closed cleanly, 1 when closing it failed
     */
    public static int runUntilStopped(String name, AutoCloseable daemon, SystemdNotifier notifier)
    {
        Stopper stopper = new Stopper(name, daemon, notifier);
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(signal), received -> {
                    log.info("SIG" + received.getName() + ": stopping " + name);
                    stopRequested.countDown();
                });
            }
            catch (IllegalArgumentException e) {
                // the JVM reserved it (-Xrs) or the platform lacks it: the shutdown hook still stops the daemon
                log.log(Level.FINE, "cannot handle SIG" + signal, e);
            }
        }
        Thread hook = new Thread(() -> {
            stopper.stop();
            stopRequested.countDown();
        }, "rackpilot-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopRequested.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.info("interrupted: stopping " + name);
        }
        return stopper.stop() ? 0 : 1;
    }

    private static final class Stopper
    {
        private final String name;
        private final AutoCloseable daemon;
        private final SystemdNotifier notifier;
        private boolean stopped;
        private boolean succeeded;

        Stopper(String name, AutoCloseable daemon, SystemdNotifier notifier)
        {
            this.name = name;
            this.daemon = daemon;
            this.notifier = notifier;
        }

        /**
         * Closes the daemon the first time; later calls wait for that and answer its outcome.
         */
        synchronized boolean stop()
        {
            if (stopped) {
                return succeeded;
            }
            stopped = true;
            notifier.stopping();
            notifier.status("stopping");
            long start = System.nanoTime();
            try {
                daemon.close();
                succeeded = true;
                log.info(name + " stopped in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            }
            catch (Exception e) {
                log.log(Level.WARNING, "stopping " + name + " failed", e);
            }
            return succeeded;
        }
    }
}
