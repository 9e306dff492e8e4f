package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent reads off a pod: how much of an extended resource it holds, and whether it is a
 * DaemonSet or mirror pod (which a drain leaves alone, as kubectl drain does).
 */
public final class Pods
{
    public static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";

    private Pods() {}

    public static String reference(Pod pod)
    {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /**
     * The amount of the resource the pod holds: nothing once it has finished (phase Succeeded or
     * Failed: its containers have ended and the kubelet has released its devices), else its
     * effective request as Kubernetes computes it (see {@link #effectiveRequest}).
     */
    public static long amountOf(Pod pod, String resource)
    {
        return isFinished(pod) ? 0 : effectiveRequest(pod, resource);
    }

    /**
     * Whether the pod has finished: phase Succeeded or Failed. A finished pod stays listed until it
     * is deleted (a Job's pod, the GPU operator's nvidia-cuda-validator) but holds no device.
     */
    public static boolean isFinished(Pod pod)
    {
        String phase = phase(pod);
        return phase.equals(SUCCEEDED) || phase.equals(FAILED);
    }

    /**
     * The pod's effective request for the resource, by Kubernetes' rule (the scheduler's and the
     * kubelet's, "Resource sharing within containers" and "Sidecar containers" in its docs): the
     * larger of
     * <ul>
     * <li>the sum over the app containers plus the sum over the sidecars (init containers with
     * {@code restartPolicy: Always}, which keep running beside them), and</li>
     * <li>the largest need while initialising: for each init container, its own amount plus the
     * sidecars started before it.</li>
     * </ul>
     * Without sidecars this is the classic rule: the larger of the sum of the app containers and
     * the largest init container. A container's amount is the larger of its request and limit (an
     * extended resource such as nvidia.com/gpu may give only the limit, which is then the request).
     */
    public static long effectiveRequest(Pod pod, String resource)
    {
        if (pod.getSpec() == null) {
            return 0;
        }
        long containers = 0;
        for (Container container : list(pod.getSpec().getContainers())) {
            if (container != null) {
                containers = saturatedSum(containers, amount(container.getResources(), resource));
            }
        }
        long sidecars = 0;
        long initialising = 0;
        for (Container container : list(pod.getSpec().getInitContainers())) {
            if (container == null) {
                continue;
            }
            long amount = amount(container.getResources(), resource);
            if (isSidecar(container)) {
                sidecars = saturatedSum(sidecars, amount);
                initialising = Math.max(initialising, sidecars);
            }
            else {
                initialising = Math.max(initialising, saturatedSum(sidecars, amount));
            }
        }
        return Math.max(saturatedSum(containers, sidecars), initialising);
    }

    private static boolean isSidecar(Container initContainer)
    {
        return "Always".equals(initContainer.getRestartPolicy());
    }

    public static boolean isMirror(Pod pod)
    {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(MIRROR_ANNOTATION);
    }

    /**
     * The DaemonSet that controls the pod, if one does.
     */
    public static Optional<String> daemonSet(Pod pod)
    {
        for (OwnerReference owner : list(pod.getMetadata().getOwnerReferences())) {
            if ("DaemonSet".equals(owner.getKind()) && Boolean.TRUE.equals(owner.getController())) {
                return Optional.of(owner.getName());
            }
        }
        return Optional.empty();
    }

    public static String phase(Pod pod)
    {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
    }

    public static String uid(Pod pod)
    {
        return pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
    }

    private static long amount(ResourceRequirements resources, String resource)
    {
        if (resources == null) {
            return 0;
        }
        return Math.max(quantity(resources.getRequests(), resource), quantity(resources.getLimits(), resource));
    }

    private static long quantity(Map<String, Quantity> quantities, String resource)
    {
        if (quantities == null) {
            return 0;
        }
        return wholeAmount(quantities.get(resource), RoundingMode.CEILING);
    }

    /**
     * A quantity as a whole number, rounded as asked; 0 when it is absent, negative or not a
     * quantity at all, {@link Long#MAX_VALUE} when it is more (the API server validates
     * quantities, so neither comes from one).
     */
    static long wholeAmount(Quantity quantity, RoundingMode rounding)
    {
        if (quantity == null) {
            return 0;
        }
        BigDecimal amount;
        try {
            amount = quantity.getNumericalAmount().setScale(0, rounding);
        }
        catch (IllegalArgumentException | ArithmeticException e) {
            return 0;
        }
        if (amount.signum() <= 0) {
            return 0;
        }
        return amount.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : amount.longValue();
    }

    private static long saturatedSum(long left, long right)
    {
        long sum = left + right;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static <T> List<T> list(List<T> values)
    {
        return values == null ? new ArrayList<>() : values;
    }
}
