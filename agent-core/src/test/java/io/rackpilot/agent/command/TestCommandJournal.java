package io.rackpilot.agent.command;

import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCommandJournal
{
    @TempDir
    Path directory;

    @Test
    void remembersResultsAcrossInstances()
            throws IOException
    {
        CommandResult result = CommandResult.newBuilder().setCommandId("01ABC").setOutcome(Outcome.OUTCOME_SUCCEEDED).setMessage("pong").build();
        new CommandJournal(directory, 10).record(result);

        CommandJournal reopened = new CommandJournal(directory, 10);
        assertThat(reopened.find("01ABC")).contains(result);
        assertThat(reopened.find("01XYZ")).isEmpty();
    }

    @Test
    void remembersThatACommandStartedUntilItsResultIsJournaled()
            throws IOException
    {
        Instant startedAt = Instant.parse("2026-12-02T16:00:00.123Z");
        new CommandJournal(directory, 10).markStarted("01ABC", startedAt);

        CommandJournal reopened = new CommandJournal(directory, 10);
        assertThat(reopened.started("01ABC")).contains(startedAt);
        assertThat(reopened.started("01XYZ")).isEmpty();
        assertThat(reopened.find("01ABC")).isEmpty();

        reopened.record(CommandResult.newBuilder().setCommandId("01ABC").setOutcome(Outcome.OUTCOME_SUCCEEDED).build());
        assertThat(reopened.started("01ABC")).isEmpty();
        assertThat(Files.exists(directory.resolve("01ABC.started"))).isFalse();
    }

    @Test
    void refusesIdsThatCouldEscapeTheDirectory()
    {
        CommandJournal journal = new CommandJournal(directory, 10);
        assertThatThrownBy(() -> journal.find("../etc/passwd")).hasMessageContaining("invalid command id");
        assertThatThrownBy(() -> journal.record(CommandResult.newBuilder().setCommandId("a/b").build())).hasMessageContaining("invalid command id");
        assertThat(CommandJournal.isValidCommandId("")).isFalse();
        assertThat(CommandJournal.isValidCommandId("01JD3X7K9M4Q8R2T6V0W1Y3Z5A")).isTrue();
    }

    @Test
    void prunesTheOldestBeyondTheRetainedCount()
            throws IOException
    {
        CommandJournal journal = new CommandJournal(directory, 3);
        for (int i = 0; i < 5; i++) {
            String id = "cmd" + i;
            journal.record(CommandResult.newBuilder().setCommandId(id).build());
            Files.setLastModifiedTime(directory.resolve(id + ".result"), FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        journal.prune();
        try (Stream<Path> files = Files.list(directory)) {
            assertThat(files.map(path -> path.getFileName().toString()).sorted()).containsExactly("cmd2.result", "cmd3.result", "cmd4.result");
        }
        assertThat(journal.find("cmd0")).isEmpty();
        assertThat(journal.find("cmd4")).isPresent();
    }

    @Test
    void corruptEntryIsAnError()
            throws IOException
    {
        CommandJournal journal = new CommandJournal(directory, 3);
        Files.write(directory.resolve("bad.result"), new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
        assertThatThrownBy(() -> journal.find("bad")).isInstanceOf(IOException.class).hasMessageContaining("corrupt");
    }
}
