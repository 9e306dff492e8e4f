package io.rackpilot.coordinator.commands;

import io.rackpilot.common.testing.TestingClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestCommandIds
{
    @Test
    void idsSortByCreationEvenWithinOneMillisecond()
    {
        TestingClock clock = new TestingClock(Instant.parse("2026-11-24T12:00:00Z"));
        CommandIds ids = new CommandIds(clock);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            created.add(ids.next());
            if (i % 100 == 0) {
                clock.advance(Duration.ofMillis(1));
            }
        }
        assertThat(created).isSorted();
        assertThat(new HashSet<>(created)).hasSize(1000);
        assertThat(created).allMatch(id -> id.matches("[0-9A-HJKMNP-TV-Z]{26}"));
    }

    @Test
    void theTimePartIsTheUlidTimestamp()
    {
        CommandIds ids = new CommandIds(new TestingClock(Instant.ofEpochMilli(0)));
        assertThat(ids.next()).startsWith("0000000000");
        CommandIds later = new CommandIds(new TestingClock(Instant.ofEpochMilli(1469918176385L)));
        assertThat(later.next()).startsWith("01ARYZ6S41");
    }
}
