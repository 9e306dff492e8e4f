package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.proto.v1.KubernetesDrainAction;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Which pods a drain evicts: those that hold a resource (nvidia.com/gpu: a pod that has not finished
 * and requests it), those a label selector matches (the API server matches it), or all.
 */
public sealed interface PodSelection
{
    /**
     * The selector to list pods with, when the API server does the choosing.
     */
    default Optional<String> labelSelector()
    {
        return Optional.empty();
    }

    /**
     * Whether a pod listed with {@link #labelSelector()} is chosen.
     */
    boolean chooses(Pod pod);

    /**
     * Why this pod is not chosen, for the drain's report.
     */
    String whyNot(Pod pod);

    record RequestingResource(String resource)
            implements PodSelection
    {
        public RequestingResource
        {
            requireNonNull(resource, "resource is null");
        }

        @Override
        public boolean chooses(Pod pod)
        {
            return Pods.amountOf(pod, resource) > 0;
        }

        @Override
        public String whyNot(Pod pod)
        {
            if (Pods.isFinished(pod) && Pods.effectiveRequest(pod, resource) > 0) {
                return "finished (phase " + Pods.phase(pod) + "): holds no " + resource;
            }
            return "does not request " + resource;
        }
    }

    record MatchingLabels(String selector)
            implements PodSelection
    {
        public MatchingLabels
        {
            requireNonNull(selector, "selector is null");
        }

        @Override
        public Optional<String> labelSelector()
        {
            return Optional.of(selector);
        }

        @Override
        public boolean chooses(Pod pod)
        {
            return true;
        }

        @Override
        public String whyNot(Pod pod)
        {
            return "does not match " + selector;
        }
    }

    record All()
            implements PodSelection
    {
        @Override
        public boolean chooses(Pod pod)
        {
            return true;
        }

        @Override
        public String whyNot(Pod pod)
        {
            return "";
        }
    }

    /**
     * The selection a drain action names: exactly one of resource, label_selector and all.
     */
    static PodSelection of(KubernetesDrainAction drain)
            throws ActionException
    {
        int given = (drain.getResource().isEmpty() ? 0 : 1) + (drain.getLabelSelector().isEmpty() ? 0 : 1) + (drain.getAll() ? 1 : 0);
        if (given != 1) {
            throw ActionException.rejected("resource, labelSelector, all: give exactly one to say which pods to evict"
                    + (given == 0 ? " (e.g. resource=nvidia.com/gpu)" : ", not " + given));
        }
        if (!drain.getResource().isEmpty()) {
            Optional<String> problem = KubernetesSyntax.qualifiedNameProblem(drain.getResource());
            if (problem.isPresent()) {
                throw ActionException.rejected("resource: " + problem.get());
            }
            return new RequestingResource(drain.getResource());
        }
        if (!drain.getLabelSelector().isEmpty()) {
            return new MatchingLabels(drain.getLabelSelector());
        }
        return new All();
    }
}
