package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.KubernetesPod;

import java.math.RoundingMode;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The {@code kubernetes} inventory section: whether and how the agent found its Node, and the
 * Node's taints, labels, cordon, GPU capacity and allocatable amount, and the pods on it that
 * hold GPUs (not finished, and requesting them; see {@link Pods#amountOf}). Runs with the other
 * collectors, off the heartbeat path; every call is bounded by the request timeout.
 */
public final class KubernetesCollector
        implements InventoryCollector
{
    private final OwnNode ownNode;
    private final String gpuResource;
    private final Consumer<KubernetesNodeInfo> observer;

    public KubernetesCollector(OwnNode ownNode, String gpuResource, Consumer<KubernetesNodeInfo> observer)
    {
        this.ownNode = requireNonNull(ownNode, "ownNode is null");
        this.gpuResource = requireNonNull(gpuResource, "gpuResource is null");
        this.observer = requireNonNull(observer, "observer is null");
    }

    @Override
    public String name()
    {
        return "kubernetes";
    }

    @Override
    public void collect(Inventory.Builder inventory)
    {
        KubernetesNodeInfo info = observe();
        observer.accept(info);
        inventory.setKubernetes(info);
    }

    KubernetesNodeInfo observe()
    {
        NodeLocation location = ownNode.locate();
        KubernetesNodeInfo.Builder info = KubernetesNodeInfo.newBuilder()
                .setState(location.state())
                .setNodeName(location.nodeName().orElse(""))
                .setFoundBy(location.foundBy())
                .setProblem(location.problem())
                .setGpuResource(gpuResource);
        if (!location.isFound()) {
            return info.build();
        }
        String nodeName = location.nodeName().get();
        try {
            KubernetesApi api = ownNode.requireApi();
            Optional<Node> node = ownNode.lastRead();
            if (node.isEmpty()) {
                return info.setState(KubernetesNodeInfo.State.STATE_NOT_FOUND).setProblem("Node " + nodeName + " went away").build();
            }
            NodeState state = NodeEditor.stateOf(node.get());
            state.taints().forEach(taint -> info.addTaints(taint.toProto()));
            info.putAllLabels(new TreeMap<>(state.labels()));
            info.setUnschedulable(state.unschedulable());
            if (node.get().getStatus() != null) {
                info.setGpuCapacity(amount(node.get().getStatus().getCapacity()));
                info.setGpuAllocatable(amount(node.get().getStatus().getAllocatable()));
                if (node.get().getStatus().getNodeInfo() != null && node.get().getStatus().getNodeInfo().getKubeletVersion() != null) {
                    info.setKubeletVersion(node.get().getStatus().getNodeInfo().getKubeletVersion());
                }
            }
            api.podsOn(nodeName, Optional.empty()).stream()
                    .filter(pod -> Pods.amountOf(pod, gpuResource) > 0)
                    .sorted(Comparator.comparing(Pods::reference))
                    .forEach(pod -> info.addGpuPods(gpuPod(pod)));
        }
        catch (KubernetesApiException e) {
            return info.setState(KubernetesNodeInfo.State.STATE_UNREACHABLE).setProblem(e.getMessage()).build();
        }
        catch (ActionException e) {
            return info.setState(KubernetesNodeInfo.State.STATE_NOT_CONFIGURED).setProblem(e.getMessage()).build();
        }
        return info.build();
    }

    private KubernetesPod gpuPod(Pod pod)
    {
        return KubernetesPod.newBuilder()
                .setNamespace(pod.getMetadata().getNamespace())
                .setName(pod.getMetadata().getName())
                .setPhase(Pods.phase(pod))
                .setGpus(Pods.amountOf(pod, gpuResource))
                .build();
    }

    private long amount(Map<String, Quantity> quantities)
    {
        if (quantities == null) {
            return 0;
        }
        return Pods.wholeAmount(quantities.get(gpuResource), RoundingMode.FLOOR);
    }
}
