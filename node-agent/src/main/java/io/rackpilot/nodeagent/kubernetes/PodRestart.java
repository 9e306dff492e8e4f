package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.rackpilot.proto.v1.KubernetesRestartPodsResult;
import io.rackpilot.proto.v1.KubernetesRestartedPod;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Restarts pods on one Node the way {@code kubectl delete pod} does: each chosen pod is deleted
 * (its own grace period), and its controller (a DaemonSet for the NVIDIA device plugin and GPU
 * feature discovery) creates a new one. The restart is done when, for every deleted pod, a pod with
 * the same controller and a new UID runs on the Node and is Ready. Pods are chosen by label
 * selector (any of several), on this Node only ({@code fieldSelector=spec.nodeName}).
 */
final class PodRestart
{
    private final KubernetesApi api;
    private final String nodeName;
    private final Optional<String> namespace;
    private final List<String> selectors;
    private final Duration pollInterval;
    private final NodeDrain.Waiter waiter;

    PodRestart(KubernetesApi api, String nodeName, Optional<String> namespace, List<String> selectors, Duration pollInterval, NodeDrain.Waiter waiter)
    {
        this.api = requireNonNull(api, "api is null");
        this.nodeName = requireNonNull(nodeName, "nodeName is null");
        this.namespace = requireNonNull(namespace, "namespace is null");
        this.selectors = List.copyOf(requireNonNull(selectors, "selectors is null"));
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.waiter = requireNonNull(waiter, "waiter is null");
    }

    static final class SelectorRefusedException
            extends Exception
    {
        SelectorRefusedException(String message, Throwable cause)
        {
            super(message, cause);
        }
    }

    /**
     * How a restart ended: the result, whether any pod was deleted, whether it was still waiting for
     * a replacement at its timeout, and the error that stopped it early, if one did.
     */
    record Outcome(KubernetesRestartPodsResult result, boolean deletedAny, boolean timedOut, Optional<String> error)
    {
        Outcome
        {
            requireNonNull(result, "result is null");
            requireNonNull(error, "error is null");
        }
    }

    /**
     * The pods on the Node matching any of the selectors, in namespace/name order, without
     * duplicates. A selector the API server refuses (400) is the caller's error.
     */
    List<Pod> choose()
            throws KubernetesApiException, SelectorRefusedException
    {
        Map<String, Pod> chosen = new TreeMap<>();
        for (Pod pod : matching(true)) {
            chosen.putIfAbsent(Pods.reference(pod), pod);
        }
        return List.copyOf(chosen.values());
    }

    private List<Pod> matching(boolean refusalIsSelectorError)
            throws KubernetesApiException, SelectorRefusedException
    {
        Map<String, Pod> byUid = new TreeMap<>();
        for (String selector : selectors) {
            List<Pod> pods;
            try {
                pods = api.podsOn(nodeName, namespace, selector);
            }
            catch (KubernetesApiException e) {
                if (refusalIsSelectorError && e.code() == 400) {
                    throw new SelectorRefusedException("labelSelectors: the API server refused '" + selector + "': " + e.getMessage(), e);
                }
                throw e;
            }
            for (Pod pod : pods) {
                byUid.putIfAbsent(pod.getMetadata().getUid(), pod);
            }
        }
        return List.copyOf(byUid.values());
    }

    /**
     * Deletes the chosen pods, then waits up to the timeout for their replacements.
     */
    Outcome run(List<Pod> chosen, Duration timeout)
            throws InterruptedException
    {
        long deadline = waiter.nanoTime() + timeout.toNanos();
        List<Pod> deleted = new ArrayList<>();
        for (Pod pod : chosen) {
            try {
                api.deletePod(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
                deleted.add(pod);
            }
            catch (KubernetesApiException e) {
                Waited waited = match(deleted, List.of());
                return new Outcome(result(waited, chosen.subList(deleted.size(), chosen.size()), "not deleted: " + e.getMessage()), !deleted.isEmpty(), false, Optional.of(e.getMessage()));
            }
        }
        Set<String> oldUids = new HashSet<>();
        for (Pod pod : chosen) {
            oldUids.add(pod.getMetadata().getUid());
        }
        Waited waited = match(deleted, List.of());
        Optional<String> lastError = Optional.empty();
        while (waited.awaiting() > 0) {
            long left = deadline - waiter.nanoTime();
            if (left <= 0) {
                break;
            }
            waiter.sleep(Duration.ofNanos(Math.min(left, pollInterval.toNanos())));
            try {
                List<Pod> current = matching(false).stream().filter(pod -> !oldUids.contains(pod.getMetadata().getUid())).toList();
                waited = match(deleted, current);
                lastError = Optional.empty();
            }
            catch (KubernetesApiException | SelectorRefusedException e) {
                lastError = Optional.of(e.getMessage());
            }
        }
        KubernetesRestartPodsResult result = result(waited, List.of(), "");
        return new Outcome(result, !deleted.isEmpty(), waited.awaiting() > 0, result.getComplete() ? Optional.empty() : lastError);
    }

    /**
     * Where the replacements stand; {@code awaiting} counts the missing ones a controller will
     * recreate (a pod without one is never replaced: no point waiting for it).
     */
    private record Waited(List<KubernetesRestartedPod> restarted, List<KubernetesRestartedPod> missing, int awaiting) {}

    /**
     * Pairs each deleted pod with a pod of the same controller that is not one of the old ones,
     * preferring a Ready one; each candidate serves one deleted pod.
     */
    private static Waited match(List<Pod> deleted, List<Pod> current)
    {
        List<KubernetesRestartedPod> restarted = new ArrayList<>();
        List<KubernetesRestartedPod> missing = new ArrayList<>();
        Set<String> used = new HashSet<>();
        int awaiting = 0;
        for (Pod pod : deleted) {
            KubernetesRestartedPod.Builder entry = KubernetesRestartedPod.newBuilder()
                    .setNamespace(pod.getMetadata().getNamespace())
                    .setName(pod.getMetadata().getName());
            Optional<String> controller = controllerUid(pod);
            if (controller.isEmpty()) {
                missing.add(entry.setReason("no controller owns it, so nothing recreates it").build());
                continue;
            }
            List<Pod> candidates = current.stream()
                    .filter(candidate -> !used.contains(candidate.getMetadata().getUid()))
                    .filter(candidate -> controllerUid(candidate).equals(controller))
                    .filter(candidate -> candidate.getMetadata().getDeletionTimestamp() == null)
                    .toList();
            Optional<Pod> ready = candidates.stream().filter(PodRestart::isReady).findFirst();
            if (ready.isPresent()) {
                used.add(ready.get().getMetadata().getUid());
                restarted.add(entry.setReplacement(ready.get().getMetadata().getName()).build());
            }
            else if (!candidates.isEmpty()) {
                awaiting++;
                Pod pending = candidates.get(0);
                String phase = pending.getStatus() == null || pending.getStatus().getPhase() == null ? "unknown" : pending.getStatus().getPhase();
                missing.add(entry.setReason("replacement " + pending.getMetadata().getName() + " is not Ready (phase " + phase + ")").build());
            }
            else {
                awaiting++;
                missing.add(entry.setReason("no replacement on the Node yet").build());
            }
        }
        return new Waited(restarted, missing, awaiting);
    }

    private KubernetesRestartPodsResult result(Waited waited, List<Pod> notDeleted, String reason)
    {
        KubernetesRestartPodsResult.Builder result = KubernetesRestartPodsResult.newBuilder()
                .setNode(nodeName)
                .addAllRestarted(waited.restarted())
                .addAllMissing(waited.missing());
        for (Pod pod : notDeleted) {
            result.addMissing(KubernetesRestartedPod.newBuilder().setNamespace(pod.getMetadata().getNamespace()).setName(pod.getMetadata().getName()).setReason(reason));
        }
        return result.setComplete(result.getMissingCount() == 0).build();
    }

    private static Optional<String> controllerUid(Pod pod)
    {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return Optional.empty();
        }
        return owners.stream().filter(owner -> Boolean.TRUE.equals(owner.getController())).map(OwnerReference::getUid).findFirst();
    }

    static boolean isReady(Pod pod)
    {
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase()) || pod.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType())) {
                return "True".equals(condition.getStatus());
            }
        }
        return false;
    }
}
