package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigValues;

/**
 * A Kubernetes taint.
 *
 * @param key the taint key ({@code nvidia.com/gpu})
 * @param value the taint value; empty when not given
 * @param effect what the taint does to pods that do not tolerate it
 */
public record Taint(String key, String value, TaintEffect effect)
{
    public Taint
    {
        key = ConfigValues.requiredText(key, "key");
        value = ConfigValues.orDefault(value, "");
        effect = ConfigValues.required(effect, "effect");
    }

    /**
     * As kubectl writes it: {@code nvidia.com/gpu=true:PreferNoSchedule}.
     */
    @Override
    public String toString()
    {
        return key + (value.isEmpty() ? "" : "=" + value) + ":" + effect.kubernetesName();
    }
}
