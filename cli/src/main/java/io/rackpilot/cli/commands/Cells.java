package io.rackpilot.cli.commands;

import com.google.protobuf.Timestamp;
import io.rackpilot.cli.output.ProtoJson;
import io.rackpilot.common.protocol.Timestamps;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Small formatting helpers for the table output.
 */
final class Cells
{
    private Cells() {}

    static String time(Timestamp timestamp)
    {
        if (timestamp.getSeconds() == 0 && timestamp.getNanos() == 0) {
            return "";
        }
        return Timestamps.toInstant(timestamp).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String ago(Timestamp timestamp, Instant now)
    {
        if (timestamp.getSeconds() == 0 && timestamp.getNanos() == 0) {
            return "never";
        }
        Duration elapsed = Duration.between(Timestamps.toInstant(timestamp), now);
        if (elapsed.isNegative()) {
            elapsed = Duration.ZERO;
        }
        long seconds = elapsed.toSeconds();
        if (seconds < 120) {
            return seconds + "s ago";
        }
        if (seconds < 7200) {
            return seconds / 60 + "m ago";
        }
        if (seconds < 172800) {
            return seconds / 3600 + "h ago";
        }
        return seconds / 86400 + "d ago";
    }

    static String bytes(long bytes)
    {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String word(com.google.protobuf.ProtocolMessageEnum value)
    {
        return ProtoJson.enumWord(value.getValueDescriptor());
    }
}
