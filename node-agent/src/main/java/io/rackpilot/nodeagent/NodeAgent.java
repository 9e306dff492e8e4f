package io.rackpilot.nodeagent;

import io.rackpilot.agent.AgentContext;
import io.rackpilot.agent.AgentParts;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.SystemUuidSource;
import io.rackpilot.nodeagent.kubernetes.KeyGuard;
import io.rackpilot.nodeagent.kubernetes.KubernetesCollector;
import io.rackpilot.nodeagent.kubernetes.KubernetesConnection;
import io.rackpilot.nodeagent.kubernetes.KubernetesMetrics;
import io.rackpilot.nodeagent.kubernetes.LocalAddresses;
import io.rackpilot.nodeagent.kubernetes.NodeDrain;
import io.rackpilot.nodeagent.kubernetes.NodeDrainHandler;
import io.rackpilot.nodeagent.kubernetes.NodeEditHandler;
import io.rackpilot.nodeagent.kubernetes.OwnNode;
import io.rackpilot.nodeagent.kubernetes.PodRestartHandler;
import io.rackpilot.nodeagent.kubernetes.ResourceClearHandler;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the node-agent adds to the common agent on each VM: its own Kubernetes Node, found without
 * a host name, reported, and tainted, labelled, cordoned and drained on command; its NVIDIA pods
 * restarted and a stale extended resource cleared from its status after a GPU moved. The built-in
 * actions (agent.ping, inventory.refresh) and GPU state come from agent-core.
 */
public final class NodeAgent
{
    private static final Duration POD_RESTART_POLL_INTERVAL = Duration.ofMillis(500);

    private NodeAgent() {}

    public static AgentParts parts(AgentContext context)
    {
        AgentConfig config = context.config();
        AgentConfig.Kubernetes kubernetes = config.kubernetes();
        if (!kubernetes.enabled()) {
            return AgentParts.NONE;
        }
        KubernetesConnection connection = new KubernetesConnection(kubernetes);
        SystemUuidSource uuidSource = new SystemUuidSource(config.inventory().sysRoot(), Optional.of(config.inventory().systemUuidFile()));
        OwnNode ownNode = new OwnNode(connection, kubernetes.configuredNodeName(), uuidSource, LocalAddresses::current);
        KubernetesMetrics metrics = new KubernetesMetrics(context.metrics());
        KeyGuard guard = new KeyGuard(kubernetes.allowedPrefixes());
        List<ActionHandler> handlers = new ArrayList<>(NodeEditHandler.all(ownNode, guard));
        handlers.add(new NodeDrainHandler(ownNode, kubernetes.evictionRetryInterval(), NodeDrain.Waiter.REAL, metrics, Clock.systemUTC()));
        handlers.add(new PodRestartHandler(ownNode, POD_RESTART_POLL_INTERVAL, NodeDrain.Waiter.REAL, Clock.systemUTC()));
        handlers.add(new ResourceClearHandler(ownNode, guard));
        return new AgentParts(handlers, List.of(new KubernetesCollector(ownNode, kubernetes.gpuResource(), metrics::observed)));
    }
}
