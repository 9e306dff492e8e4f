package io.rackpilot.plan.validation;

import io.rackpilot.plan.HomelabPlan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@link PlanValidator} found in a plan.
 *
 * @param plan the plan, present exactly when there are no errors
 * @param errors what makes the plan unusable, in line order
 * @param warnings what does not stop the plan but deserves a look, in line order
 */
public record PlanValidation(Optional<HomelabPlan> plan, List<PlanFinding> errors, List<PlanFinding> warnings)
{
    public PlanValidation
    {
        requireNonNull(plan, "plan is null");
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
        if (errors.stream().anyMatch(finding -> finding.severity() != PlanFinding.Severity.ERROR)) {
            throw new IllegalArgumentException("errors holds a finding that is not an error");
        }
        if (warnings.stream().anyMatch(finding -> finding.severity() != PlanFinding.Severity.WARNING)) {
            throw new IllegalArgumentException("warnings holds a finding that is not a warning");
        }
        if (plan.isPresent() != errors.isEmpty()) {
            throw new IllegalArgumentException("the plan is present exactly when there are no errors");
        }
    }

    /**
     * Whether the plan can be used: it has no errors (it may have warnings).
     */
    public boolean valid()
    {
        return errors.isEmpty();
    }

    /**
     * Errors and warnings together, in line order (errors first on the same line), as
     * {@code rackctl plan validate} prints them.
     */
    public List<PlanFinding> findings()
    {
        List<PlanFinding> findings = new ArrayList<>(errors);
        findings.addAll(warnings);
        findings.sort(Comparator.comparingInt(PlanFinding::line).thenComparing(PlanFinding::severity));
        return List.copyOf(findings);
    }
}
