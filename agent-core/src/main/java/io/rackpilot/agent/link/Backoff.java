package io.rackpilot.agent.link;

import java.time.Duration;
import java.util.function.DoubleSupplier;

import static java.util.Objects.requireNonNull;

/**
 * Exponential backoff with full jitter: the n-th retry waits a uniformly random time between 0 and
 * min(max, initial * 2^n), so that agents reconnecting after a coordinator restart spread out
 * instead of arriving together.
 */
public final class Backoff
{
    private final Duration initial;
    private final Duration maximum;
    private final DoubleSupplier random;
    private int attempts;

    /**
     * @param random values in [0, 1)
     */
    public Backoff(Duration initial, Duration maximum, DoubleSupplier random)
    {
        this.initial = requireNonNull(initial, "initial is null");
        this.maximum = requireNonNull(maximum, "maximum is null");
        this.random = requireNonNull(random, "random is null");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive");
        }
        if (maximum.compareTo(initial) < 0) {
            throw new IllegalArgumentException("maximum backoff " + maximum + " is below the initial " + initial);
        }
    }

    /**
     * The upper bound of the next wait, without jitter.
     */
    public Duration ceiling()
    {
        long initialNanos = initial.toNanos();
        long maximumNanos = maximum.toNanos();
        int shift = Math.min(attempts, 62);
        long ceiling = initialNanos;
        for (int i = 0; i < shift && ceiling < maximumNanos; i++) {
            ceiling *= 2;
        }
        return Duration.ofNanos(Math.min(ceiling, maximumNanos));
    }

    public Duration nextDelay()
    {
        Duration ceiling = ceiling();
        attempts++;
        return Duration.ofNanos((long) (random.getAsDouble() * ceiling.toNanos()));
    }

    public int attempts()
    {
        return attempts;
    }

    public void reset()
    {
        attempts = 0;
    }
}
