package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.proto.v1.KubernetesNodeResult;
import io.rackpilot.proto.v1.KubernetesTaint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * The parts of a Node the agent edits: its taints (in the Node's order), labels and whether it is
 * cordoned. Pure values: a {@link NodeChange} maps one state to the next.
 */
public record NodeState(List<Taint> taints, Map<String, String> labels, boolean unschedulable)
{
    public NodeState
    {
        taints = List.copyOf(requireNonNull(taints, "taints is null"));
        labels = Map.copyOf(requireNonNull(labels, "labels is null"));
    }

    /**
     * @param timeAdded when a NoExecute taint was added (set by Kubernetes' controllers; kept as it
     *        was on taints the agent does not change), or empty
     */
    public record Taint(String key, String value, String effect, String timeAdded)
    {
        public Taint
        {
            requireNonNull(key, "key is null");
            value = value == null ? "" : value;
            requireNonNull(effect, "effect is null");
            timeAdded = timeAdded == null ? "" : timeAdded;
        }

        public Taint(String key, String value, String effect)
        {
            this(key, value, effect, "");
        }

        /**
         * Kubernetes identifies a taint by key and effect: a Node has at most one of each pair.
         */
        public boolean sameSlot(Taint other)
        {
            return key.equals(other.key) && effect.equals(other.effect);
        }

        @Override
        public String toString()
        {
            return key + (value.isEmpty() ? "" : "=" + value) + ":" + effect;
        }

        public KubernetesTaint toProto()
        {
            return KubernetesTaint.newBuilder().setKey(key).setValue(value).setEffect(effect).build();
        }
    }

    public NodeState withTaints(List<Taint> newTaints)
    {
        return new NodeState(newTaints, labels, unschedulable);
    }

    public NodeState withLabels(Map<String, String> newLabels)
    {
        return new NodeState(taints, newLabels, unschedulable);
    }

    public NodeState withUnschedulable(boolean newUnschedulable)
    {
        return new NodeState(taints, labels, newUnschedulable);
    }

    public Map<String, String> labelsWith(String key, String value)
    {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        if (value == null) {
            copy.remove(key);
        }
        else {
            copy.put(key, value);
        }
        return copy;
    }

    public List<Taint> taintsWhere(Predicate<Taint> keep)
    {
        List<Taint> kept = new ArrayList<>();
        for (Taint taint : taints) {
            if (keep.test(taint)) {
                kept.add(taint);
            }
        }
        return kept;
    }

    public KubernetesNodeResult toResult(String nodeName)
    {
        KubernetesNodeResult.Builder result = KubernetesNodeResult.newBuilder()
                .setNode(nodeName)
                .putAllLabels(new TreeMap<>(labels))
                .setUnschedulable(unschedulable);
        taints.forEach(taint -> result.addTaints(taint.toProto()));
        return result.build();
    }

    /**
     * The keys whose labels differ between the two states: what a merge patch has to carry.
     */
    public static Map<String, String> labelChanges(NodeState before, NodeState after)
    {
        Map<String, String> changes = new TreeMap<>();
        for (Map.Entry<String, String> entry : after.labels.entrySet()) {
            if (!Objects.equals(before.labels.get(entry.getKey()), entry.getValue())) {
                changes.put(entry.getKey(), entry.getValue());
            }
        }
        for (String key : before.labels.keySet()) {
            if (!after.labels.containsKey(key)) {
                changes.put(key, null);
            }
        }
        return changes;
    }
}
