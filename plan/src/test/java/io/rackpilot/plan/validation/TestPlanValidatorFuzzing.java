package io.rackpilot.plan.validation;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the plan loader and validator with Jazzer (see docs/testing.md).
 * The input is the plan's text. The validator answers every text with findings and never throws;
 * the loader answers with a plan or a {@link ConfigException} that says what is wrong. Regression
 * inputs: {@code src/test/resources/io/rackpilot/plan/validation/TestPlanValidatorFuzzingInputs/validatePlan}.
 */
final class TestPlanValidatorFuzzing
{
    private static final String SOURCE = "plan.yaml";

    @FuzzTest(maxDuration = "30s")
    void validatePlan(byte[] input)
    {
        String yaml = new String(input, StandardCharsets.UTF_8);

        PlanValidation validation = PlanValidator.validate(yaml, SOURCE);
        for (PlanFinding finding : validation.findings()) {
            assertThat(finding.message()).isNotBlank();
            assertThat(finding.sourceName()).isEqualTo(SOURCE);
            assertThat(finding.line()).isNotNegative();
        }

        HomelabPlan plan;
        try {
            plan = PlanLoader.parse(yaml, SOURCE);
        }
        catch (ConfigException e) {
            assertThat(e.problem()).isNotBlank();
            assertThat(e.getMessage()).startsWith(SOURCE);
            assertThat(validation.valid()).isFalse();
            return;
        }
        assertThat(plan).isNotNull();
        if (validation.valid()) {
            assertThat(validation.plan()).contains(plan);
        }
    }
}
