package io.rackpilot.coordinator.reconcile;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static java.util.Objects.requireNonNull;

/**
 * How the last command for an action ended when it did not succeed: the agent refused it
 * ({@code rejected}) or it failed, with the agent's message. The reconciler does not issue the same
 * action again before {@code retryAt}; a changed plan makes another action, which is tried at once.
 *
 * @param outcome rejected, failed, timed_out or expired
 */
public record ActionFailure(String agentId, String outcome, String message, Instant since, Instant retryAt)
{
    public ActionFailure
    {
        requireNonNull(agentId, "agentId is null");
        requireNonNull(outcome, "outcome is null");
        requireNonNull(message, "message is null");
        requireNonNull(since, "since is null");
        requireNonNull(retryAt, "retryAt is null");
    }

    /**
     * {@code refused by pve: <why> (since 2026-12-02T16:00:00Z; tried again when the plan changes or at ...)}.
     */
    public String describe()
    {
        String what = outcome.equals("rejected") ? "refused by " + agentId : outcome.replace('_', ' ') + " on " + agentId;
        return what + ": " + (message.isBlank() ? "no reason given" : message.strip()) + " (since " + since.truncatedTo(ChronoUnit.SECONDS) + "; tried again when the plan changes or at " + retryAt.truncatedTo(ChronoUnit.SECONDS) + ")";
    }
}
