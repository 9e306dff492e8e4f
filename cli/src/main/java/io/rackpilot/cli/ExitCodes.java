package io.rackpilot.cli;

/**
 * rackctl's exit codes, documented in docs/cli.md.
 */
public final class ExitCodes
{
    public static final int OK = 0;
    /** The command ran and failed (an action failed, was rejected or timed out). */
    public static final int FAILED = 1;
    /** Bad usage or bad input: unknown flag, unknown agent, a parameter that does not parse. */
    public static final int BAD_INPUT = 2;
    /** The coordinator could not be reached (down, wrong address, TLS handshake refused). */
    public static final int UNREACHABLE = 3;

    private ExitCodes() {}
}
