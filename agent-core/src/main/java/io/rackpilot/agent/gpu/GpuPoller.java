package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Polls a {@link GpuSource} on its own daemon thread ({@value #THREAD_NAME}) every interval (a
 * poll that took longer than the interval is followed by the next one an interval after it
 * returned), and tells the listener after every poll. A poll that has not returned within the timeout (a native
 * NVML call cannot be interrupted) is told to the listener at once as {@code STATE_ERROR} "an NVML
 * call has not returned for ...", with the GPUs known before marked {@code GPU_HEALTH_ERROR} (a lost
 * one stays lost); no other poll starts until it returns, and then polling goes on as before.
 * <p>
 * The listener and the observer are called on the GPU thread, or for a hung poll on the watchdog
 * thread ({@value #WATCHDOG_THREAD_NAME}); never two at once, and always in order. Nothing here
 * blocks its caller: {@link #latest()} answers the last result; {@link #close()} waits at most the
 * timeout for the GPU thread (which closes the source itself once its poll returns).
 */
public final class GpuPoller
        implements AutoCloseable
{
    public static final String THREAD_NAME = "rackpilot-gpu";
    public static final String WATCHDOG_THREAD_NAME = "rackpilot-gpu-watchdog";

    private static final Logger log = Logger.getLogger(GpuPoller.class.getName());

    private final GpuSource source;
    private final Duration interval;
    private final Duration timeout;
    private final Consumer<Gpus> listener;
    private final GpuPollObserver observer;
    private final Clock clock;
    private final Object publishLock = new Object();
    private final Object sleepLock = new Object();
    private final Thread thread;
    private final ScheduledExecutorService watchdog;
    private final AtomicBoolean started = new AtomicBoolean();

    private volatile boolean closed;
    private volatile Gpus latest = Gpus.newBuilder()
            .setNvml(NvmlStatus.newBuilder()
                    .setState(NvmlStatus.State.STATE_UNSPECIFIED)
                    .setMessage("the GPUs have not been read yet"))
            .build();

    public GpuPoller(GpuSource source, Duration interval, Duration timeout, Consumer<Gpus> listener, GpuPollObserver observer, Clock clock)
    {
        this.source = requireNonNull(source, "source is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.observer = requireNonNull(observer, "observer is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        this.thread = new Thread(this::run, THREAD_NAME);
        this.thread.setDaemon(true);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread watchdogThread = new Thread(runnable, WATCHDOG_THREAD_NAME);
            watchdogThread.setDaemon(true);
            return watchdogThread;
        });
    }

    /**
     * Starts polling; the first poll begins at once.
     */
    public void start()
    {
        if (closed) {
            throw new IllegalStateException("the GPU poller is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the GPU poller is already started");
        }
        thread.start();
    }

    /**
     * The result of the last poll (or of the hung one); {@code STATE_UNSPECIFIED} before the first.
     */
    public Gpus latest()
    {
        return latest;
    }

    @Override
    public void close()
    {
        closed = true;
        synchronized (sleepLock) {
            sleepLock.notifyAll();
        }
        watchdog.shutdownNow();
        if (!started.get()) {
            source.close();
            return;
        }
        try {
            thread.join(timeout.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warning("the GPU thread is still in an NVML call; it stops when the call returns");
        }
    }

    private void run()
    {
        try {
            long nextStart = System.nanoTime();
            while (sleepUntil(nextStart)) {
                long startNanos = System.nanoTime();
                pollOnce();
                nextStart = startNanos + interval.toNanos();
                long now = System.nanoTime();
                if (nextStart - now <= 0) {
                    // a poll that took longer than the interval (one that hung): its result is fresh
                    nextStart = now + interval.toNanos();
                }
            }
        }
        finally {
            try {
                source.close();
            }
            catch (RuntimeException | LinkageError e) {
                log.log(Level.WARNING, "closing the GPU source failed", e);
            }
        }
    }

    private void pollOnce()
    {
        Instant start = clock.instant();
        AtomicBoolean finished = new AtomicBoolean();
        ScheduledFuture<?> timer;
        try {
            timer = watchdog.schedule(() -> reportHung(finished), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException e) {
            // closed between the wait and this poll
            return;
        }
        Gpus result;
        try {
            result = source.poll();
        }
        catch (RuntimeException | LinkageError e) {
            log.log(Level.WARNING, "the GPU source failed", e);
            result = Gpus.newBuilder()
                    .setNvml(NvmlStatus.newBuilder()
                            .setState(NvmlStatus.State.STATE_ERROR)
                            .setMessage("reading the GPUs failed: " + e))
                    .build();
        }
        timer.cancel(false);
        long durationNanos = Duration.between(start, clock.instant()).toNanos();
        synchronized (publishLock) {
            boolean wasHung = finished.getAndSet(true);
            if (wasHung) {
                log.info(() -> "the hung NVML call returned after " + Duration.ofNanos(durationNanos).toMillis() + " ms");
            }
            publish(result, result.getNvml().getState() != NvmlStatus.State.STATE_ERROR, durationNanos);
        }
    }

    /**
     * Runs on the watchdog thread when a poll took longer than the timeout.
     */
    private void reportHung(AtomicBoolean finished)
    {
        synchronized (publishLock) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            String message = "an NVML call has not returned for " + describe(timeout);
            log.warning(message);
            publish(hung(latest, message), false, timeout.toNanos());
        }
        // The worker sees finished == true when its poll returns, and then publishes its result
    }

    static Gpus hung(Gpus previous, String message)
    {
        Gpus.Builder gpus = Gpus.newBuilder()
                .setNvml(previous.getNvml().toBuilder()
                        .setState(NvmlStatus.State.STATE_ERROR)
                        .setMessage(message));
        for (Gpu gpu : previous.getItemsList()) {
            Gpu.Builder item = gpu.toBuilder();
            if (gpu.getHealth() != GpuHealth.GPU_HEALTH_LOST) {
                item.setHealth(GpuHealth.GPU_HEALTH_ERROR).setHealthDetail(message);
            }
            gpus.addItems(item);
        }
        return gpus.build();
    }

    static String describe(Duration duration)
    {
        if (duration.toMillis() % 1000 == 0) {
            return duration.toSeconds() + " s";
        }
        return duration.toMillis() + " ms";
    }

    private void publish(Gpus gpus, boolean success, long durationNanos)
    {
        latest = gpus;
        try {
            observer.polled(success, durationNanos);
            listener.accept(gpus);
        }
        catch (RuntimeException e) {
            log.log(Level.WARNING, "a GPU listener failed", e);
        }
    }

    /**
     * Waits until the given {@link System#nanoTime()}; false when the poller closed.
     */
    private boolean sleepUntil(long deadline)
    {
        synchronized (sleepLock) {
            while (!closed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return true;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(sleepLock, remaining);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }
}
