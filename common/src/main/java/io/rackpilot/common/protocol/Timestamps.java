package io.rackpilot.common.protocol;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;

import java.time.Instant;

/**
 * Conversions between java.time and the protobuf well-known time types.
 */
public final class Timestamps
{
    private Timestamps() {}

    public static Timestamp of(Instant instant)
    {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant toInstant(Timestamp timestamp)
    {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    public static Duration of(java.time.Duration duration)
    {
        return Duration.newBuilder().setSeconds(duration.getSeconds()).setNanos(duration.getNano()).build();
    }

    public static java.time.Duration toDuration(Duration duration)
    {
        return java.time.Duration.ofSeconds(duration.getSeconds(), duration.getNanos());
    }
}
