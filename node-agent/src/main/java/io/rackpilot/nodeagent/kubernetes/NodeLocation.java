package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.proto.v1.KubernetesNodeInfo.FoundBy;
import io.rackpilot.proto.v1.KubernetesNodeInfo.State;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where the agent stands with its own Node: found (by configuration, SMBIOS UUID or InternalIP), or
 * why not.
 */
public record NodeLocation(State state, Optional<String> nodeName, FoundBy foundBy, String problem)
{
    public NodeLocation
    {
        requireNonNull(state, "state is null");
        requireNonNull(nodeName, "nodeName is null");
        requireNonNull(foundBy, "foundBy is null");
        requireNonNull(problem, "problem is null");
    }

    public static NodeLocation found(String nodeName, FoundBy foundBy)
    {
        return new NodeLocation(State.STATE_FOUND, Optional.of(nodeName), foundBy, "");
    }

    public static NodeLocation notFound(String problem)
    {
        return new NodeLocation(State.STATE_NOT_FOUND, Optional.empty(), FoundBy.FOUND_BY_UNSPECIFIED, problem);
    }

    public static NodeLocation notConfigured(String problem)
    {
        return new NodeLocation(State.STATE_NOT_CONFIGURED, Optional.empty(), FoundBy.FOUND_BY_UNSPECIFIED, problem);
    }

    public static NodeLocation unreachable(Optional<String> lastKnownName, String problem)
    {
        return new NodeLocation(State.STATE_UNREACHABLE, lastKnownName, FoundBy.FOUND_BY_UNSPECIFIED, problem);
    }

    public boolean isFound()
    {
        return state == State.STATE_FOUND;
    }
}
