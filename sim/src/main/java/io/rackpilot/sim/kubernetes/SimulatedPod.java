package io.rackpilot.sim.kubernetes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * A Running, Ready pod to seed the simulator with.
 *
 * @param namespace its namespace
 * @param name its name
 * @param nodeName {@code spec.nodeName}
 * @param labels its labels
 * @param annotations its annotations ({@code kubernetes.io/config.mirror} makes a mirror pod)
 * @param owners its {@code metadata.ownerReferences}
 * @param limits its one container's {@code resources.limits} (and requests), such as {@code nvidia.com/gpu: "1"}
 * @param initContainers its init containers, in order
 * @param terminationGracePeriod {@code spec.terminationGracePeriodSeconds}: how long it takes to go once deleted or evicted
 */
public record SimulatedPod(
        String namespace,
        String name,
        String nodeName,
        Map<String, String> labels,
        Map<String, String> annotations,
        List<OwnerReference> owners,
        Map<String, String> limits,
        List<InitContainer> initContainers,
        Duration terminationGracePeriod)
{
    /**
     * An init container: a regular one runs to completion before the app container starts; a
     * sidecar ({@code restartPolicy: Always}) starts in its turn and keeps running beside it.
     *
     * @param limits its {@code resources.limits} (and requests)
     */
    public record InitContainer(String name, Map<String, String> limits, boolean sidecar)
    {
        public InitContainer
        {
            requireNonNull(name, "name is null");
            limits = Map.copyOf(requireNonNull(limits, "limits is null"));
        }
    }

    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(1);

    public SimulatedPod
    {
        requireNonNull(namespace, "namespace is null");
        requireNonNull(name, "name is null");
        requireNonNull(nodeName, "nodeName is null");
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
        annotations = Map.copyOf(requireNonNull(annotations, "annotations is null"));
        owners = List.copyOf(requireNonNull(owners, "owners is null"));
        limits = Map.copyOf(requireNonNull(limits, "limits is null"));
        initContainers = List.copyOf(requireNonNull(initContainers, "initContainers is null"));
        requireNonNull(terminationGracePeriod, "terminationGracePeriod is null");
        if (terminationGracePeriod.isNegative()) {
            throw new IllegalArgumentException("terminationGracePeriod is negative: " + terminationGracePeriod);
        }
    }

    /**
     * A bare pod: no labels, owners, limits or init containers, the default grace period of one second.
     */
    public static SimulatedPod of(String namespace, String name, String nodeName)
    {
        return new SimulatedPod(namespace, name, nodeName, Map.of(), Map.of(), List.of(), Map.of(), List.of(), DEFAULT_GRACE_PERIOD);
    }

    public SimulatedPod withLabels(Map<String, String> newLabels)
    {
        return new SimulatedPod(namespace, name, nodeName, newLabels, annotations, owners, limits, initContainers, terminationGracePeriod);
    }

    public SimulatedPod withAnnotations(Map<String, String> newAnnotations)
    {
        return new SimulatedPod(namespace, name, nodeName, labels, newAnnotations, owners, limits, initContainers, terminationGracePeriod);
    }

    public SimulatedPod withOwner(OwnerReference owner)
    {
        return new SimulatedPod(namespace, name, nodeName, labels, annotations, List.of(owner), limits, initContainers, terminationGracePeriod);
    }

    public SimulatedPod withLimits(Map<String, String> newLimits)
    {
        return new SimulatedPod(namespace, name, nodeName, labels, annotations, owners, newLimits, initContainers, terminationGracePeriod);
    }

    public SimulatedPod withInitContainer(InitContainer initContainer)
    {
        List<InitContainer> newInitContainers = new ArrayList<>(initContainers);
        newInitContainers.add(requireNonNull(initContainer, "initContainer is null"));
        return new SimulatedPod(namespace, name, nodeName, labels, annotations, owners, limits, newInitContainers, terminationGracePeriod);
    }

    public SimulatedPod withTerminationGracePeriod(Duration gracePeriod)
    {
        return new SimulatedPod(namespace, name, nodeName, labels, annotations, owners, limits, initContainers, gracePeriod);
    }
}
