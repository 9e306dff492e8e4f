package io.rackpilot.hostagent.nfs;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * One finished run of exportfs: its arguments, exit code and output.
 */
record ExportfsRun(List<String> command, int exitCode, String stdout, String stderr)
{
    ExportfsRun
    {
        command = List.copyOf(requireNonNull(command, "command is null"));
        requireNonNull(stdout, "stdout is null");
        requireNonNull(stderr, "stderr is null");
    }

    boolean succeeded()
    {
        return exitCode == 0;
    }

    /**
     * {@code exportfs -ra exited with 1: /etc/exports.d/rackpilot.exports line 3: unknown keyword "bogus"}.
     */
    String failure()
    {
        List<String> messages = ExportfsDiagnostics.messages(stderr);
        String detail = messages.isEmpty() ? "no message" : String.join("; ", messages);
        return String.join(" ", command) + " exited with " + exitCode + ": " + detail;
    }
}
