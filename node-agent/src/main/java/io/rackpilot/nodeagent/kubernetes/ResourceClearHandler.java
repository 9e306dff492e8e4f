package io.rackpilot.nodeagent.kubernetes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.KubernetesClearResourceResult;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static java.util.Objects.requireNonNull;

/**
 * {@code k8s.node.clear-resource}: removes an extended resource from the agent's own Node's
 * status.capacity and status.allocatable, through the status subresource. After a passed-through
 * GPU left the VM the kubelet keeps {@code nvidia.com/gpu} in capacity (allocatable 0); this makes
 * the Node stop claiming it. The patch carries the resourceVersion read (409 when the Node changed
 * since: read again and retry, as {@link NodeEditor} does). Only resources with a domain
 * ({@code domain/name}) under the agent's allowed prefixes: never cpu, memory or pods.
 */
public final class ResourceClearHandler
        implements ActionHandler
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final OwnNode ownNode;
    private final KeyGuard guard;

    public ResourceClearHandler(OwnNode ownNode, KeyGuard guard)
    {
        this.ownNode = requireNonNull(ownNode, "ownNode is null");
        this.guard = requireNonNull(guard, "guard is null");
    }

    @Override
    public Action.KindCase kind()
    {
        return Action.KindCase.KUBERNETES_NODE_CLEAR_RESOURCE;
    }

    private record Amounts(Optional<String> capacity, Optional<String> allocatable)
    {
        static Amounts of(Node node, String resource)
        {
            return new Amounts(amount(node.getStatus() == null ? null : node.getStatus().getCapacity(), resource),
                    amount(node.getStatus() == null ? null : node.getStatus().getAllocatable(), resource));
        }

        private static Optional<String> amount(Map<String, Quantity> resources, String resource)
        {
            return resources == null ? Optional.empty() : Optional.ofNullable(resources.get(resource)).map(Quantity::toString);
        }

        boolean absent()
        {
            return capacity.isEmpty() && allocatable.isEmpty();
        }

        String describe()
        {
            return "capacity " + capacity.orElse("absent") + ", allocatable " + allocatable.orElse("absent");
        }
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        String resource = action.getKubernetesNodeClearResource().getResource();
        if (resource.isEmpty()) {
            throw ActionException.rejected("resource: is empty; name an extended resource such as nvidia.com/gpu");
        }
        if (!resource.contains("/")) {
            throw ActionException.rejected("resource: '" + resource + "' is not an extended resource (domain/name, such as nvidia.com/gpu); the kubelet's own resources are never cleared");
        }
        guard.checkKey("resource", resource);
        String nodeName = ownNode.requireName();
        KubernetesApi api = ownNode.requireApi();
        Amounts before;
        try {
            before = Amounts.of(read(api, nodeName), resource);
        }
        catch (KubernetesApiException e) {
            throw ActionException.failed(e.getMessage(), e);
        }
        String summary = before.absent()
                ? "Node " + nodeName + " does not list " + resource + " in its status"
                : "would remove " + resource + " (" + before.describe() + ") from the status of Node " + nodeName;
        return PreparedAction.of(summary, before.absent(), result(nodeName, resource, before), () -> {
            try {
                return clear(api, nodeName, resource);
            }
            catch (KubernetesApiException e) {
                throw ActionException.failed(e.getMessage(), e);
            }
        });
    }

    private static PreparedAction.Applied clear(KubernetesApi api, String nodeName, String resource)
            throws KubernetesApiException, InterruptedException
    {
        KubernetesApiException lastConflict = null;
        for (int attempt = 1; attempt <= NodeEditor.MAXIMUM_ATTEMPTS; attempt++) {
            Node node = read(api, nodeName);
            Amounts before = Amounts.of(node, resource);
            if (before.absent()) {
                return new PreparedAction.Applied(false, "Node " + nodeName + " does not list " + resource + " in its status", result(nodeName, resource, before));
            }
            try {
                api.patchNodeStatus(nodeName, patch(node, resource, before));
                return new PreparedAction.Applied(true, "removed " + resource + " (" + before.describe() + ") from the status of Node " + nodeName
                        + (attempt > 1 ? " (after " + (attempt - 1) + " conflicting edits)" : ""), result(nodeName, resource, before));
            }
            catch (KubernetesApiException e) {
                if (!e.conflict()) {
                    throw e;
                }
                lastConflict = e;
                Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(320, 10L << Math.min(attempt - 1, 10)) + 1));
            }
        }
        throw new KubernetesApiException("Node " + nodeName + " kept changing while removing " + resource + " from its status: gave up after "
                + NodeEditor.MAXIMUM_ATTEMPTS + " conflicts; last: " + lastConflict.getMessage(), lastConflict.code(), lastConflict);
    }

    /**
     * Sets the resourceVersion read (the API server answers 409 when the Node changed since), then
     * removes the resource where it is listed.
     */
    private static ArrayNode patch(Node node, String resource, Amounts before)
    {
        ArrayNode patch = MAPPER.createArrayNode();
        patch.addObject().put("op", "replace").put("path", "/metadata/resourceVersion").put("value", node.getMetadata().getResourceVersion());
        String key = resource.replace("~", "~0").replace("/", "~1");
        if (before.capacity().isPresent()) {
            patch.addObject().put("op", "remove").put("path", "/status/capacity/" + key);
        }
        if (before.allocatable().isPresent()) {
            patch.addObject().put("op", "remove").put("path", "/status/allocatable/" + key);
        }
        return patch;
    }

    private static Node read(KubernetesApi api, String nodeName)
            throws KubernetesApiException
    {
        return api.node(nodeName).orElseThrow(() -> new KubernetesApiException("Node " + nodeName + " does not exist (any more)", 404, null));
    }

    private static ActionResult result(String nodeName, String resource, Amounts before)
    {
        return ActionResult.newBuilder().setKubernetesNodeClearResource(KubernetesClearResourceResult.newBuilder()
                .setNode(nodeName)
                .setResource(resource)
                .setCapacityBefore(before.capacity().orElse(""))
                .setAllocatableBefore(before.allocatable().orElse(""))).build();
    }
}
