package io.rackpilot.common.testing;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPromtool
{
    @Test
    void acceptsAGoodExposition()
    {
        assertThatCode(() -> Promtool.checkMetrics("""
                # HELP rackpilot_things_total Things done.
                # TYPE rackpilot_things_total counter
                rackpilot_things_total{kind="a.b"} 3
                """)).doesNotThrowAnyException();
    }

    @Test
    void failsTheTestWithPromtoolsFindings()
    {
        assertThatThrownBy(() -> Promtool.checkMetrics("""
                # TYPE rackpilot_things counter
                rackpilot_things 3
                """))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("no help text")
                .hasMessageContaining("_total")
                .hasMessageContaining("--- exposition checked ---");
    }

    @Test
    void failsTheTestOnAParseError()
    {
        assertThatThrownBy(() -> Promtool.checkMetrics("rackpilot_things{ 3\n"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("exit code 1");
    }
}
