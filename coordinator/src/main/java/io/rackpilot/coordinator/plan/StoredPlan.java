package io.rackpilot.coordinator.plan;

import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.proto.v1.PlanRevision;

import static java.util.Objects.requireNonNull;

/**
 * A stored plan revision and the plan read from its text.
 */
public record StoredPlan(PlanRevision revision, HomelabPlan plan)
{
    public StoredPlan
    {
        requireNonNull(revision, "revision is null");
        requireNonNull(plan, "plan is null");
    }

    public long number()
    {
        return revision.getRevision();
    }
}
