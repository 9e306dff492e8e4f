package io.rackpilot.agent.command;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.agent.action.PingHandler;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.Outcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the agent's handling of a command from the coordinator with Jazzer
 * (see docs/testing.md). The input is a {@link Command} as protobuf bytes, as it arrives on the
 * stream: its id, deadline, dry-run flag, requester and action. Whatever it holds, the executor
 * never throws: a command with an invalid id is ignored, every other command is answered with
 * exactly one result (succeeded, or refused with a message), and its audit line stays one line.
 * Regression inputs:
 * {@code src/test/resources/io/rackpilot/agent/command/TestCommandDecodingFuzzingInputs/submitCommand}.
 */
final class TestCommandDecodingFuzzing
{
    private static final Instant NOW = Instant.parse("2026-12-02T16:00:00Z");

    private static Path journalDirectory;

    @BeforeAll
    static void createJournal()
            throws IOException
    {
        journalDirectory = Files.createTempDirectory("command-fuzzing");
    }

    @AfterAll
    static void deleteJournal()
            throws IOException
    {
        try (Stream<Path> files = Files.walk(journalDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(TestCommandDecodingFuzzing::delete);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void submitCommand(byte[] input)
            throws IOException
    {
        Command command;
        try {
            command = Command.parseFrom(input);
        }
        catch (InvalidProtocolBufferException e) {
            // gRPC refuses such a message before the agent sees it
            return;
        }
        List<AgentMessage> sent = new ArrayList<>();
        List<String> auditLines = new ArrayList<>();
        CommandExecutor executor = new CommandExecutor(
                List.of(new PingHandler("k8s-node1")),
                new CommandJournal(journalDirectory, 8),
                new InlineExecutor(),
                new NeverFiringTimer(),
                sent::add,
                (finished, result, duration) -> auditLines.add(AuditLog.format(finished, result, duration)),
                Clock.fixed(NOW, ZoneOffset.UTC));

        executor.submit(command);

        List<CommandResult> results = sent.stream().filter(AgentMessage::hasCommandResult).map(AgentMessage::getCommandResult).toList();
        if (!CommandJournal.isValidCommandId(command.getId())) {
            assertThat(sent).isEmpty();
            return;
        }
        assertThat(results).hasSize(1);
        CommandResult result = results.get(0);
        assertThat(result.getCommandId()).isEqualTo(command.getId());
        if (result.getOutcome() != Outcome.OUTCOME_SUCCEEDED) {
            assertThat(result.getMessage()).isNotBlank();
        }
        assertThat(executor.runningCount()).isZero();
        for (String line : auditLines) {
            assertThat(line).doesNotContain("\n", "\r");
        }
    }

    private static void delete(Path path)
    {
        try {
            Files.delete(path);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs each command on the caller's thread, so the result is there when submit returns.
     */
    private static final class InlineExecutor
            extends AbstractExecutorService
    {
        @Override
        public void execute(Runnable command)
        {
            command.run();
        }

        @Override
        public void shutdown() {}

        @Override
        public List<Runnable> shutdownNow()
        {
            return List.of();
        }

        @Override
        public boolean isShutdown()
        {
            return false;
        }

        @Override
        public boolean isTerminated()
        {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit)
        {
            return true;
        }
    }

    /**
     * Commands finish inline, before any timeout could fire: nothing is queued, so millions of runs
     * leave nothing behind.
     */
    private static final class NeverFiringTimer
            extends ScheduledThreadPoolExecutor
    {
        NeverFiringTimer()
        {
            super(0);
            setRemoveOnCancelPolicy(true);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit)
        {
            // a timeout that is cancelled before it could fire: the executor may cancel it again
            ScheduledFuture<?> never = super.schedule(() -> {}, 1, TimeUnit.DAYS);
            never.cancel(false);
            return never;
        }
    }
}
