package io.rackpilot.nodeagent.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * The node-agent's calls to the Kubernetes API, through the fabric8 client: the only class that
 * talks to the API server. Every call is bounded by the request timeout, and errors come out as
 * {@link KubernetesApiException} with a message an operator can read (the HTTP status and the API
 * server's own words, or why it could not be reached).
 */
public final class KubernetesApi
        implements AutoCloseable
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final KubernetesClient client;
    private final Duration requestTimeout;

    public KubernetesApi(KubernetesClient client, Duration requestTimeout)
    {
        this.client = requireNonNull(client, "client is null");
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout is null");
    }

    /**
     * A client for the credential in a kubeconfig file (the agent's own, not the kubelet's).
     */
    public static KubernetesApi fromKubeconfig(Path kubeconfig, Duration requestTimeout)
            throws IOException
    {
        String contents = Files.readString(kubeconfig, StandardCharsets.UTF_8);
        Config config;
        try {
            config = Config.fromKubeconfig(null, contents, kubeconfig.toAbsolutePath().toString());
        }
        catch (RuntimeException e) {
            throw new IOException(kubeconfig + " is not a usable kubeconfig: " + e.getMessage(), e);
        }
        return create(config, requestTimeout);
    }

    /**
     * A client for the service account of the pod the agent runs in.
     */
    public static KubernetesApi inCluster(Duration requestTimeout)
    {
        return create(new ConfigBuilder().build(), requestTimeout);
    }

    private static KubernetesApi create(Config config, Duration requestTimeout)
    {
        int milliseconds = Math.toIntExact(requestTimeout.toMillis());
        config.setRequestTimeout(milliseconds);
        config.setConnectionTimeout(milliseconds);
        // One quick retry for a blip; an API server that is down fails within the timeout.
        config.setRequestRetryBackoffLimit(1);
        config.setRequestRetryBackoffInterval(200);
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
        return new KubernetesApi(client, requestTimeout);
    }

    public String server()
    {
        return client.getMasterUrl().toString();
    }

    public Optional<Node> node(String name)
            throws KubernetesApiException
    {
        return call("read Node " + name, () -> Optional.ofNullable(client.nodes().withName(name).get()));
    }

    public List<Node> nodes()
            throws KubernetesApiException
    {
        return call("list Nodes", () -> named(client.nodes().list(), false));
    }

    /**
     * A JSON patch (RFC 6902) of a Node. A patch that sets {@code /metadata/resourceVersion} to the
     * version it was computed from is refused with 409 when the Node changed since
     * ({@link KubernetesApiException#conflict()}). JSON patch rather than merge patch: a merge patch
     * replaces lists, which the fabric8 mock server gets wrong, and the API server's own answer is
     * the same for both.
     */
    public Node patchNode(String name, ArrayNode patch)
            throws KubernetesApiException
    {
        String body = patch.toString();
        return call("patch Node " + name, () -> client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON), body));
    }

    /**
     * The pods on a Node ({@code fieldSelector=spec.nodeName=NODE}), in every namespace, optionally
     * only those matching a label selector.
     */
    public List<Pod> podsOn(String nodeName, Optional<String> labelSelector)
            throws KubernetesApiException
    {
        ListOptionsBuilder options = new ListOptionsBuilder().withFieldSelector("spec.nodeName=" + nodeName);
        labelSelector.ifPresent(options::withLabelSelector);
        return call("list the pods on " + nodeName, () -> named(client.pods().inAnyNamespace().list(options.build()), true));
    }

    /**
     * A JSON patch of a Node's status subresource ({@code PATCH /api/v1/nodes/NAME/status}): the
     * only way to change status.capacity and status.allocatable. A {@code test} or {@code replace}
     * of {@code /metadata/resourceVersion} guards it as for {@link #patchNode}.
     */
    public Node patchNodeStatus(String name, ArrayNode patch)
            throws KubernetesApiException
    {
        String body = patch.toString();
        return call("patch the status of Node " + name, () -> client.nodes().withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON), body));
    }

    /**
     * The pods on a Node in one namespace (all namespaces when empty) matching a label selector.
     */
    public List<Pod> podsOn(String nodeName, Optional<String> namespace, String labelSelector)
            throws KubernetesApiException
    {
        if (namespace.isEmpty()) {
            return podsOn(nodeName, Optional.of(labelSelector));
        }
        ListOptionsBuilder options = new ListOptionsBuilder().withFieldSelector("spec.nodeName=" + nodeName).withLabelSelector(labelSelector);
        return call("list the pods on " + nodeName + " in namespace " + namespace.get(), () -> named(client.pods().inNamespace(namespace.get()).list(options.build()), true));
    }

    /**
     * Deletes a pod (its own grace period); answers false when it was already gone (404).
     */
    public boolean deletePod(String namespace, String name)
            throws KubernetesApiException
    {
        return call("delete pod " + namespace + "/" + name, () -> !client.pods().inNamespace(namespace).withName(name).delete().isEmpty());
    }

    public Optional<Pod> pod(String namespace, String name)
            throws KubernetesApiException
    {
        return call("read pod " + namespace + "/" + name, () -> Optional.ofNullable(client.pods().inNamespace(namespace).withName(name).get()));
    }

    public boolean daemonSetExists(String namespace, String name)
            throws KubernetesApiException
    {
        return call("read DaemonSet " + namespace + "/" + name, () -> client.apps().daemonSets().inNamespace(namespace).withName(name).get() != null);
    }

    /**
     * Asks the API server to evict a pod ({@code POST .../pods/NAME/eviction}, a policy/v1 Eviction),
     * which honours PodDisruptionBudgets where a plain delete would not.
     */
    public Eviction evict(String namespace, String name, Optional<Long> gracePeriodSeconds)
            throws KubernetesApiException
    {
        ObjectNode eviction = MAPPER.createObjectNode();
        eviction.put("apiVersion", "policy/v1");
        eviction.put("kind", "Eviction");
        eviction.putObject("metadata").put("name", name).put("namespace", namespace);
        gracePeriodSeconds.ifPresent(seconds -> eviction.putObject("deleteOptions").put("gracePeriodSeconds", seconds));
        String url = client.getMasterUrl().toString().replaceAll("/+$", "")
                + "/api/v1/namespaces/" + encode(namespace) + "/pods/" + encode(name) + "/eviction";
        HttpClient http = client.getHttpClient();
        HttpRequest request = http.newHttpRequestBuilder()
                .uri(url)
                .post("application/json", eviction.toString())
                .build();
        HttpResponse<String> response;
        try {
            response = http.sendAsync(request, String.class).get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesApiException("evict pod " + namespace + "/" + name + ": interrupted", 0, e);
        }
        catch (ExecutionException e) {
            throw new KubernetesApiException("evict pod " + namespace + "/" + name + ": cannot reach the Kubernetes API at " + server() + ": " + rootMessage(e), 0, e);
        }
        catch (TimeoutException e) {
            throw new KubernetesApiException("evict pod " + namespace + "/" + name + ": no answer from the Kubernetes API at " + server() + " within " + requestTimeout.toMillis() + " ms", 0, e);
        }
        int code = response.code();
        String message = statusMessage(response.body());
        if (code == HttpURLConnection.HTTP_CREATED || code == HttpURLConnection.HTTP_OK) {
            return new Eviction(Eviction.Outcome.EVICTED, "");
        }
        if (code == HttpURLConnection.HTTP_NOT_FOUND) {
            return new Eviction(Eviction.Outcome.GONE, message);
        }
        if (code == 429) {
            return new Eviction(Eviction.Outcome.REFUSED, message);
        }
        throw new KubernetesApiException("evict pod " + namespace + "/" + name + ": HTTP " + code + (message.isEmpty() ? "" : ": " + message), code, null);
    }

    /**
     * What the API server answered to an eviction: 201 evicted, 429 refused (a PodDisruptionBudget
     * allows no disruption now: ask again later), 404 gone.
     */
    public record Eviction(Outcome outcome, String message)
    {
        public enum Outcome
        {
            EVICTED,
            REFUSED,
            GONE,
        }

        public Eviction
        {
            requireNonNull(outcome, "outcome is null");
            requireNonNull(message, "message is null");
        }
    }

    @Override
    public void close()
    {
        client.close();
    }

    @FunctionalInterface
    private interface Call<T>
    {
        T run();
    }

    private <T> T call(String what, Call<T> call)
            throws KubernetesApiException
    {
        try {
            return call.run();
        }
        catch (KubernetesClientException e) {
            throw translate(what, e);
        }
    }

    private KubernetesApiException translate(String what, KubernetesClientException e)
    {
        if (e.getCode() > 0) {
            String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
            return new KubernetesApiException(what + ": HTTP " + e.getCode() + ": " + message, e.getCode(), e);
        }
        return new KubernetesApiException(what + ": cannot reach the Kubernetes API at " + server() + ": " + rootMessage(e), 0, e);
    }

    /**
     * The listed objects that have a name (and a namespace, for namespaced kinds), as every object
     * from an API server has: the rest of the agent can rely on it. An answer without a body lists
     * nothing.
     */
    private static <T extends HasMetadata> List<T> named(KubernetesResourceList<T> list, boolean namespaced)
    {
        return list == null || list.getItems() == null ? List.of() : list.getItems().stream()
                .filter(item -> item != null && item.getMetadata() != null && item.getMetadata().getName() != null
                        && (!namespaced || item.getMetadata().getNamespace() != null))
                .toList();
    }

    private static String statusMessage(String body)
    {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode status = MAPPER.readTree(body);
            StringBuilder message = new StringBuilder(status.path("message").asText(""));
            for (JsonNode cause : status.path("details").path("causes")) {
                String text = cause.path("message").asText("");
                if (!text.isEmpty()) {
                    message.append(message.length() == 0 ? "" : " ").append("(").append(text).append(")");
                }
            }
            return message.toString();
        }
        catch (IOException e) {
            return body.length() > 200 ? body.substring(0, 200) + "..." : body;
        }
    }

    private static String rootMessage(Throwable throwable)
    {
        Throwable root = throwable;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String encode(String segment)
    {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
