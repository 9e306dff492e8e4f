package io.rackpilot.agent.command;

import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandResult;

import java.time.Duration;

/**
 * Told about every command that ran to an end (not about answers replayed from the journal).
 */
public interface CommandObserver
{
    void finished(Command command, CommandResult result, Duration duration);
}
