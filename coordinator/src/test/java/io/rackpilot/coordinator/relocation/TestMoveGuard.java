package io.rackpilot.coordinator.relocation;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.reconcile.Homelabs;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.proto.v1.GpuMove;
import io.rackpilot.proto.v1.MoveStep;
import io.rackpilot.proto.v1.StepState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A move notices, from the host-agent's report, that a person changed what it works on, and only
 * from a report made after the step that the change undoes.
 */
class TestMoveGuard
{
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private final HomelabPlan plan = Homelabs.seedPlan();

    @Test
    void theOldVmStartedByHandAfterTheShutdownIsNoticed()
    {
        Homelabs homelab = Homelabs.inSync(NOW);
        GpuMove move = doneThrough(homelab, "detach-old", NOW.minusSeconds(5));
        // The card was detached from 201 (the report says so), and 201 runs again.
        homelab.placeCardInProxmox(0).status(201, "running");
        int attach = index(move, "attach-new");
        assertThat(MoveGuard.interference(move, attach, homelab.build())).contains("VM 201 was started again by someone after the move shut it down");
    }

    @Test
    void theCardGivenToAVmByHandAfterTheDetachIsNoticed()
    {
        Homelabs homelab = Homelabs.inSync(NOW);
        GpuMove move = doneThrough(homelab, "detach-old", NOW.minusSeconds(5));
        homelab.placeCardInProxmox(203).status(201, "stopped");
        assertThat(MoveGuard.interference(move, index(move, "attach-new"), homelab.build()))
                .hasValueSatisfying(problem -> assertThat(problem).contains("VM 203's config was given the card by hand"));
    }

    @Test
    void aReportOlderThanTheStepSaysNothing()
    {
        Homelabs homelab = Homelabs.inSync(NOW);
        // The steps finished after the host-agent's last report: it cannot show what happened since.
        GpuMove move = doneThrough(homelab, "detach-old", NOW.plusSeconds(5));
        homelab.placeCardInProxmox(203);
        assertThat(MoveGuard.interference(move, index(move, "attach-new"), homelab.build())).isEmpty();
    }

    @Test
    void anUndisturbedMoveGoesOn()
    {
        Homelabs homelab = Homelabs.inSync(NOW);
        GpuMove move = doneThrough(homelab, "detach-old", NOW.minusSeconds(5));
        homelab.placeCardInProxmox(0).status(201, "stopped");
        assertThat(MoveGuard.interference(move, index(move, "attach-new"), homelab.build())).isEmpty();
    }

    private GpuMove doneThrough(Homelabs homelab, String last, Instant finishedAt)
    {
        GpuMove planned = new MovePlanner(RelocationTimeouts.defaults()).plan(plan, 1, homelab.build(), plan.gpu("tesla-t4").orElseThrow(), plan.vm(202).orElseThrow());
        GpuMove.Builder move = planned.toBuilder().setId("move-test");
        for (int index = 0; index <= index(planned, last); index++) {
            MoveStep step = move.getSteps(index);
            move.setSteps(index, step.toBuilder().setState(StepState.STEP_STATE_DONE)
                    .setStartedAt(Timestamps.of(finishedAt.minus(Duration.ofMillis(100)))).setFinishedAt(Timestamps.of(finishedAt)));
        }
        return move.build();
    }

    private static int index(GpuMove move, String name)
    {
        for (int index = 0; index < move.getStepsCount(); index++) {
            if (move.getSteps(index).getName().equals(name)) {
                return index;
            }
        }
        throw new AssertionError("no step " + name);
    }
}
