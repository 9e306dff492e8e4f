package io.rackpilot.common;

import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The end of every daemon's main: run until SIGTERM or Ctrl-C, then close the daemon in the
 * shutdown hook, and return once it is closed.
 */
public final class Daemons
{
    private static final Logger log = Logger.getLogger(Daemons.class.getName());

    private Daemons() {}

    public static void runUntilStopped(String name, AutoCloseable daemon)
    {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping " + name);
            try {
                daemon.close();
            }
            catch (Exception e) {
                log.warning("stopping " + name + " failed: " + e);
            }
            finally {
                stopped.countDown();
            }
        }, "rackpilot-shutdown"));
        try {
            stopped.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
