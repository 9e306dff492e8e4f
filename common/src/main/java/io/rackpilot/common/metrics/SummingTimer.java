package io.rackpilot.common.metrics;

import com.codahale.metrics.Timer;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A Dropwizard timer that also keeps the total of the durations it recorded, so the Prometheus summary
 * gets its {@code _sum} next to {@code _count} (Dropwizard timers keep only a sample of durations).
 * Every way of recording ends in {@link #update(long, TimeUnit)}: {@link Timer.Context#stop()} calls it,
 * and the {@code time(...)} methods are routed through a context here.
 */
final class SummingTimer
        extends Timer
{
    private final LongAdder totalNanoseconds = new LongAdder();

    @Override
    public void update(long duration, TimeUnit unit)
    {
        if (duration >= 0) {
            totalNanoseconds.add(unit.toNanos(duration));
        }
        super.update(duration, unit);
    }

    @Override
    public void update(Duration duration)
    {
        update(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> T time(Callable<T> event)
            throws Exception
    {
        Context context = time();
        try {
            return event.call();
        }
        finally {
            context.stop();
        }
    }

    @Override
    public <T> T timeSupplier(Supplier<T> event)
    {
        Context context = time();
        try {
            return event.get();
        }
        finally {
            context.stop();
        }
    }

    @Override
    public void time(Runnable event)
    {
        Context context = time();
        try {
            event.run();
        }
        finally {
            context.stop();
        }
    }

    double sumSeconds()
    {
        return totalNanoseconds.sum() / 1e9;
    }
}
