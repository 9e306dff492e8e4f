package io.rackpilot.common.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when told to.
 */
public final class TestingClock
        extends Clock
{
    private volatile Instant now;

    public TestingClock(Instant start)
    {
        this.now = start;
    }

    public void advance(Duration duration)
    {
        now = now.plus(duration);
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone)
    {
        return this;
    }

    @Override
    public Instant instant()
    {
        return now;
    }
}
