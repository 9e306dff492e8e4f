package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.KubernetesRestartPodsAction;
import io.rackpilot.proto.v1.KubernetesRestartPodsResult;
import io.rackpilot.proto.v1.KubernetesRestartedPod;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * {@code k8s.node.restart-pods}: deletes the pods on the agent's own Node that match any of the
 * label selectors, then waits until their controllers have replaced each on the Node with a pod
 * that is Running and Ready (see {@link PodRestart}). Nothing is deleted while preparing; a dry
 * run names the pods it would restart.
 */
public final class PodRestartHandler
        implements ActionHandler
{
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration MAXIMUM_TIMEOUT = Duration.ofMinutes(30);
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private final OwnNode ownNode;
    private final Duration pollInterval;
    private final NodeDrain.Waiter waiter;
    private final Clock clock;

    public PodRestartHandler(OwnNode ownNode, Duration pollInterval, NodeDrain.Waiter waiter, Clock clock)
    {
        this.ownNode = requireNonNull(ownNode, "ownNode is null");
        this.pollInterval = requireNonNull(pollInterval, "pollInterval is null");
        this.waiter = requireNonNull(waiter, "waiter is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.KUBERNETES_NODE_RESTART_PODS;
    }

    @Override
    public Duration timeout()
    {
        // the restart ends itself at its own timeout; this is the backstop
        return MAXIMUM_TIMEOUT.plusMinutes(1);
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        return prepare(action, Instant.MAX);
    }

    @Override
    public PreparedAction prepare(Action action, Instant runDeadline)
            throws ActionException
    {
        KubernetesRestartPodsAction restart = action.getKubernetesNodeRestartPods();
        List<String> selectors = selectors(restart);
        Optional<String> namespace = namespace(restart.getNamespace());
        Duration timeout = ActionTimeouts.fitted(timeout(restart), runDeadline, clock);
        String nodeName = ownNode.requireName();
        PodRestart podRestart = new PodRestart(ownNode.requireApi(), nodeName, namespace, selectors, pollInterval, waiter);
        List<Pod> chosen;
        try {
            chosen = podRestart.choose();
        }
        catch (PodRestart.SelectorRefusedException e) {
            throw ActionException.rejected(e.getMessage());
        }
        catch (KubernetesApiException e) {
            throw ActionException.failed(e.getMessage(), e);
        }
        String where = namespace.map(value -> " in namespace " + value).orElse("");
        String summary = chosen.isEmpty()
                ? "no pod on Node " + nodeName + where + " matches " + String.join(" or ", selectors) + ": nothing to restart"
                : "would restart " + chosen.size() + " pod(s) on Node " + nodeName + ": " + chosen.stream().map(Pods::reference).collect(Collectors.joining(", "));
        KubernetesRestartPodsResult.Builder preview = KubernetesRestartPodsResult.newBuilder().setNode(nodeName).setComplete(chosen.isEmpty());
        for (Pod pod : chosen) {
            preview.addMissing(KubernetesRestartedPod.newBuilder()
                    .setNamespace(pod.getMetadata().getNamespace())
                    .setName(pod.getMetadata().getName())
                    .setReason("chosen: would be deleted and awaited"));
        }
        return PreparedAction.of(summary, chosen.isEmpty(), result(preview.build()), () -> {
            PodRestart.Outcome outcome = podRestart.run(chosen, timeout);
            KubernetesRestartPodsResult restarted = outcome.result();
            if (restarted.getComplete()) {
                return new PreparedAction.Applied(true, "restarted " + restarted.getRestartedCount() + " pod(s) on Node " + nodeName + ": "
                        + restarted.getRestartedList().stream().map(pod -> pod.getNamespace() + "/" + pod.getName() + " -> " + pod.getReplacement()).collect(Collectors.joining(", ")),
                        result(restarted));
            }
            String why = outcome.error().map(error -> "stopped: " + error)
                    .orElse(outcome.timedOut() ? "ended at its timeout (" + timeout.toMillis() + " ms)" : "ended");
            throw ActionException.failedPartway("restart of pods on Node " + nodeName + " " + why + " with " + restarted.getMissingCount() + " pod(s) not replaced by a Ready pod: "
                    + restarted.getMissingList().stream().map(pod -> pod.getNamespace() + "/" + pod.getName() + " (" + pod.getReason() + ")").collect(Collectors.joining(", ")),
                    outcome.deletedAny(), result(restarted));
        });
    }

    private static List<String> selectors(KubernetesRestartPodsAction restart)
            throws ActionException
    {
        if (restart.getLabelSelectorsCount() == 0) {
            throw ActionException.rejected("labelSelectors: give at least one label selector, such as app.kubernetes.io/name=nvidia-device-plugin; an empty list would restart every pod on the Node");
        }
        Map<String, String> distinct = new TreeMap<>();
        for (int index = 0; index < restart.getLabelSelectorsCount(); index++) {
            String selector = restart.getLabelSelectors(index).strip();
            if (selector.isEmpty()) {
                throw ActionException.rejected("labelSelectors[" + index + "]: is empty; an empty selector would match every pod on the Node");
            }
            distinct.putIfAbsent(selector, selector);
        }
        return List.copyOf(distinct.keySet());
    }

    private static Optional<String> namespace(String namespace)
            throws ActionException
    {
        if (namespace.isEmpty()) {
            return Optional.empty();
        }
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw ActionException.rejected("namespace: '" + namespace + "' is not a namespace name (lower-case letters, digits and '-', at most 63 characters)");
        }
        return Optional.of(namespace);
    }

    private static Duration timeout(KubernetesRestartPodsAction restart)
            throws ActionException
    {
        return ActionTimeouts.requested(restart.hasTimeout(), restart.getTimeout(), DEFAULT_TIMEOUT, MAXIMUM_TIMEOUT);
    }

    private static ActionResult result(KubernetesRestartPodsResult restarted)
    {
        return ActionResult.newBuilder().setKubernetesNodeRestartPods(restarted).build();
    }
}
