package io.rackpilot.common.systemd;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLiveness
{
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Liveness liveness = new Liveness(nanos::get);

    @Test
    void healthyWhileEveryLoopTicksWithinItsAllowance()
    {
        assertThat(liveness.healthy()).isTrue();
        Liveness.Loop inventory = liveness.register("inventory collection", Duration.ofSeconds(90));
        Liveness.Loop link = liveness.register("coordinator link", Duration.ofSeconds(10));
        assertThat(liveness.loops()).containsExactly("inventory collection", "coordinator link");

        advance(Duration.ofSeconds(10));
        assertThat(liveness.healthy()).isTrue();
        advance(Duration.ofMillis(1));
        assertThat(liveness.stalled()).hasValueSatisfying(stall -> {
            assertThat(stall.loop()).isEqualTo("coordinator link");
            assertThat(stall.maxSilence()).isEqualTo(Duration.ofSeconds(10));
            assertThat(stall.silentFor()).isEqualTo(Duration.ofMillis(10_001));
            assertThat(stall.statusLine()).isEqualTo("stuck: coordinator link silent for 10 s");
        });

        link.tick();
        assertThat(liveness.healthy()).isTrue();
        inventory.tick();
        advance(Duration.ofSeconds(85));
        link.tick();
        advance(Duration.ofSeconds(5));
        link.tick();
        assertThat(liveness.healthy()).isTrue();
        advance(Duration.ofSeconds(1));
        link.tick();
        assertThat(liveness.stalled()).map(Liveness.Stall::loop).contains("inventory collection");
        inventory.tick();
        assertThat(liveness.healthy()).isTrue();
    }

    @Test
    void namesTheLoopMostOverItsAllowance()
    {
        liveness.register("short", Duration.ofSeconds(1));
        liveness.register("long", Duration.ofSeconds(30));
        advance(Duration.ofSeconds(40));
        assertThat(liveness.stalled()).map(Liveness.Stall::loop).contains("short");
    }

    @Test
    void aClosedLoopNoLongerCounts()
    {
        Liveness.Loop loop = liveness.register("reconcile", Duration.ofSeconds(1));
        advance(Duration.ofSeconds(2));
        assertThat(liveness.healthy()).isFalse();
        loop.close();
        assertThat(liveness.healthy()).isTrue();
        assertThat(liveness.loops()).isEmpty();
    }

    @Test
    void theAllowanceMustBePositive()
    {
        assertThatThrownBy(() -> liveness.register("x", Duration.ZERO)).hasMessageContaining("maxSilence of loop 'x' must be positive");
    }

    private void advance(Duration duration)
    {
        nanos.addAndGet(duration.toNanos());
    }
}
