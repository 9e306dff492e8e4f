package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValues;

/**
 * @param name what this homelab is called, for people and for messages
 */
public record PlanMetadata(String name)
{
    public PlanMetadata
    {
        name = ConfigValues.requiredText(name, "name");
    }
}
