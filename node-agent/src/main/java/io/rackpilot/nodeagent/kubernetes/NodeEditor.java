package io.rackpilot.nodeagent.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.rackpilot.nodeagent.kubernetes.NodeState.Taint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Read, change, write for the agent's own Node: reads the Node, applies a {@link NodeChange} to what
 * it read, and sends a JSON merge patch of only what differs, carrying the resourceVersion it read.
 * A concurrent edit makes the API server answer 409; the editor then reads again and retries, up to
 * {@link #MAXIMUM_ATTEMPTS} times. A change already in place sends nothing.
 */
public final class NodeEditor
{
    public static final int MAXIMUM_ATTEMPTS = 5;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KubernetesApi api;

    public NodeEditor(KubernetesApi api)
    {
        this.api = requireNonNull(api, "api is null");
    }

    public record Edited(NodeState before, NodeState after, boolean changed, int attempts) {}

    public Edited edit(String nodeName, NodeChange change)
            throws KubernetesApiException
    {
        KubernetesApiException lastConflict = null;
        for (int attempt = 1; attempt <= MAXIMUM_ATTEMPTS; attempt++) {
            Node node = read(nodeName);
            NodeState before = stateOf(node);
            NodeState after = change.applyTo(before);
            if (after.equals(before)) {
                return new Edited(before, after, false, attempt);
            }
            try {
                Node patched = api.patchNode(nodeName, node.getMetadata().getResourceVersion(), mergePatch(before, after));
                return new Edited(before, stateOf(patched), true, attempt);
            }
            catch (KubernetesApiException e) {
                if (!e.conflict()) {
                    throw e;
                }
                lastConflict = e;
            }
        }
        throw new KubernetesApiException("Node " + nodeName + " kept changing under the edit (" + change.describe() + "): gave up after "
                + MAXIMUM_ATTEMPTS + " conflicts; last: " + lastConflict.getMessage(), lastConflict.code(), lastConflict);
    }

    public NodeState current(String nodeName)
            throws KubernetesApiException
    {
        return stateOf(read(nodeName));
    }

    private Node read(String nodeName)
            throws KubernetesApiException
    {
        return api.node(nodeName).orElseThrow(() -> new KubernetesApiException("Node " + nodeName + " does not exist (any more)", 404, null));
    }

    public static NodeState stateOf(Node node)
    {
        NodeSpec spec = node.getSpec();
        List<Taint> taints = new ArrayList<>();
        if (spec != null && spec.getTaints() != null) {
            for (io.fabric8.kubernetes.api.model.Taint taint : spec.getTaints()) {
                taints.add(new Taint(taint.getKey(), taint.getValue(), taint.getEffect(), taint.getTimeAdded()));
            }
        }
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        boolean unschedulable = spec != null && Boolean.TRUE.equals(spec.getUnschedulable());
        return new NodeState(taints, labels, unschedulable);
    }

    /**
     * A JSON merge patch (RFC 7386) from one state to the other: the whole taint list when it
     * changed (merge patches replace lists), only the labels that changed (null removes one), and
     * unschedulable when it changed.
     */
    static ObjectNode mergePatch(NodeState before, NodeState after)
    {
        ObjectNode patch = MAPPER.createObjectNode();
        Map<String, String> labelChanges = NodeState.labelChanges(before, after);
        if (!labelChanges.isEmpty()) {
            ObjectNode labels = patch.putObject("metadata").putObject("labels");
            labelChanges.forEach((key, value) -> {
                if (value == null) {
                    labels.putNull(key);
                }
                else {
                    labels.put(key, value);
                }
            });
        }
        if (!before.taints().equals(after.taints())) {
            ObjectNode spec = patch.withObject("/spec");
            if (after.taints().isEmpty()) {
                spec.putNull("taints");
            }
            else {
                ArrayNode taints = spec.putArray("taints");
                for (Taint taint : after.taints()) {
                    ObjectNode entry = taints.addObject().put("key", taint.key()).put("effect", taint.effect());
                    if (!taint.value().isEmpty()) {
                        entry.put("value", taint.value());
                    }
                    if (!taint.timeAdded().isEmpty()) {
                        entry.put("timeAdded", taint.timeAdded());
                    }
                }
            }
        }
        if (before.unschedulable() != after.unschedulable()) {
            ObjectNode spec = patch.withObject("/spec");
            if (after.unschedulable()) {
                spec.put("unschedulable", true);
            }
            else {
                // as kubectl uncordon: the field goes away rather than staying false
                spec.putNull("unschedulable");
            }
        }
        return patch;
    }
}
