package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValues;

import java.util.List;
import java.util.Map;

/**
 * What every Kubernetes node that has a GPU gets, and every other node loses.
 *
 * @param taints taints on GPU nodes ({@code nvidia.com/gpu=true:PreferNoSchedule})
 * @param labels labels on GPU nodes ({@code nvidia.com/gpu.present=true}), in the plan's order
 */
public record GpuNodePolicy(List<Taint> taints, Map<String, String> labels)
{
    public static final GpuNodePolicy NONE = new GpuNodePolicy(List.of(), Map.of());

    public GpuNodePolicy
    {
        taints = ConfigValues.list(taints, "taints");
        labels = ConfigValues.map(labels, "labels");
    }
}
