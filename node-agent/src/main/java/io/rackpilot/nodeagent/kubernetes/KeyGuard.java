package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.agent.command.ActionException;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The guard rails of every Node edit: a key must follow Kubernetes' syntax and lie under one of the
 * prefixes the agent is allowed to touch (kubernetes.allowedPrefixes), so that the agent can never
 * remove the kubelet's own labels or a taint someone else set.
 */
public final class KeyGuard
{
    private final List<String> allowedPrefixes;

    public KeyGuard(List<String> allowedPrefixes)
    {
        this.allowedPrefixes = List.copyOf(requireNonNull(allowedPrefixes, "allowedPrefixes is null"));
    }

    public List<String> allowedPrefixes()
    {
        return allowedPrefixes;
    }

    public void checkKey(String field, String key)
            throws ActionException
    {
        Optional<String> problem = KubernetesSyntax.qualifiedNameProblem(key);
        if (problem.isPresent()) {
            throw ActionException.rejected(field + ": " + problem.get());
        }
        if (allowedPrefixes.stream().noneMatch(key::startsWith)) {
            throw ActionException.rejected(field + ": '" + key + "' is outside the prefixes this agent may change ("
                    + String.join(", ", allowedPrefixes) + "); see kubernetes.allowedPrefixes in its configuration");
        }
    }

    public static void checkValue(String field, String value)
            throws ActionException
    {
        Optional<String> problem = KubernetesSyntax.labelValueProblem(value);
        if (problem.isPresent()) {
            throw ActionException.rejected(field + ": " + problem.get());
        }
    }

    public static void checkEffect(String field, String effect)
            throws ActionException
    {
        Optional<String> problem = KubernetesSyntax.taintEffectProblem(effect);
        if (problem.isPresent()) {
            throw ActionException.rejected(field + ": " + problem.get());
        }
    }
}
