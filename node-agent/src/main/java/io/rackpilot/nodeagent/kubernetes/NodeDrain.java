package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.rackpilot.proto.v1.KubernetesDrainResult;
import io.rackpilot.proto.v1.KubernetesPodReference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Drains the agent's own Node the way {@code kubectl drain} does: cordon it, leave DaemonSet and
 * mirror pods alone, evict the chosen pods through the Eviction API, ask again every
 * {@code evictionRetryInterval} while a PodDisruptionBudget refuses (429), count a pod that is
 * already gone (404) as gone, and wait for evicted pods to disappear. At the timeout it stops and
 * reports the pods still there; the Node stays cordoned and those pods keep running.
 */
public final class NodeDrain
{
    /**
     * How time passes for the drain; tests drive it by hand.
     */
    public interface Waiter
    {
        Waiter REAL = new Waiter()
        {
            @Override
            public long nanoTime()
            {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration duration)
                    throws InterruptedException
            {
                Thread.sleep(Math.max(1, duration.toMillis()));
            }
        };

        long nanoTime();

        void sleep(Duration duration)
                throws InterruptedException;
    }

    /**
     * Notified of every eviction answer, for the metrics.
     */
    public interface EvictionObserver
    {
        EvictionObserver NONE = outcome -> {};

        void answered(KubernetesApi.Eviction.Outcome outcome);
    }

    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final KubernetesApi api;
    private final NodeEditor editor;
    private final Duration evictionRetryInterval;
    private final Waiter waiter;
    private final EvictionObserver observer;

    public NodeDrain(KubernetesApi api, NodeEditor editor, Duration evictionRetryInterval, Waiter waiter, EvictionObserver observer)
    {
        this.api = requireNonNull(api, "api is null");
        this.editor = requireNonNull(editor, "editor is null");
        this.evictionRetryInterval = requireNonNull(evictionRetryInterval, "evictionRetryInterval is null");
        this.waiter = requireNonNull(waiter, "waiter is null");
        this.observer = requireNonNull(observer, "observer is null");
    }

    /**
     * What draining would do, without doing it: the pods it would evict and those it would leave.
     */
    public record Plan(String node, boolean cordoned, List<Pod> chosen, List<KubernetesPodReference> skipped)
    {
        public Plan
        {
            requireNonNull(node, "node is null");
            chosen = List.copyOf(requireNonNull(chosen, "chosen is null"));
            skipped = List.copyOf(requireNonNull(skipped, "skipped is null"));
        }

        public KubernetesDrainResult preview()
        {
            return KubernetesDrainResult.newBuilder()
                    .setNode(node)
                    .addAllChosen(chosen.stream().map(pod -> reference(pod, "")).toList())
                    .addAllSkipped(skipped)
                    .setComplete(cordoned && chosen.isEmpty())
                    .build();
        }
    }

    public Plan plan(String node, PodSelection selection)
            throws KubernetesApiException
    {
        List<Pod> pods = api.podsOn(node, Optional.empty());
        Set<String> matching = selection.labelSelector().isPresent()
                ? api.podsOn(node, selection.labelSelector()).stream().map(Pods::uid).collect(Collectors.toSet())
                : null;
        List<Pod> chosen = new ArrayList<>();
        List<KubernetesPodReference> skipped = new ArrayList<>();
        for (Pod pod : pods) {
            Optional<String> daemonSet = Pods.daemonSet(pod);
            if (Pods.isMirror(pod)) {
                skipped.add(reference(pod, "mirror pod (a static pod of the kubelet)"));
            }
            else if (daemonSet.isPresent()) {
                skipped.add(reference(pod, "DaemonSet pod (" + daemonSet.get() + ")"));
            }
            else if ((matching != null && !matching.contains(Pods.uid(pod))) || !selection.chooses(pod)) {
                skipped.add(reference(pod, selection.whyNot(pod)));
            }
            else {
                chosen.add(pod);
            }
        }
        boolean cordoned = editor.current(node).unschedulable();
        return new Plan(node, cordoned, chosen, skipped);
    }

    private enum Stage
    {
        TO_EVICT,
        TERMINATING,
    }

    private static final class Tracked
    {
        final Pod pod;
        Stage stage = Stage.TO_EVICT;
        long nextAttempt;
        String reason = "";

        Tracked(Pod pod, long now)
        {
            this.pod = pod;
            this.nextAttempt = now;
        }
    }

    /**
     * What a drain did; {@code error} is set when the API failed on the way.
     */
    public record Outcome(KubernetesDrainResult result, Optional<String> error) {}

    public Outcome run(Plan plan, Duration timeout, Optional<Long> gracePeriodSeconds)
            throws InterruptedException
    {
        KubernetesDrainResult.Builder result = KubernetesDrainResult.newBuilder()
                .setNode(plan.node())
                .addAllChosen(plan.chosen().stream().map(pod -> reference(pod, "")).toList())
                .addAllSkipped(plan.skipped());
        long start = waiter.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<String, Tracked> remaining = new LinkedHashMap<>();
        for (Pod pod : plan.chosen()) {
            remaining.put(Pods.reference(pod), new Tracked(pod, start));
        }
        try {
            editor.edit(plan.node(), new NodeChange.SetUnschedulable(true));
            while (true) {
                long now = waiter.nanoTime();
                for (Map.Entry<String, Tracked> entry : List.copyOf(remaining.entrySet())) {
                    Tracked tracked = entry.getValue();
                    if (tracked.stage == Stage.TO_EVICT && now >= tracked.nextAttempt) {
                        evict(tracked, gracePeriodSeconds, now, result, remaining);
                    }
                    else if (tracked.stage == Stage.TERMINATING && isGone(tracked.pod)) {
                        result.addEvicted(reference(tracked.pod, ""));
                        remaining.remove(entry.getKey());
                    }
                }
                if (remaining.isEmpty()) {
                    return new Outcome(result.setComplete(true).build(), Optional.empty());
                }
                now = waiter.nanoTime();
                if (now >= deadline) {
                    break;
                }
                waiter.sleep(Duration.ofNanos(Math.min(POLL_INTERVAL.toNanos(), deadline - now)));
            }
        }
        catch (KubernetesApiException e) {
            remaining.values().forEach(tracked -> result.addBlocked(reference(tracked.pod, tracked.reason.isEmpty() ? "not evicted: the drain stopped" : tracked.reason)));
            return new Outcome(result.setComplete(false).build(), Optional.of(e.getMessage()));
        }
        for (Tracked tracked : remaining.values()) {
            String reason = tracked.stage == Stage.TERMINATING
                    ? "evicted, still terminating when the drain timed out"
                    : tracked.reason;
            result.addBlocked(reference(tracked.pod, reason));
        }
        return new Outcome(result.setComplete(false).build(), Optional.empty());
    }

    private void evict(Tracked tracked, Optional<Long> gracePeriodSeconds, long now, KubernetesDrainResult.Builder result, Map<String, Tracked> remaining)
            throws KubernetesApiException
    {
        Pod pod = tracked.pod;
        KubernetesApi.Eviction answer = api.evict(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), gracePeriodSeconds);
        observer.answered(answer.outcome());
        switch (answer.outcome()) {
            case EVICTED -> {
                tracked.stage = Stage.TERMINATING;
                tracked.reason = "";
            }
            case GONE -> {
                result.addGone(reference(pod, "already gone"));
                remaining.remove(Pods.reference(pod));
            }
            case REFUSED -> {
                tracked.reason = answer.message().isEmpty() ? "the eviction was refused (429)" : answer.message();
                tracked.nextAttempt = now + evictionRetryInterval.toNanos();
            }
        }
    }

    private boolean isGone(Pod pod)
            throws KubernetesApiException
    {
        Optional<Pod> current = api.pod(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        return current.isEmpty() || !Pods.uid(current.get()).equals(Pods.uid(pod));
    }

    private static KubernetesPodReference reference(Pod pod, String reason)
    {
        return KubernetesPodReference.newBuilder()
                .setNamespace(pod.getMetadata().getNamespace())
                .setName(pod.getMetadata().getName())
                .setReason(reason)
                .build();
    }
}
