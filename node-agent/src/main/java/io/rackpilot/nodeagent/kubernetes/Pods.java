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
 * What the agent reads off a pod: how much of an extended resource it asks for, and whether it is a
 * DaemonSet or mirror pod (which a drain leaves alone, as kubectl drain does).
 */
public final class Pods
{
    public static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    private Pods() {}

    public static String reference(Pod pod)
    {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /**
     * The amount of the resource the pod holds: the sum over its containers of the larger of the
     * request and the limit (extended resources such as nvidia.com/gpu have them equal), or the
     * largest init container's when that is more, as the scheduler counts it.
     */
    public static long amountOf(Pod pod, String resource)
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
        long initContainers = 0;
        for (Container container : list(pod.getSpec().getInitContainers())) {
            if (container != null) {
                initContainers = Math.max(initContainers, amount(container.getResources(), resource));
            }
        }
        return Math.max(containers, initContainers);
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
