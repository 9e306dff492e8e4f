package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.agent.config.AgentConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The agent's way to the Kubernetes API, made when first needed: a kubeconfig that appears after
 * the agent started (the operator copies it in later) is picked up at the next attempt, and until
 * then the agent says why it has none.
 */
public final class KubernetesConnection
        implements AutoCloseable
{
    private final AgentConfig.Kubernetes config;
    private KubernetesApi api;
    private String problem = "";

    public KubernetesConnection(AgentConfig.Kubernetes config)
    {
        this.config = requireNonNull(config, "config is null");
    }

    /**
     * A connection to a given API client (tests, dev mode).
     */
    public static KubernetesConnection of(KubernetesApi api)
    {
        KubernetesConnection connection = new KubernetesConnection(AgentConfig.Kubernetes.defaults());
        connection.api = requireNonNull(api, "api is null");
        return connection;
    }

    public synchronized Optional<KubernetesApi> api()
    {
        if (api != null) {
            return Optional.of(api);
        }
        if (config.inCluster()) {
            try {
                api = KubernetesApi.inCluster(config.requestTimeout());
            }
            catch (RuntimeException e) {
                problem = "cannot use the in-cluster service account: " + e.getMessage();
            }
            return Optional.ofNullable(api);
        }
        if (!Files.exists(config.kubeconfig())) {
            problem = "no kubeconfig at " + config.kubeconfig() + " (kubernetes.kubeconfig): give the agent its own credential, see docs/kubernetes.md";
            return Optional.empty();
        }
        try {
            api = KubernetesApi.fromKubeconfig(config.kubeconfig(), config.requestTimeout());
        }
        catch (IOException | RuntimeException e) {
            problem = "cannot use " + config.kubeconfig() + ": " + e.getMessage();
        }
        return Optional.ofNullable(api);
    }

    /**
     * Why {@link #api()} is empty.
     */
    public synchronized String problem()
    {
        return problem;
    }

    @Override
    public synchronized void close()
    {
        if (api != null) {
            api.close();
        }
    }
}
