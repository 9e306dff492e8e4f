package io.rackpilot.nodeagent.kubernetes;

import com.codahale.metrics.Counter;
import io.rackpilot.common.metrics.Labels;
import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.proto.v1.KubernetesNodeInfo;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The node-agent's Kubernetes metrics: whether the API answered, whether the agent found its Node
 * (and which, and how), and eviction answers by outcome.
 */
public final class KubernetesMetrics
        implements NodeDrain.EvictionObserver
{
    private static final String NODE_INFO = "rackpilot_kubernetes_node_info";

    private final Metrics metrics;
    private final Map<KubernetesApi.Eviction.Outcome, Counter> evictions = new EnumMap<>(KubernetesApi.Eviction.Outcome.class);
    private volatile boolean apiUp;
    private volatile boolean found;
    private Optional<Labels> nodeSeries = Optional.empty();

    public KubernetesMetrics(Metrics metrics)
    {
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.gauge("rackpilot_kubernetes_api_up", "1 when the last call to the Kubernetes API answered, else 0.", Labels.empty(), () -> apiUp ? 1 : 0);
        metrics.gauge("rackpilot_kubernetes_node_found", "1 when the agent knows which Kubernetes Node it runs on, else 0.", Labels.empty(), () -> found ? 1 : 0);
        for (KubernetesApi.Eviction.Outcome outcome : KubernetesApi.Eviction.Outcome.values()) {
            evictions.put(outcome, metrics.counter("rackpilot_kubernetes_evictions_total",
                    "Answers to the agent's pod evictions: evicted (201), refused by a PodDisruptionBudget (429), gone (404).",
                    Labels.of("outcome", outcome.name().toLowerCase(Locale.ROOT))));
        }
    }

    public synchronized void observed(KubernetesNodeInfo info)
    {
        apiUp = info.getState() == KubernetesNodeInfo.State.STATE_FOUND || info.getState() == KubernetesNodeInfo.State.STATE_NOT_FOUND;
        found = info.getState() == KubernetesNodeInfo.State.STATE_FOUND;
        Optional<Labels> current = found
                ? Optional.of(Labels.of("node", info.getNodeName(), "found_by", foundBy(info.getFoundBy())))
                : Optional.empty();
        if (!current.equals(nodeSeries)) {
            nodeSeries.ifPresent(labels -> metrics.remove(NODE_INFO, labels));
            current.ifPresent(labels -> metrics.info(NODE_INFO, "The Kubernetes Node this agent runs on, and how it found it (config, system_uuid, internal_ip).", labels));
            nodeSeries = current;
        }
    }

    @Override
    public void answered(KubernetesApi.Eviction.Outcome outcome)
    {
        evictions.get(outcome).inc();
    }

    private static String foundBy(KubernetesNodeInfo.FoundBy foundBy)
    {
        return foundBy.name().substring("FOUND_BY_".length()).toLowerCase(Locale.ROOT);
    }
}
