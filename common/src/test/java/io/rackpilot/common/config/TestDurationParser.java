package io.rackpilot.common.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDurationParser
{
    @Test
    void parsesUnitsAndCombinations()
    {
        assertThat(DurationParser.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationParser.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationParser.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationParser.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationParser.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DurationParser.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationParser.parse("2m30s500ms")).isEqualTo(Duration.ofMillis(150_500));
        assertThat(DurationParser.parse(" 0 ")).isEqualTo(Duration.ZERO);
        assertThat(DurationParser.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void parsesIso8601()
    {
        assertThat(DurationParser.parse("PT5S")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationParser.parse("pt1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationParser.parse("P1D")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void refusesWhatIsNotADuration()
    {
        assertThatThrownBy(() -> DurationParser.parse("5 seconds"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration such as 500ms, 5s, 2m, 1h30m or PT5S, got \"5 seconds\"");
        assertThatThrownBy(() -> DurationParser.parse("5"))
                .hasMessage("expected a duration such as 500ms, 5s, 2m, 1h30m or PT5S, got \"5\" (a duration needs a unit: 5s or 5ms)");
        assertThatThrownBy(() -> DurationParser.parse("30m1h"))
                .hasMessageEndingWith("(write the units once each, largest first)");
        assertThatThrownBy(() -> DurationParser.parse("5s5s"))
                .hasMessageEndingWith("(write the units once each, largest first)");
        assertThatThrownBy(() -> DurationParser.parse("-5s")).hasMessageContaining("got \"-5s\"");
        assertThatThrownBy(() -> DurationParser.parse("PT-5S")).hasMessageEndingWith("(a duration must not be negative)");
        assertThatThrownBy(() -> DurationParser.parse("1.5s")).hasMessageContaining("got \"1.5s\"");
        assertThatThrownBy(() -> DurationParser.parse("")).hasMessageContaining("got \"\"");
        assertThatThrownBy(() -> DurationParser.parse("P")).hasMessageContaining("got \"P\"");
        assertThatThrownBy(() -> DurationParser.parse("99999999999999999999d")).hasMessage("duration \"99999999999999999999d\" is too large");
    }

    @Test
    void formatsTheShortestFormItReadsBack()
    {
        assertThat(DurationParser.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(DurationParser.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(DurationParser.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(DurationParser.format(Duration.ofDays(2).plusSeconds(1))).isEqualTo("2d1s");
        assertThat(DurationParser.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
        for (Duration duration : new Duration[] {Duration.ofMillis(1), Duration.ofHours(25), Duration.ofMillis(3_723_004), Duration.ofNanos(1500)}) {
            assertThat(DurationParser.parse(DurationParser.format(duration))).isEqualTo(duration);
        }
    }
}
