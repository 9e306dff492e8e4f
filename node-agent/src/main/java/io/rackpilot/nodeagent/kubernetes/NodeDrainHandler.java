package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.KubernetesDrainAction;
import io.rackpilot.proto.v1.KubernetesDrainResult;
import io.rackpilot.proto.v1.KubernetesPodReference;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * {@code k8s.node.drain}: cordons the agent's own Node and evicts the chosen pods (see
 * {@link NodeDrain}). A drain that ends with pods still on the Node fails, with the result saying
 * which were evicted, skipped and blocked, and why.
 */
public final class NodeDrainHandler
        implements ActionHandler
{
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration MAXIMUM_TIMEOUT = Duration.ofHours(1);

    private final OwnNode ownNode;
    private final Duration evictionRetryInterval;
    private final NodeDrain.Waiter waiter;
    private final NodeDrain.EvictionObserver observer;
    private final Clock clock;

    public NodeDrainHandler(OwnNode ownNode, Duration evictionRetryInterval, NodeDrain.Waiter waiter, NodeDrain.EvictionObserver observer, Clock clock)
    {
        this.clock = requireNonNull(clock, "clock is null");
        this.ownNode = requireNonNull(ownNode, "ownNode is null");
        this.evictionRetryInterval = requireNonNull(evictionRetryInterval, "evictionRetryInterval is null");
        this.waiter = requireNonNull(waiter, "waiter is null");
        this.observer = requireNonNull(observer, "observer is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.KUBERNETES_NODE_DRAIN;
    }

    @Override
    public Duration timeout()
    {
        // the drain ends itself at its own timeout; this is the backstop
        return MAXIMUM_TIMEOUT.plusMinutes(1);
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        return prepare(action, Instant.MAX);
    }

    /**
     * The drain ends by itself a little before the run's deadline (a command whose own timeout is
     * shorter than the drain's), so that its result still says which pods were evicted and which
     * are blocked.
     */
    @Override
    public PreparedAction prepare(Action action, Instant runDeadline)
            throws ActionException
    {
        KubernetesDrainAction drain = action.getKubernetesNodeDrain();
        PodSelection selection = PodSelection.of(drain);
        Duration requested = timeout(drain);
        Duration timeout = ActionTimeouts.fitted(requested, runDeadline, clock);
        boolean shortened = !timeout.equals(requested);
        Optional<Long> gracePeriod = drain.hasGracePeriodSeconds() ? Optional.of(drain.getGracePeriodSeconds()) : Optional.empty();
        if (gracePeriod.isPresent() && gracePeriod.get() < 0) {
            throw ActionException.rejected("gracePeriodSeconds: must not be negative, got " + gracePeriod.get());
        }
        String nodeName = ownNode.requireName();
        KubernetesApi api = ownNode.requireApi();
        NodeDrain nodeDrain = new NodeDrain(api, new NodeEditor(api), evictionRetryInterval, waiter, observer);
        NodeDrain.Plan plan;
        try {
            plan = nodeDrain.plan(nodeName, selection);
        }
        catch (KubernetesApiException e) {
            if (e.code() == 400 && selection.labelSelector().isPresent()) {
                throw ActionException.rejected("labelSelector: the API server refused '" + selection.labelSelector().get() + "': " + e.getMessage());
            }
            throw ActionException.failed(e.getMessage(), e);
        }
        boolean inPlace = plan.cordoned() && plan.chosen().isEmpty();
        String summary = inPlace
                ? "Node " + nodeName + " is cordoned and has no pods to evict" + skippedText(plan.skipped())
                : "would cordon Node " + nodeName + " and evict " + plan.chosen().size() + " pod(s)"
                        + (plan.chosen().isEmpty() ? "" : ": " + plan.chosen().stream().map(Pods::reference).collect(Collectors.joining(", ")))
                        + skippedText(plan.skipped());
        ActionResult preview = result(plan.preview());
        return PreparedAction.of(summary, inPlace, preview, () -> {
            NodeDrain.Outcome outcome = nodeDrain.run(plan, timeout, gracePeriod);
            KubernetesDrainResult drained = outcome.result();
            if (drained.getComplete()) {
                return new PreparedAction.Applied(true, "drained Node " + nodeName + ": evicted " + names(drained.getEvictedList())
                        + (drained.getGoneCount() == 0 ? "" : "; already gone " + names(drained.getGoneList()))
                        + skippedText(drained.getSkippedList()), result(drained));
            }
            String why = outcome.error().map(error -> "stopped: " + error).orElse("ended at its timeout (" + timeout.toSeconds() + " s"
                    + (shortened ? ", cut to fit the command's deadline" : "") + ")");
            throw ActionException.failedPartway("drain of Node " + nodeName + " " + why + " with " + drained.getBlockedCount() + " pod(s) still there: "
                    + drained.getBlockedList().stream().map(pod -> pod.getNamespace() + "/" + pod.getName() + " (" + pod.getReason() + ")").collect(Collectors.joining(", "))
                    + "; the Node stays cordoned", true, result(drained));
        });
    }

    private static Duration timeout(KubernetesDrainAction drain)
            throws ActionException
    {
        return ActionTimeouts.requested(drain.hasTimeout(), drain.getTimeout(), DEFAULT_TIMEOUT, MAXIMUM_TIMEOUT);
    }

    private static String skippedText(List<KubernetesPodReference> skipped)
    {
        return skipped.isEmpty() ? "" : "; left " + skipped.size() + " pod(s) alone: " + skipped.stream()
                .map(pod -> pod.getNamespace() + "/" + pod.getName() + " (" + pod.getReason() + ")")
                .collect(Collectors.joining(", "));
    }

    private static String names(List<KubernetesPodReference> pods)
    {
        return pods.isEmpty() ? "nothing" : pods.stream().map(pod -> pod.getNamespace() + "/" + pod.getName()).collect(Collectors.joining(", "));
    }

    private static ActionResult result(KubernetesDrainResult drained)
    {
        return ActionResult.newBuilder().setKubernetesNodeDrain(drained).build();
    }
}
