package io.rackpilot.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a VM is for, written in the plan in lower case with dashes.
 */
public enum VirtualMachineRole
{
    @JsonProperty("gateway")
    GATEWAY("gateway"),
    @JsonProperty("development")
    DEVELOPMENT("development"),
    @JsonProperty("home-automation")
    HOME_AUTOMATION("home-automation"),
    @JsonProperty("kubernetes-control-plane")
    KUBERNETES_CONTROL_PLANE("kubernetes-control-plane"),
    @JsonProperty("kubernetes-worker")
    KUBERNETES_WORKER("kubernetes-worker"),
    @JsonProperty("registry")
    REGISTRY("registry"),
    @JsonProperty("storage")
    STORAGE("storage"),
    @JsonProperty("other")
    OTHER("other");

    private final String planName;

    VirtualMachineRole(String planName)
    {
        this.planName = planName;
    }

    /**
     * The name written in the plan ({@code kubernetes-worker}).
     */
    public String planName()
    {
        return planName;
    }

    /**
     * Whether a VM with this role is a Kubernetes node and so has a {@code kubernetes} block.
     */
    public boolean isKubernetesNode()
    {
        return this == KUBERNETES_CONTROL_PLANE || this == KUBERNETES_WORKER;
    }

    @Override
    public String toString()
    {
        return planName;
    }
}
