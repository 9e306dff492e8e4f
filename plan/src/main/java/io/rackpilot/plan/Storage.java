package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValues;
import io.rackpilot.common.config.DataSize;

/**
 * A disk (or array) of the host.
 *
 * @param name a name for the disk, unique within the host ({@code ssd-1})
 * @param medium what kind of disk it is
 * @param size its capacity
 */
public record Storage(String name, StorageMedium medium, DataSize size)
{
    public Storage
    {
        name = ConfigValues.requiredText(name, "name");
        medium = ConfigValues.required(medium, "medium");
        size = ConfigValues.required(size, "size");
    }
}
