package io.rackpilot.common.systemd;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Whether a daemon's main loops are still going round: each loop registers with the longest
 * silence it may keep (its period plus a margin; a loop that waits legitimately, for the next
 * scheduled run, ticks at least that often) and ticks every time round. The daemon is live while
 * every registered loop ticked within its allowance; the {@link SystemdWatchdog} sends
 * {@code WATCHDOG=1} only then. Thread-safe; time is monotonic ({@code System.nanoTime} unless a
 * test gives its own).
 */
public final class Liveness
{
    private final LongSupplier nanoTime;
    private final List<Loop> loops = new CopyOnWriteArrayList<>();

    public Liveness()
    {
        this(System::nanoTime);
    }

    public Liveness(LongSupplier nanoTime)
    {
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    }

    /**
     * Registers a loop; it counts as having ticked now.
     *
     * @param name what a person reads in the log and in {@code systemctl status}: "inventory collection"
     * @param maxSilence how long it may go without a tick before the daemon counts as stuck
     */
    public Loop register(String name, Duration maxSilence)
    {
        requireNonNull(name, "name is null");
        requireNonNull(maxSilence, "maxSilence is null");
        if (maxSilence.isNegative() || maxSilence.isZero()) {
            throw new IllegalArgumentException("maxSilence of loop '" + name + "' must be positive, got " + maxSilence);
        }
        Loop loop = new Loop(name, maxSilence, nanoTime.getAsLong());
        loops.add(loop);
        return loop;
    }

    /**
     * The names of the loops registered now, in order of registration.
     */
    public List<String> loops()
    {
        return loops.stream().map(Loop::name).toList();
    }

    /**
     * True when every registered loop ticked within its allowance (and when none is registered).
     */
    public boolean healthy()
    {
        return stalled().isEmpty();
    }

    /**
     * The loop most over its allowance, if any is.
     */
    public Optional<Stall> stalled()
    {
        long now = nanoTime.getAsLong();
        Stall worst = null;
        long worstExcess = 0;
        for (Loop loop : loops) {
            long silentNanos = now - loop.lastTick;
            long excess = silentNanos - loop.maxSilence.toNanos();
            if (excess > 0 && (worst == null || excess > worstExcess)) {
                worst = new Stall(loop.name, Duration.ofNanos(silentNanos), loop.maxSilence);
                worstExcess = excess;
            }
        }
        return Optional.ofNullable(worst);
    }

    /**
     * A loop that has been silent longer than it may be.
     */
    public record Stall(String loop, Duration silentFor, Duration maxSilence)
    {
        public Stall
        {
            requireNonNull(loop, "loop is null");
            requireNonNull(silentFor, "silentFor is null");
            requireNonNull(maxSilence, "maxSilence is null");
        }

        /**
         * "stuck: inventory collection silent for 95 s".
         */
        public String statusLine()
        {
            return "stuck: " + loop + " silent for " + silentFor.toSeconds() + " s";
        }
    }

    /**
     * One registered loop. Closing it unregisters it (its owner stopped).
     */
    public final class Loop
            implements AutoCloseable
    {
        private final String name;
        private final Duration maxSilence;
        private volatile long lastTick;

        private Loop(String name, Duration maxSilence, long lastTick)
        {
            this.name = name;
            this.maxSilence = maxSilence;
            this.lastTick = lastTick;
        }

        public String name()
        {
            return name;
        }

        public Duration maxSilence()
        {
            return maxSilence;
        }

        /** The loop went round once more. */
        public void tick()
        {
            lastTick = nanoTime.getAsLong();
        }

        @Override
        public void close()
        {
            loops.remove(this);
        }
    }
}
