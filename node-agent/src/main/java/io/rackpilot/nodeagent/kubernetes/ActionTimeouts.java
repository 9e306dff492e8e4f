package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.agent.command.ActionException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The timeout of a long Kubernetes action (drain, restart of pods): the one asked for, checked,
 * and cut to end a little before the command's own deadline, so that the action still reports
 * what it did instead of being cut off.
 */
final class ActionTimeouts
{
    private static final Duration DEADLINE_MARGIN = Duration.ofSeconds(2);

    private ActionTimeouts() {}

    /**
     * @param requested the action's timeout field, when set
     * @throws ActionException rejected, naming {@code timeout}, when it is not above 0 or above the maximum
     */
    static Duration requested(boolean set, com.google.protobuf.Duration requested, Duration defaultTimeout, Duration maximum)
            throws ActionException
    {
        if (!set) {
            return defaultTimeout;
        }
        Duration timeout = Duration.ofSeconds(requested.getSeconds(), requested.getNanos());
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(maximum) > 0) {
            throw ActionException.rejected("timeout: must be above 0 and at most " + maximum.toMinutes() + " min, got " + timeout.toSeconds() + " s");
        }
        return timeout;
    }

    /**
     * {@code requested}, or less when the command's deadline ({@code Instant.MAX}: none) comes first.
     */
    static Duration fitted(Duration requested, Instant runDeadline, Clock clock)
    {
        if (runDeadline.equals(Instant.MAX)) {
            return requested;
        }
        Duration left = Duration.between(clock.instant(), runDeadline).minus(DEADLINE_MARGIN);
        if (left.compareTo(requested) >= 0) {
            return requested;
        }
        return left.isNegative() ? Duration.ZERO : left;
    }
}
