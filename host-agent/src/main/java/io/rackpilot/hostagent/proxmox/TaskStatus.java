package io.rackpilot.hostagent.proxmox;

import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /nodes/{node}/tasks/{upid}/status}: {@code status} running or stopped; once stopped,
 * {@code exitstatus} {@code OK} or {@code WARNINGS: N} is success, anything else is the error.
 */
public record TaskStatus(String upid, String status, Optional<String> exitStatus)
{
    private static final Pattern WARNINGS = Pattern.compile("WARNINGS: \\d+");

    public TaskStatus
    {
        requireNonNull(upid, "upid is null");
        requireNonNull(status, "status is null");
        requireNonNull(exitStatus, "exitStatus is null");
    }

    public boolean running()
    {
        return status.equals("running");
    }

    public boolean succeeded()
    {
        return !running() && exitStatus.map(exit -> exit.equals("OK") || WARNINGS.matcher(exit).matches()).orElse(false);
    }
}
