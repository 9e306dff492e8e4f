package io.rackpilot.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A taint's effect, spelt as Kubernetes spells it.
 */
public enum TaintEffect
{
    @JsonProperty("NoSchedule")
    NO_SCHEDULE("NoSchedule"),
    @JsonProperty("PreferNoSchedule")
    PREFER_NO_SCHEDULE("PreferNoSchedule"),
    @JsonProperty("NoExecute")
    NO_EXECUTE("NoExecute");

    private final String kubernetesName;

    TaintEffect(String kubernetesName)
    {
        this.kubernetesName = kubernetesName;
    }

    public String kubernetesName()
    {
        return kubernetesName;
    }
}
