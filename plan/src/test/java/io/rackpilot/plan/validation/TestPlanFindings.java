package io.rackpilot.plan.validation;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPlanFindings
{
    @Test
    void findingsReadLikeCompilerMessages()
    {
        assertThat(PlanFinding.error("homelab.yaml", 97, "spec.vms[4].ip", "10.0.30.5 is not inside 10.0.20.0/24"))
                .hasToString("homelab.yaml:97: spec.vms[4].ip: 10.0.30.5 is not inside 10.0.20.0/24");
        assertThat(PlanFinding.warning("homelab.yaml", 23, "spec.host.memory", "over-committed"))
                .hasToString("homelab.yaml:23: warning: spec.host.memory: over-committed");
        assertThat(PlanFinding.error("homelab.yaml", 0, "", "cannot read: file does not exist"))
                .hasToString("homelab.yaml: cannot read: file does not exist");
        assertThatThrownBy(() -> PlanFinding.error("homelab.yaml", -1, "", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aValidationHoldsThePlanOnlyWithoutErrors()
    {
        PlanFinding error = PlanFinding.error("lab.yaml", 3, "spec", "broken");
        PlanFinding warning = PlanFinding.warning("lab.yaml", 2, "spec.host.memory", "over-committed");

        PlanValidation failed = new PlanValidation(Optional.empty(), List.of(error), List.of(warning));

        assertThat(failed.valid()).isFalse();
        assertThat(failed.findings()).containsExactly(warning, error);
        assertThatThrownBy(() -> new PlanValidation(Optional.empty(), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PlanValidation(Optional.empty(), List.of(warning), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PlanValidation(Optional.empty(), List.of(error), List.of(error)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
