package io.rackpilot.agent.link;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestBackoff
{
    @Test
    void ceilingDoublesUpToTheMaximum()
    {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.999999);
        long[] expectedCeilings = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
        for (long expected : expectedCeilings) {
            assertThat(backoff.ceiling()).isEqualTo(Duration.ofMillis(expected));
            Duration delay = backoff.nextDelay();
            assertThat(delay).isLessThanOrEqualTo(Duration.ofMillis(expected)).isGreaterThan(Duration.ofMillis(expected - 1));
        }
    }

    @Test
    void fullJitterSpreadsBetweenZeroAndTheCeiling()
    {
        Backoff low = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);
        Backoff middle = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.5);
        assertThat(low.nextDelay()).isEqualTo(Duration.ZERO);
        assertThat(middle.nextDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(middle.nextDelay()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void resetStartsOver()
    {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.5);
        for (int i = 0; i < 10; i++) {
            backoff.nextDelay();
        }
        assertThat(backoff.ceiling()).isEqualTo(Duration.ofSeconds(30));
        backoff.reset();
        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.ceiling()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void manyAttemptsDoNotOverflow()
    {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.999);
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.nextDelay()).isLessThanOrEqualTo(Duration.ofSeconds(30)).isGreaterThanOrEqualTo(Duration.ZERO);
        }
    }

    @Test
    void rejectsNonsense()
    {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), () -> 0.5))
                .hasMessageContaining("initial backoff must be positive");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.5))
                .hasMessageContaining("below the initial");
    }
}
