package io.rackpilot.nodeagent.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.rackpilot.nodeagent.kubernetes.NodeState.Taint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static java.util.Objects.requireNonNull;

/**
 * Read, change, write for the agent's own Node: reads the Node, applies a {@link NodeChange} to what
 * it read, and sends a JSON patch of only what differs, guarded by the resourceVersion it read.
 * A concurrent edit makes the API server answer 409; the editor then waits a jittered moment, reads
 * again and retries, up to {@link #MAXIMUM_ATTEMPTS} times. A change already in place sends nothing.
 */
public final class NodeEditor
{
    public static final int MAXIMUM_ATTEMPTS = 10;
    private static final long FIRST_BACKOFF_MILLISECONDS = 10;
    private static final long MAXIMUM_BACKOFF_MILLISECONDS = 320;

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
                Node patched = api.patchNode(nodeName, jsonPatch(node, after));
                return new Edited(before, stateOf(patched), true, attempt);
            }
            catch (KubernetesApiException e) {
                if (!e.conflict()) {
                    throw e;
                }
                lastConflict = e;
                backOff(attempt);
            }
        }
        throw new KubernetesApiException("Node " + nodeName + " kept changing under the edit (" + change.describe() + "): gave up after "
                + MAXIMUM_ATTEMPTS + " conflicts; last: " + lastConflict.getMessage(), lastConflict.code(), lastConflict);
    }

    /**
     * Writers that conflicted wait a random while before reading again (10 ms doubling to 320 ms,
     * full jitter), so that several editing one Node at once do not keep colliding.
     */
    private static void backOff(int attempt)
            throws KubernetesApiException
    {
        long ceiling = Math.min(MAXIMUM_BACKOFF_MILLISECONDS, FIRST_BACKOFF_MILLISECONDS << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceiling + 1));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesApiException("interrupted while retrying an edit after a conflict", 0, e);
        }
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
                // the API server refuses a taint without key or effect: none comes from one
                if (taint != null && taint.getKey() != null && taint.getEffect() != null) {
                    taints.add(new Taint(taint.getKey(), taint.getValue(), taint.getEffect(), taint.getTimeAdded()));
                }
            }
        }
        Map<String, String> labels = new HashMap<>();
        if (node.getMetadata() != null && node.getMetadata().getLabels() != null) {
            node.getMetadata().getLabels().forEach((key, value) -> {
                if (key != null && value != null) {
                    labels.put(key, value);
                }
            });
        }
        boolean unschedulable = spec != null && Boolean.TRUE.equals(spec.getUnschedulable());
        return new NodeState(taints, labels, unschedulable);
    }

    /**
     * A JSON patch (RFC 6902) from one state to the other that first sets the resourceVersion read
     * (the API server takes it as a precondition and answers 409 when the Node changed since), then
     * writes the whole taint list when it changed, only the labels that changed, and unschedulable
     * when it changed (removed rather than set to false, as kubectl uncordon leaves it).
     */
    static ArrayNode jsonPatch(Node node, NodeState after)
    {
        NodeState before = stateOf(node);
        ArrayNode patch = MAPPER.createArrayNode();
        patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion").put("value", node.getMetadata().getResourceVersion());
        Map<String, String> labelChanges = NodeState.labelChanges(before, after);
        if (!labelChanges.isEmpty() && node.getMetadata().getLabels() == null) {
            patch.addObject().put("op", "add").put("path", "/metadata/labels").putObject("value");
        }
        labelChanges.forEach((key, value) -> {
            String path = "/metadata/labels/" + escape(key);
            if (value == null) {
                patch.addObject().put("op", "remove").put("path", path);
            }
            else {
                patch.addObject().put("op", "add").put("path", path).put("value", value);
            }
        });
        boolean taintsChanged = !before.taints().equals(after.taints());
        boolean cordonChanged = before.unschedulable() != after.unschedulable();
        if ((taintsChanged || cordonChanged) && node.getSpec() == null) {
            patch.addObject().put("op", "add").put("path", "/spec").putObject("value");
        }
        if (taintsChanged) {
            if (after.taints().isEmpty()) {
                patch.addObject().put("op", "remove").put("path", "/spec/taints");
            }
            else {
                ArrayNode taints = patch.addObject().put("op", "add").put("path", "/spec/taints").putArray("value");
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
        if (cordonChanged) {
            if (after.unschedulable()) {
                patch.addObject().put("op", "add").put("path", "/spec/unschedulable").put("value", true);
            }
            else {
                patch.addObject().put("op", "remove").put("path", "/spec/unschedulable");
            }
        }
        return patch;
    }

    /**
     * A JSON pointer segment: '~' and '/' escaped (nvidia.com/gpu becomes nvidia.com~1gpu).
     */
    private static String escape(String key)
    {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
