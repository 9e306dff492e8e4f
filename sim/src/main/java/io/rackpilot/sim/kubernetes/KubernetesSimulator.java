package io.rackpilot.sim.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.IssuedCertificate;
import io.rackpilot.common.tls.PemFiles;
import io.rackpilot.plan.Taint;
import io.rackpilot.sim.tls.SimulatorTls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * A Kubernetes API server over HTTPS on 127.0.0.1 for the subset of the API the node-agent uses,
 * speaking the real wire format: bearer tokens (401 otherwise), every error a {@code Status}, one
 * resourceVersion counter bumped on every write, resourceVersion preconditions (409 with the real
 * message), Node validation (422), the three patch types, field and label selectors, graceful
 * deletion, and the {@code policy/v1} Eviction subresource guarded by PodDisruptionBudgets (429).
 *
 * <p>Endpoints: {@code GET /version}, {@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/policy/v1}, {@code /apis/apps/v1}; {@code GET /api/v1/nodes}; {@code GET|PUT|PATCH
 * /api/v1/nodes/N}; {@code GET|PATCH /api/v1/nodes/N/status} (only the status changes); {@code GET /api/v1/pods}; {@code GET /api/v1/namespaces/NS/pods};
 * {@code GET|DELETE /api/v1/namespaces/NS/pods/P}; {@code POST /api/v1/namespaces/NS/pods/P/eviction};
 * {@code GET /apis/policy/v1[/namespaces/NS]/poddisruptionbudgets[/NAME]}; {@code GET
 * /apis/apps/v1[/namespaces/NS]/daemonsets[/NAME]}. Anything else is a 404 or 405 Status; watches
 * are answered 405.
 *
 * <p>A DaemonSet's pod that goes (deleted, evicted) is replaced on the same node by a pod with a
 * new name and UID, Pending for {@link #setReplacementDelay the replacement delay}, then Running and
 * Ready. The {@code nvidia.com/gpu} capacity follows the kubelet: see {@link #cardsOnNode(String, int)}.
 *
 * <p>A PodDisruptionBudget here is blocked for a while: from the first eviction attempt of a pod it
 * selects, for its {@code blockedFor} (forever when empty), it allows no disruption and evictions
 * of its pods get 429; afterwards it allows at least one (as if its workload had a ready spare).
 */
public final class KubernetesSimulator
        implements AutoCloseable
{
    public static final String KUBERNETES_VERSION = "v1.34.2";
    public static final Duration DEFAULT_PDB_BLOCK = Duration.ofSeconds(8);
    public static final Duration DEFAULT_REPLACEMENT_DELAY = Duration.ofMillis(300);
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    private static final Map<String, String> DEVICE_PLUGIN_LABELS = Map.of(
            "app.kubernetes.io/name", "nvidia-device-plugin",
            "app", "nvidia-device-plugin-daemonset",
            "name", "nvidia-device-plugin-ds");
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String CONCURRENT_EDIT_LABEL = "rackpilot.io/concurrent-edit";
    private static final Map<String, String> NODE_MERGE_KEYS = Map.of(
            "metadata.ownerReferences", "uid",
            "metadata.finalizers", "",
            "status.conditions", "type",
            "status.addresses", "type",
            "status.images", "names",
            "spec.podCIDRs", "");

    private final Set<String> tokens;
    private final Path caCertificate;
    private final HttpsServer server;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    private final Map<String, ObjectNode> nodes = new TreeMap<>();
    private final Map<String, ObjectNode> pods = new TreeMap<>();
    private final Map<String, ObjectNode> daemonSets = new TreeMap<>();
    private final Map<String, Budget> budgets = new TreeMap<>();
    private final List<String> evictionRequests = new ArrayList<>();
    private final Set<String> concurrentEdits = new TreeSet<>();
    private final AtomicInteger failingRequests = new AtomicInteger();
    private final AtomicInteger requestCount = new AtomicInteger();
    private final Map<String, SimulatedPod> podSources = new TreeMap<>();
    private final Map<String, Integer> gpuCards = new TreeMap<>();
    private final Set<String> stalledDaemonSets = new TreeSet<>();
    private Optional<Function<String, Integer>> gpuPresence = Optional.empty();
    private Duration replacementDelay = DEFAULT_REPLACEMENT_DELAY;
    private long resourceVersion = 1000;
    private int failingStatus = 500;
    private Duration responseDelay = Duration.ZERO;

    private static final class Budget
    {
        private final ObjectNode object;
        private final Map<String, String> matchLabels;
        private final int minAvailable;
        private final Optional<Duration> blockedFor;
        private Optional<Instant> blockedSince = Optional.empty();

        private Budget(ObjectNode object, Map<String, String> matchLabels, int minAvailable, Optional<Duration> blockedFor)
        {
            this.object = object;
            this.matchLabels = Map.copyOf(matchLabels);
            this.minAvailable = minAvailable;
            this.blockedFor = blockedFor;
        }

        private boolean blocked(Instant now)
        {
            if (blockedFor.isEmpty()) {
                return true;
            }
            return blockedSince.map(since -> now.isBefore(since.plus(blockedFor.get()))).orElse(!blockedFor.get().isZero());
        }
    }

    private KubernetesSimulator(Set<String> tokens, Path directory)
            throws IOException
    {
        this.tokens = Set.copyOf(requireNonNull(tokens, "tokens is null"));
        requireNonNull(directory, "directory is null");
        CertificateAuthority authority = CertificateAuthority.create("kubernetes (simulated)", Duration.ofDays(2));
        IssuedCertificate issued = authority.issue(new Identity(IdentityRole.HOST, "kube-apiserver"), List.of("localhost", "kubernetes", "kubernetes.default"), List.of("127.0.0.1"), Duration.ofDays(1));
        this.caCertificate = directory.resolve("kubernetes-ca.crt");
        PemFiles.writeCertificates(caCertificate, List.of(authority.certificate()));
        this.server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(SimulatorTls.serverContext(issued, authority)));
        server.createContext("/", this::handle);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "kubernetes-simulator-deletions");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "kubernetes-simulator-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    /**
     * A cluster with no objects.
     *
     * @param tokens the bearer tokens accepted
     * @param directory where the CA certificate is written
     */
    public static KubernetesSimulator empty(Set<String> tokens, Path directory)
            throws IOException
    {
        return new KubernetesSimulator(tokens, directory);
    }

    /**
     * The plan's cluster as the homelab has it today; see {@link PlanCluster}.
     */
    public static KubernetesSimulator fromPlan(io.rackpilot.plan.HomelabPlan plan, Set<String> tokens, Path directory)
            throws IOException
    {
        KubernetesSimulator simulator = empty(tokens, directory);
        PlanCluster.seed(plan, simulator);
        return simulator;
    }

    /**
     * {@code https://127.0.0.1:PORT}, the API server's address.
     */
    public URI apiUrl()
    {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * The CA certificate (PEM) that signed the server's certificate.
     */
    public Path caCertificate()
    {
        return caCertificate;
    }

    /**
     * Writes a kubeconfig with this server, its CA certificate's path and the token as the current
     * context, and answers the file.
     */
    public Path writeKubeconfig(Path file, String token)
            throws IOException
    {
        requireNonNull(file, "file is null");
        requireNonNull(token, "token is null");
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: rackpilot-sim
                    cluster:
                      server: %s
                      certificate-authority: %s
                users:
                  - name: rackpilot-node-agent
                    user:
                      token: %s
                contexts:
                  - name: rackpilot-sim
                    context:
                      cluster: rackpilot-sim
                      user: rackpilot-node-agent
                current-context: rackpilot-sim
                preferences: {}
                """.formatted(quoted(apiUrl().toString()), quoted(caCertificate.toAbsolutePath().toString()), quoted(token));
        Files.writeString(file, kubeconfig);
        return file;
    }

    private static String quoted(String text)
    {
        try {
            return MAPPER.writeValueAsString(text);
        }
        catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds a Node and answers its UID.
     */
    public String addNode(SimulatedNode node)
    {
        requireNonNull(node, "node is null");
        synchronized (lock) {
            if (nodes.containsKey(node.name())) {
                throw new IllegalArgumentException("node " + node.name() + " already exists");
            }
            ObjectNode object = newObject("v1", "Node", Optional.empty(), node.name());
            ObjectNode metadata = (ObjectNode) object.get("metadata");
            Map<String, String> labels = new TreeMap<>();
            labels.put("beta.kubernetes.io/arch", "amd64");
            labels.put("beta.kubernetes.io/os", "linux");
            labels.put("kubernetes.io/arch", "amd64");
            labels.put("kubernetes.io/hostname", node.name());
            labels.put("kubernetes.io/os", "linux");
            labels.putAll(node.labels());
            putStrings(metadata.putObject("labels"), labels);
            metadata.putObject("annotations")
                    .put("kubeadm.alpha.kubernetes.io/cri-socket", "unix:///var/run/containerd/containerd.sock")
                    .put("node.alpha.kubernetes.io/ttl", "0")
                    .put("volumes.kubernetes.io/controller-managed-attach-detach", "true");
            ObjectNode spec = object.putObject("spec");
            String podCidr = "10.244." + nodes.size() + ".0/24";
            spec.put("podCIDR", podCidr);
            spec.putArray("podCIDRs").add(podCidr);
            if (!node.taints().isEmpty()) {
                ArrayNode taints = spec.putArray("taints");
                for (Taint taint : node.taints()) {
                    ObjectNode entry = taints.addObject().put("key", taint.key());
                    if (!taint.value().isEmpty()) {
                        entry.put("value", taint.value());
                    }
                    entry.put("effect", taint.effect().kubernetesName());
                }
            }
            ObjectNode status = object.putObject("status");
            Map<String, String> capacity = new TreeMap<>(Map.of("ephemeral-storage", "102626232Ki", "hugepages-1Gi", "0", "hugepages-2Mi", "0", "pods", "110"));
            capacity.putAll(node.capacity());
            putStrings(status.putObject("capacity"), capacity);
            Map<String, String> allocatable = new TreeMap<>(capacity);
            allocatable.computeIfPresent("memory", (key, memory) -> memory.endsWith("Ki") ? (Long.parseLong(memory.substring(0, memory.length() - 2)) - 102400) + "Ki" : memory);
            allocatable.put("ephemeral-storage", "94580335255");
            putStrings(status.putObject("allocatable"), allocatable);
            String now = timestamp(Instant.now());
            ArrayNode conditions = status.putArray("conditions");
            condition(conditions, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now);
            condition(conditions, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now);
            condition(conditions, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now);
            condition(conditions, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now);
            ArrayNode addresses = status.putArray("addresses");
            node.internalIp().ifPresent(ip -> addresses.addObject().put("type", "InternalIP").put("address", ip));
            addresses.addObject().put("type", "Hostname").put("address", node.name());
            status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", 10250);
            status.putObject("nodeInfo")
                    .put("machineID", node.systemUuid().replace("-", ""))
                    .put("systemUUID", node.systemUuid())
                    .put("bootID", UUID.nameUUIDFromBytes(("boot-" + node.name()).getBytes(StandardCharsets.UTF_8)).toString())
                    .put("kernelVersion", "6.8.0-51-generic")
                    .put("osImage", "Ubuntu 24.04.1 LTS")
                    .put("containerRuntimeVersion", "containerd://1.7.24")
                    .put("kubeletVersion", KUBERNETES_VERSION)
                    .put("kubeProxyVersion", "")
                    .put("operatingSystem", "linux")
                    .put("architecture", "amd64");
            nodes.put(node.name(), object);
            gpuCards.put(node.name(), quantity(capacity.get(GPU_RESOURCE)));
            return metadata.get("uid").asText();
        }
    }

    /**
     * Adds a Running, Ready pod and answers its UID.
     */
    public String addPod(SimulatedPod pod)
    {
        requireNonNull(pod, "pod is null");
        synchronized (lock) {
            return insertPod(pod, true);
        }
    }

    private String insertPod(SimulatedPod pod, boolean ready)
    {
        String key = pod.namespace() + "/" + pod.name();
        if (pods.containsKey(key)) {
            throw new IllegalArgumentException("pod " + key + " already exists");
        }
        ObjectNode object = newObject("v1", "Pod", Optional.of(pod.namespace()), pod.name());
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        if (!pod.labels().isEmpty()) {
            putStrings(metadata.putObject("labels"), new TreeMap<>(pod.labels()));
        }
        if (!pod.annotations().isEmpty()) {
            putStrings(metadata.putObject("annotations"), new TreeMap<>(pod.annotations()));
        }
        if (!pod.owners().isEmpty()) {
            ArrayNode owners = metadata.putArray("ownerReferences");
            for (OwnerReference owner : pod.owners()) {
                owners.addObject()
                        .put("apiVersion", owner.apiVersion())
                        .put("kind", owner.kind())
                        .put("name", owner.name())
                        .put("uid", owner.uid())
                        .put("controller", owner.controller())
                        .put("blockOwnerDeletion", true);
            }
        }
        ObjectNode spec = object.putObject("spec");
        ObjectNode container = spec.putArray("containers").addObject()
                .put("name", containerName(pod))
                .put("image", "registry.local/" + containerName(pod) + ":latest")
                .put("imagePullPolicy", "IfNotPresent");
        ObjectNode resources = container.putObject("resources");
        if (!pod.limits().isEmpty()) {
            putStrings(resources.putObject("limits"), new TreeMap<>(pod.limits()));
            putStrings(resources.putObject("requests"), new TreeMap<>(pod.limits()));
        }
        if (!pod.initContainers().isEmpty()) {
            ArrayNode initContainers = spec.putArray("initContainers");
            for (SimulatedPod.InitContainer initContainer : pod.initContainers()) {
                ObjectNode init = initContainers.addObject()
                        .put("name", initContainer.name())
                        .put("image", "registry.local/" + initContainer.name() + ":latest")
                        .put("imagePullPolicy", "IfNotPresent");
                if (initContainer.sidecar()) {
                    init.put("restartPolicy", "Always");
                }
                ObjectNode initResources = init.putObject("resources");
                if (!initContainer.limits().isEmpty()) {
                    putStrings(initResources.putObject("limits"), new TreeMap<>(initContainer.limits()));
                    putStrings(initResources.putObject("requests"), new TreeMap<>(initContainer.limits()));
                }
            }
        }
        spec.put("nodeName", pod.nodeName())
                .put("restartPolicy", "Always")
                .put("schedulerName", "default-scheduler")
                .put("serviceAccountName", "default")
                .put("terminationGracePeriodSeconds", pod.terminationGracePeriod().toSeconds())
                .put("dnsPolicy", "ClusterFirst");
        if (pod.limits().containsKey("nvidia.com/gpu")) {
            spec.putArray("tolerations").addObject().put("key", "nvidia.com/gpu").put("operator", "Exists");
        }
        ObjectNode status = object.putObject("status").put("phase", ready ? "Running" : "Pending");
        String now = timestamp(Instant.now());
        ArrayNode conditions = status.putArray("conditions");
        for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")) {
            boolean met = ready || type.equals("PodScheduled") || type.equals("Initialized");
            conditions.addObject().put("type", type).put("status", met ? "True" : "False").putNull("lastProbeTime").put("lastTransitionTime", now);
        }
        String hostIp = nodeInternalIp(pod.nodeName()).orElse("10.0.20.1");
        status.put("hostIP", hostIp);
        status.putArray("hostIPs").addObject().put("ip", hostIp);
        String podIp = "10.244." + (pods.size() / 250) + "." + (pods.size() % 250 + 2);
        status.put("podIP", podIp);
        status.putArray("podIPs").addObject().put("ip", podIp);
        status.put("startTime", now);
        status.put("qosClass", pod.limits().isEmpty() ? "BestEffort" : "Guaranteed");
        ObjectNode containerStatus = status.putArray("containerStatuses").addObject()
                .put("name", containerName(pod))
                .put("ready", ready)
                .put("restartCount", 0)
                .put("started", ready)
                .put("image", "registry.local/" + containerName(pod) + ":latest");
        if (ready) {
            containerStatus.putObject("state").putObject("running").put("startedAt", now);
        }
        else {
            containerStatus.putObject("state").putObject("waiting").put("reason", "ContainerCreating");
        }
        if (!pod.initContainers().isEmpty()) {
            ArrayNode initStatuses = status.putArray("initContainerStatuses");
            for (SimulatedPod.InitContainer initContainer : pod.initContainers()) {
                ObjectNode initStatus = initStatuses.addObject()
                        .put("name", initContainer.name())
                        .put("ready", ready)
                        .put("restartCount", 0)
                        .put("started", ready && initContainer.sidecar())
                        .put("image", "registry.local/" + initContainer.name() + ":latest");
                if (!ready) {
                    initStatus.putObject("state").putObject("waiting").put("reason", "PodInitializing");
                }
                else if (initContainer.sidecar()) {
                    initStatus.putObject("state").putObject("running").put("startedAt", now);
                }
                else {
                    initStatus.putObject("state").putObject("terminated").put("exitCode", 0).put("reason", "Completed").put("startedAt", now).put("finishedAt", now);
                }
            }
        }
        pods.put(key, object);
        podSources.put(key, pod);
        return metadata.get("uid").asText();
    }

    private static String containerName(SimulatedPod pod)
    {
        return pod.labels().getOrDefault("app", pod.labels().getOrDefault("k8s-app", "main"));
    }

    /**
     * The pod's containers have ended, as a Job's pod or the GPU operator's validator ends: phase
     * {@code Succeeded} (every container exited 0) or {@code Failed}; not Ready, every container
     * terminated. It stays listed, as the API server keeps it, until it is deleted.
     */
    public void finishPod(String namespace, String name, String phase)
    {
        if (!phase.equals("Succeeded") && !phase.equals("Failed")) {
            throw new IllegalArgumentException("phase must be Succeeded or Failed, got " + phase);
        }
        synchronized (lock) {
            ObjectNode pod = pods.get(namespace + "/" + name);
            if (pod == null) {
                throw new IllegalArgumentException("no pod " + namespace + "/" + name);
            }
            String now = timestamp(Instant.now());
            boolean succeeded = phase.equals("Succeeded");
            ObjectNode status = (ObjectNode) pod.get("status");
            status.put("phase", phase);
            for (JsonNode condition : status.path("conditions")) {
                String type = condition.path("type").asText();
                if (type.equals("Ready") || type.equals("ContainersReady") || type.equals("PodReadyToStartContainers")) {
                    ((ObjectNode) condition).put("status", "False").put("reason", succeeded ? "PodCompleted" : "PodFailed").put("lastTransitionTime", now);
                }
            }
            for (String statuses : List.of("initContainerStatuses", "containerStatuses")) {
                for (JsonNode container : status.path(statuses)) {
                    ObjectNode containerStatus = (ObjectNode) container;
                    String startedAt = container.at("/state/running/startedAt").asText(container.at("/state/terminated/startedAt").asText(now));
                    boolean failedHere = !succeeded && statuses.equals("containerStatuses");
                    containerStatus.put("ready", false).put("started", false);
                    containerStatus.putObject("state").putObject("terminated")
                            .put("exitCode", failedHere ? 1 : 0)
                            .put("reason", failedHere ? "Error" : "Completed")
                            .put("startedAt", startedAt)
                            .put("finishedAt", now);
                }
            }
            ((ObjectNode) pod.get("metadata")).put("resourceVersion", nextResourceVersion());
        }
    }

    /**
     * Adds an {@code apps/v1} DaemonSet selecting {@code matchLabels} and answers the owner
     * reference its pods carry.
     */
    public OwnerReference addDaemonSet(String namespace, String name, Map<String, String> matchLabels)
    {
        requireNonNull(namespace, "namespace is null");
        requireNonNull(name, "name is null");
        requireNonNull(matchLabels, "matchLabels is null");
        synchronized (lock) {
            String key = namespace + "/" + name;
            if (daemonSets.containsKey(key)) {
                throw new IllegalArgumentException("daemon set " + key + " already exists");
            }
            ObjectNode object = newObject("apps/v1", "DaemonSet", Optional.of(namespace), name);
            putStrings(((ObjectNode) object.get("metadata")).putObject("labels"), new TreeMap<>(matchLabels));
            ((ObjectNode) object.get("metadata")).put("generation", 1);
            ObjectNode spec = object.putObject("spec");
            putStrings(spec.putObject("selector").putObject("matchLabels"), new TreeMap<>(matchLabels));
            ObjectNode template = spec.putObject("template");
            putStrings(template.putObject("metadata").putObject("labels"), new TreeMap<>(matchLabels));
            template.putObject("spec").putArray("containers").addObject().put("name", name).put("image", "registry.local/" + name + ":latest");
            spec.putObject("updateStrategy").put("type", "RollingUpdate");
            daemonSets.put(key, object);
            return new OwnerReference("apps/v1", "DaemonSet", name, object.at("/metadata/uid").asText(), true);
        }
    }

    /**
     * Adds a {@code policy/v1} PodDisruptionBudget with {@code minAvailable} over the pods with
     * {@code matchLabels}.
     *
     * @param blockedFor how long it refuses evictions from the first eviction attempt of one of its
     *         pods; empty to refuse them forever
     */
    public void addPodDisruptionBudget(String name, String namespace, Map<String, String> matchLabels, int minAvailable, Optional<Duration> blockedFor)
    {
        requireNonNull(name, "name is null");
        requireNonNull(namespace, "namespace is null");
        requireNonNull(matchLabels, "matchLabels is null");
        requireNonNull(blockedFor, "blockedFor is null");
        if (matchLabels.isEmpty()) {
            throw new IllegalArgumentException("matchLabels is empty");
        }
        synchronized (lock) {
            String key = namespace + "/" + name;
            if (budgets.containsKey(key)) {
                throw new IllegalArgumentException("pod disruption budget " + key + " already exists");
            }
            ObjectNode object = newObject("policy/v1", "PodDisruptionBudget", Optional.of(namespace), name);
            ((ObjectNode) object.get("metadata")).put("generation", 1);
            ObjectNode spec = object.putObject("spec").put("minAvailable", minAvailable);
            putStrings(spec.putObject("selector").putObject("matchLabels"), new TreeMap<>(matchLabels));
            budgets.put(key, new Budget(object, matchLabels, minAvailable, blockedFor));
        }
    }

    /**
     * The Node as a GET would answer it.
     */
    public Optional<JsonNode> node(String name)
    {
        synchronized (lock) {
            return Optional.ofNullable(nodes.get(name)).map(ObjectNode::deepCopy);
        }
    }

    /**
     * Every pod, terminating ones included, in namespace/name order.
     */
    public List<JsonNode> pods()
    {
        synchronized (lock) {
            return pods.values().stream().map(pod -> (JsonNode) pod.deepCopy()).toList();
        }
    }

    /**
     * {@code namespace/name} of every eviction request received, in order, whatever its answer.
     */
    public List<String> evictionRequests()
    {
        synchronized (lock) {
            return List.copyOf(evictionRequests);
        }
    }

    public int requestCount()
    {
        return requestCount.get();
    }

    /**
     * The next {@code count} authenticated requests are answered {@code status} (500, 503, 429, ...)
     * with the API server's Status for that code, and not carried out.
     */
    public void failNextRequests(int count, int status)
    {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error status, got " + status);
        }
        synchronized (lock) {
            failingStatus = status;
            failingRequests.set(count);
        }
    }

    /**
     * Someone else edits the Node just before the next write to it arrives: a label
     * {@code rackpilot.io/concurrent-edit} is set and the resourceVersion bumped, so a write with
     * the version read before gets 409.
     */
    public void modifyBeforeNextWrite(String nodeName)
    {
        synchronized (lock) {
            if (!nodes.containsKey(nodeName)) {
                throw new IllegalArgumentException("no node " + nodeName + " in the simulator");
            }
            concurrentEdits.add(nodeName);
        }
    }


    /**
     * How long a DaemonSet's replacement pod stays Pending (not Ready) before it runs and is Ready
     * ({@link #DEFAULT_REPLACEMENT_DELAY} unless set).
     */
    public void setReplacementDelay(Duration delay)
    {
        requireNonNull(delay, "delay is null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay is negative: " + delay);
        }
        synchronized (lock) {
            replacementDelay = delay;
        }
    }

    /**
     * The replacements of this DaemonSet's pods stay Pending and never become Ready (an image that
     * cannot be pulled, a crash loop), until {@link #unstallDaemonSet} is called.
     */
    public void stallDaemonSet(String namespace, String name)
    {
        synchronized (lock) {
            stalledDaemonSets.add(namespace + "/" + name);
        }
    }

    /**
     * The pending replacements of this DaemonSet become Ready after the replacement delay, as do
     * later ones.
     */
    public void unstallDaemonSet(String namespace, String name)
    {
        synchronized (lock) {
            if (stalledDaemonSets.remove(namespace + "/" + name)) {
                for (Map.Entry<String, ObjectNode> entry : pods.entrySet()) {
                    if (entry.getValue().at("/status/phase").asText().equals("Pending") && daemonSetOf(entry.getKey()).map((namespace + "/" + name)::equals).orElse(false)) {
                        scheduleReady(entry.getKey(), entry.getValue().at("/metadata/uid").asText());
                    }
                }
            }
        }
    }

    /**
     * Where the simulator learns how many GPUs each node's VM holds now (for example from the
     * Proxmox simulator: the cards passed through to the VM while it runs). Consulted, under the
     * simulator's lock, at every request and for every Node, so it must be quick and must not call
     * back into this simulator; a null or negative answer counts as none. See
     * {@link #cardsOnNode(String, int)} for what a change does.
     */
    public void setGpuPresence(Function<String, Integer> gpusOnNode)
    {
        requireNonNull(gpusOnNode, "gpusOnNode is null");
        synchronized (lock) {
            gpuPresence = Optional.of(gpusOnNode);
            syncGpuPresence();
        }
    }

    /**
     * The node now holds this many GPUs, as the kubelet would see it. A node that gains cards keeps
     * its {@code nvidia.com/gpu} capacity and allocatable as they were (absent or 0) until its
     * NVIDIA device plugin pod is restarted: the replacement, once Ready, sets both to the count. A
     * node that loses cards keeps the stale capacity, and its allocatable drops to what is left (0),
     * until the resource is removed through the status subresource; a later restart of the device
     * plugin sets it again only when the node holds cards. With {@link #setGpuPresence} set, the
     * function's next answer overrides this.
     */
    public void cardsOnNode(String node, int count)
    {
        requireNonNull(node, "node is null");
        if (count < 0) {
            throw new IllegalArgumentException("count is negative: " + count);
        }
        synchronized (lock) {
            if (!nodes.containsKey(node)) {
                throw new IllegalArgumentException("no node " + node + " in the simulator");
            }
            cardsChanged(node, count);
        }
    }

    /**
     * The GPUs the simulator believes the node holds now.
     */
    public int cardsOnNode(String node)
    {
        synchronized (lock) {
            return gpuCards.getOrDefault(node, 0);
        }
    }

    /**
     * Every answer waits this long first.
     */
    public void setResponseDelay(Duration delay)
    {
        requireNonNull(delay, "delay is null");
        synchronized (lock) {
            responseDelay = delay;
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        scheduler.shutdownNow();
    }

    private void handle(HttpExchange exchange)
            throws IOException
    {
        requestCount.incrementAndGet();
        Duration delay;
        synchronized (lock) {
            delay = responseDelay;
        }
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int status;
        JsonNode body;
        try {
            Answer answer = route(exchange);
            status = answer.status();
            body = answer.body();
        }
        catch (ApiStatusException error) {
            status = error.code();
            body = error.status();
        }
        catch (RuntimeException e) {
            ApiStatusException error = ApiStatusException.internalError("simulator: " + e);
            status = error.code();
            body = error.status();
        }
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Audit-Id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().set("Cache-Control", "no-cache, private");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private record Answer(int status, JsonNode body) {}

    private record Request(String method, List<String> path, Map<String, String> query, String contentType, byte[] body)
    {
        Optional<String> parameter(String name)
        {
            return Optional.ofNullable(query.get(name));
        }

        JsonNode json()
        {
            if (body.length == 0) {
                throw ApiStatusException.badRequest("the body of the request was empty");
            }
            try {
                return MAPPER.readTree(body);
            }
            catch (JsonProcessingException e) {
                throw ApiStatusException.badRequest("error decoding the request body as JSON: " + e.getOriginalMessage());
            }
            catch (IOException e) {
                throw ApiStatusException.badRequest("error reading the request body: " + e.getMessage());
            }
        }
    }

    private Answer route(HttpExchange exchange)
            throws IOException
    {
        String rawPath = exchange.getRequestURI().getRawPath();
        List<String> path = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                path.add(URLDecoder.decode(segment, StandardCharsets.UTF_8));
            }
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        boolean publicPath = path.size() == 1 && List.of("version", "healthz", "livez", "readyz").contains(path.get(0));
        if (header == null ? !publicPath : !header.startsWith("Bearer ") || !tokens.contains(header.substring("Bearer ".length()).strip())) {
            throw ApiStatusException.unauthorized();
        }
        synchronized (lock) {
            if (failingRequests.getAndUpdate(count -> Math.max(0, count - 1)) > 0) {
                throw ApiStatusException.injected(failingStatus);
            }
        }
        String contentType = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        int semicolon = contentType.indexOf(';');
        Request request = new Request(
                exchange.getRequestMethod(),
                path,
                parseQuery(exchange.getRequestURI().getRawQuery()),
                (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT),
                exchange.getRequestBody().readAllBytes());
        if (request.parameter("watch").map(value -> value.equals("true") || value.equals("1")).orElse(false)) {
            throw ApiStatusException.methodNotAllowed();
        }
        synchronized (lock) {
            syncGpuPresence();
            return dispatch(request);
        }
    }

    private Answer dispatch(Request request)
    {
        List<String> path = request.path();
        if (path.size() == 1 && List.of("healthz", "livez", "readyz").contains(path.get(0))) {
            return new Answer(200, JSON.textNode("ok"));
        }
        if (path.equals(List.of("version"))) {
            requireGet(request);
            return new Answer(200, Discovery.version());
        }
        if (path.equals(List.of("api"))) {
            requireGet(request);
            return new Answer(200, Discovery.apiVersions(apiUrl()));
        }
        if (path.equals(List.of("apis"))) {
            requireGet(request);
            return new Answer(200, Discovery.groups());
        }
        if (path.size() >= 2 && path.get(0).equals("api") && path.get(1).equals("v1")) {
            return core(request, path.subList(2, path.size()));
        }
        if (path.size() >= 3 && path.get(0).equals("apis") && path.get(1).equals("policy") && path.get(2).equals("v1")) {
            return readOnly(request, path.subList(3, path.size()), "policy", "poddisruptionbudgets", Discovery.POLICY_RESOURCES);
        }
        if (path.size() >= 3 && path.get(0).equals("apis") && path.get(1).equals("apps") && path.get(2).equals("v1")) {
            return readOnly(request, path.subList(3, path.size()), "apps", "daemonsets", Discovery.APPS_RESOURCES);
        }
        throw ApiStatusException.resourceNotFound();
    }

    private Answer core(Request request, List<String> path)
    {
        if (path.isEmpty()) {
            requireGet(request);
            return new Answer(200, Discovery.coreResources());
        }
        String resource = path.get(0);
        if (resource.equals("nodes")) {
            if (path.size() == 1) {
                requireGet(request);
                return new Answer(200, list("v1", "NodeList", nodes.values(), selectors(request, FieldSelector.NODE_FIELDS)));
            }
            if (path.size() == 2) {
                return node(request, path.get(1));
            }
            if (path.size() == 3 && path.get(2).equals("status")) {
                return nodeStatus(request, path.get(1));
            }
            throw ApiStatusException.resourceNotFound();
        }
        if (resource.equals("pods") && path.size() == 1) {
            requireGet(request);
            return new Answer(200, list("v1", "PodList", pods.values(), selectors(request, FieldSelector.POD_FIELDS)));
        }
        if (resource.equals("namespaces") && path.size() >= 3 && path.get(2).equals("pods")) {
            String namespace = path.get(1);
            if (path.size() == 3) {
                requireGet(request);
                Predicate<JsonNode> selected = selectors(request, FieldSelector.POD_FIELDS);
                return new Answer(200, list("v1", "PodList", pods.values(), pod -> pod.at("/metadata/namespace").asText().equals(namespace) && selected.test(pod)));
            }
            String name = path.get(3);
            if (path.size() == 4) {
                return pod(request, namespace, name);
            }
            if (path.size() == 5 && path.get(4).equals("eviction")) {
                if (!request.method().equals("POST")) {
                    throw ApiStatusException.methodNotAllowed();
                }
                return evict(request, namespace, name);
            }
        }
        throw ApiStatusException.resourceNotFound();
    }

    private Answer readOnly(Request request, List<String> path, String group, String resource, ObjectNode discovery)
    {
        if (path.isEmpty()) {
            requireGet(request);
            return new Answer(200, discovery);
        }
        String listKind = resource.equals("daemonsets") ? "DaemonSetList" : "PodDisruptionBudgetList";
        String apiVersion = group + "/v1";
        if (path.size() == 1 && path.get(0).equals(resource)) {
            requireGet(request);
            return new Answer(200, list(apiVersion, listKind, objects(resource), selectors(request, FieldSelector.OBJECT_FIELDS)));
        }
        if (path.size() >= 3 && path.get(0).equals("namespaces") && path.get(2).equals(resource)) {
            String namespace = path.get(1);
            if (path.size() == 3) {
                requireGet(request);
                Predicate<JsonNode> selected = selectors(request, FieldSelector.OBJECT_FIELDS);
                return new Answer(200, list(apiVersion, listKind, objects(resource), object -> object.at("/metadata/namespace").asText().equals(namespace) && selected.test(object)));
            }
            if (path.size() == 4) {
                String name = path.get(3);
                ObjectNode object = objects(resource).stream()
                        .filter(candidate -> candidate.at("/metadata/namespace").asText().equals(namespace) && candidate.at("/metadata/name").asText().equals(name))
                        .findFirst()
                        .orElse(null);
                if (request.method().equals("GET")) {
                    if (object == null) {
                        throw ApiStatusException.notFound(group, resource, name);
                    }
                    return new Answer(200, object);
                }
                throw ApiStatusException.methodNotAllowed();
            }
        }
        throw ApiStatusException.resourceNotFound();
    }

    private List<ObjectNode> objects(String resource)
    {
        if (resource.equals("daemonsets")) {
            List<ObjectNode> result = new ArrayList<>();
            for (ObjectNode daemonSet : daemonSets.values()) {
                result.add(daemonSetWithStatus(daemonSet));
            }
            return result;
        }
        Instant now = Instant.now();
        List<ObjectNode> result = new ArrayList<>();
        for (Budget budget : budgets.values()) {
            result.add(budgetWithStatus(budget, now));
        }
        return result;
    }

    private ObjectNode daemonSetWithStatus(ObjectNode daemonSet)
    {
        String uid = daemonSet.at("/metadata/uid").asText();
        long scheduled = pods.values().stream().filter(pod -> ownedBy(pod, uid)).count();
        long ready = pods.values().stream().filter(pod -> ownedBy(pod, uid) && !pod.at("/metadata/deletionTimestamp").isTextual()).count();
        ObjectNode copy = daemonSet.deepCopy();
        copy.putObject("status")
                .put("currentNumberScheduled", scheduled)
                .put("desiredNumberScheduled", scheduled)
                .put("numberAvailable", ready)
                .put("numberMisscheduled", 0)
                .put("numberReady", ready)
                .put("observedGeneration", 1)
                .put("updatedNumberScheduled", scheduled);
        return copy;
    }

    private static boolean ownedBy(JsonNode pod, String uid)
    {
        for (JsonNode owner : pod.at("/metadata/ownerReferences")) {
            if (owner.path("uid").asText().equals(uid)) {
                return true;
            }
        }
        return false;
    }

    private record BudgetStatus(int expectedPods, int currentHealthy, int desiredHealthy, int disruptionsAllowed) {}

    private BudgetStatus budgetStatus(Budget budget, Instant now)
    {
        String namespace = budget.object.at("/metadata/namespace").asText();
        int expected = 0;
        int healthy = 0;
        for (ObjectNode pod : pods.values()) {
            if (pod.at("/metadata/namespace").asText().equals(namespace) && LabelSelector.matchesAll(budget.matchLabels, labels(pod))) {
                expected++;
                if (!pod.at("/metadata/deletionTimestamp").isTextual() && pod.at("/status/phase").asText().equals("Running")) {
                    healthy++;
                }
            }
        }
        int allowed = budget.blocked(now) ? 0 : Math.max(1, healthy - budget.minAvailable);
        return new BudgetStatus(expected, healthy, budget.minAvailable, allowed);
    }

    private ObjectNode budgetWithStatus(Budget budget, Instant now)
    {
        BudgetStatus computed = budgetStatus(budget, now);
        ObjectNode copy = budget.object.deepCopy();
        ObjectNode status = copy.putObject("status")
                .put("currentHealthy", computed.currentHealthy())
                .put("desiredHealthy", computed.desiredHealthy())
                .put("disruptionsAllowed", computed.disruptionsAllowed())
                .put("expectedPods", computed.expectedPods())
                .put("observedGeneration", 1);
        boolean allowed = computed.disruptionsAllowed() > 0;
        status.putArray("conditions").addObject()
                .put("type", "DisruptionAllowed")
                .put("status", allowed ? "True" : "False")
                .put("reason", allowed ? "SufficientPods" : "InsufficientPods")
                .put("message", "")
                .put("observedGeneration", 1)
                .put("lastTransitionTime", copy.at("/metadata/creationTimestamp").asText());
        return copy;
    }

    private Answer node(Request request, String name)
    {
        switch (request.method()) {
            case "GET" -> {
                return new Answer(200, requireNode(name));
            }
            case "PATCH" -> {
                applyConcurrentEdit(name);
                ObjectNode current = requireNode(name);
                return new Answer(200, updateNode(name, current, patched(request, current), true));
            }
            case "PUT" -> {
                applyConcurrentEdit(name);
                ObjectNode current = requireNode(name);
                if (!request.contentType().equals("application/json")) {
                    throw ApiStatusException.unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/cbor");
                }
                return new Answer(200, updateNode(name, current, request.json(), false));
            }
            default -> throw ApiStatusException.methodNotAllowed();
        }
    }

    private static JsonNode patched(Request request, ObjectNode current)
    {
        JsonNode patch = request.json();
        return switch (request.contentType()) {
            case "application/merge-patch+json" -> JsonPatches.mergePatch(current, patch);
            case "application/json-patch+json" -> JsonPatches.jsonPatch(current, patch);
            case "application/strategic-merge-patch+json" -> JsonPatches.strategicMergePatch(current, patch, NODE_MERGE_KEYS);
            case "application/apply-patch+yaml" -> throw ApiStatusException.unsupportedMediaType("the simulated API server does not implement server-side apply (application/apply-patch+yaml)");
            default -> throw ApiStatusException.unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: "
                    + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json, application/apply-patch+cbor");
        };
    }

    private void syncGpuPresence()
    {
        if (gpuPresence.isEmpty()) {
            return;
        }
        for (String node : List.copyOf(nodes.keySet())) {
            Integer answer = gpuPresence.get().apply(node);
            cardsChanged(node, answer == null ? 0 : Math.max(0, answer));
        }
    }

    private void cardsChanged(String nodeName, int count)
    {
        int before = gpuCards.getOrDefault(nodeName, 0);
        gpuCards.put(nodeName, count);
        if (count >= before) {
            // the kubelet learns of new cards only when the device plugin registers them again
            return;
        }
        ObjectNode node = nodes.get(nodeName);
        JsonNode allocatable = node.at("/status/allocatable/" + escapePointer(GPU_RESOURCE));
        if (allocatable.isTextual() && quantity(allocatable.asText()) > count) {
            ((ObjectNode) node.at("/status/allocatable")).put(GPU_RESOURCE, Integer.toString(count));
            ((ObjectNode) node.get("metadata")).put("resourceVersion", nextResourceVersion());
        }
    }

    private void devicePluginRegistered(String nodeName)
    {
        ObjectNode node = nodes.get(nodeName);
        int count = gpuCards.getOrDefault(nodeName, 0);
        if (node == null || count == 0) {
            return;
        }
        String value = Integer.toString(count);
        ObjectNode status = node.with("status");
        if (value.equals(status.with("capacity").path(GPU_RESOURCE).asText(null)) && value.equals(status.with("allocatable").path(GPU_RESOURCE).asText(null))) {
            return;
        }
        status.with("capacity").put(GPU_RESOURCE, value);
        status.with("allocatable").put(GPU_RESOURCE, value);
        ((ObjectNode) node.get("metadata")).put("resourceVersion", nextResourceVersion());
    }

    private static int quantity(String text)
    {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(text);
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String escapePointer(String key)
    {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /**
     * A pod is gone; a DaemonSet's pod is replaced on the same node, as its controller does: a new
     * name and UID, Pending until the replacement delay has passed, then Running and Ready.
     */
    private void removePod(String key)
    {
        pods.remove(key);
        nextResourceVersion();
        SimulatedPod source = podSources.remove(key);
        if (source == null || !nodes.containsKey(source.nodeName())) {
            return;
        }
        for (OwnerReference owner : source.owners()) {
            if (owner.kind().equals("DaemonSet") && daemonSets.values().stream().anyMatch(daemonSet -> daemonSet.at("/metadata/uid").asText().equals(owner.uid()))) {
                String name;
                do {
                    name = owner.name() + "-" + randomSuffix();
                }
                while (pods.containsKey(source.namespace() + "/" + name));
                SimulatedPod replacement = new SimulatedPod(source.namespace(), name, source.nodeName(), source.labels(), source.annotations(),
                        source.owners(), source.limits(), source.initContainers(), source.terminationGracePeriod());
                String uid = insertPod(replacement, false);
                if (!stalledDaemonSets.contains(source.namespace() + "/" + owner.name())) {
                    scheduleReady(source.namespace() + "/" + name, uid);
                }
                return;
            }
        }
    }

    private Optional<String> daemonSetOf(String podKey)
    {
        SimulatedPod source = podSources.get(podKey);
        if (source == null) {
            return Optional.empty();
        }
        return source.owners().stream().filter(owner -> owner.kind().equals("DaemonSet")).map(owner -> source.namespace() + "/" + owner.name()).findFirst();
    }

    private void scheduleReady(String key, String uid)
    {
        scheduler.schedule(() -> {
            synchronized (lock) {
                ObjectNode pod = pods.get(key);
                if (pod == null || !pod.at("/metadata/uid").asText().equals(uid) || daemonSetOf(key).map(stalledDaemonSets::contains).orElse(false)) {
                    return;
                }
                markReady(pod);
                SimulatedPod source = podSources.get(key);
                if (source != null && DEVICE_PLUGIN_LABELS.entrySet().stream().anyMatch(label -> label.getValue().equals(source.labels().get(label.getKey())))) {
                    devicePluginRegistered(source.nodeName());
                }
            }
        }, replacementDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void markReady(ObjectNode pod)
    {
        String now = timestamp(Instant.now());
        ObjectNode status = (ObjectNode) pod.get("status");
        status.put("phase", "Running");
        for (JsonNode condition : status.path("conditions")) {
            if (!condition.path("status").asText().equals("True")) {
                ((ObjectNode) condition).put("status", "True").put("lastTransitionTime", now);
            }
        }
        for (JsonNode container : status.path("containerStatuses")) {
            ObjectNode containerStatus = (ObjectNode) container;
            containerStatus.put("ready", true).put("started", true);
            containerStatus.putObject("state").putObject("running").put("startedAt", now);
        }
        JsonNode initContainers = pod.at("/spec/initContainers");
        for (int index = 0; index < status.path("initContainerStatuses").size(); index++) {
            ObjectNode initStatus = (ObjectNode) status.path("initContainerStatuses").get(index);
            boolean sidecar = initContainers.path(index).path("restartPolicy").asText().equals("Always");
            initStatus.put("ready", true).put("started", sidecar);
            if (sidecar) {
                initStatus.putObject("state").putObject("running").put("startedAt", now);
            }
            else {
                initStatus.putObject("state").putObject("terminated").put("exitCode", 0).put("reason", "Completed").put("startedAt", now).put("finishedAt", now);
            }
        }
        ((ObjectNode) pod.get("metadata")).put("resourceVersion", nextResourceVersion());
    }

    private static String randomSuffix()
    {
        StringBuilder suffix = new StringBuilder();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int index = 0; index < 5; index++) {
            suffix.append(NAME_ALPHABET.charAt(random.nextInt(NAME_ALPHABET.length())));
        }
        return suffix.toString();
    }

    /**
     * The status subresource: GET answers the Node, PATCH changes only its status (the rest of the
     * patch is ignored, as the API server's status strategy does), with the same resourceVersion
     * precondition as the Node itself.
     */
    private Answer nodeStatus(Request request, String name)
    {
        switch (request.method()) {
            case "GET" -> {
                return new Answer(200, requireNode(name));
            }
            case "PATCH" -> {
                applyConcurrentEdit(name);
                ObjectNode current = requireNode(name);
                JsonNode patched = patched(request, current);
                if (!patched.isObject()) {
                    throw ApiStatusException.badRequest("the body of the request is not a Node");
                }
                String currentVersion = current.at("/metadata/resourceVersion").asText();
                String givenVersion = patched.at("/metadata/resourceVersion").asText("");
                if (!givenVersion.isEmpty() && !givenVersion.equals(currentVersion)) {
                    throw ApiStatusException.conflict("", "nodes", name);
                }
                ObjectNode node = current.deepCopy();
                JsonNode status = patched.get("status");
                node.set("status", status == null || !status.isObject() ? JSON.objectNode() : status.deepCopy());
                if (JsonPatches.equal(node, current)) {
                    return new Answer(200, current);
                }
                ((ObjectNode) node.get("metadata")).put("resourceVersion", nextResourceVersion());
                nodes.put(name, node);
                return new Answer(200, node.deepCopy());
            }
            default -> throw ApiStatusException.methodNotAllowed();
        }
    }

    private void applyConcurrentEdit(String name)
    {
        if (concurrentEdits.remove(name)) {
            ObjectNode node = nodes.get(name);
            if (node != null) {
                ObjectNode metadata = (ObjectNode) node.get("metadata");
                metadata.with("labels").put(CONCURRENT_EDIT_LABEL, Long.toString(resourceVersion + 1));
                metadata.put("resourceVersion", nextResourceVersion());
            }
        }
    }

    private ObjectNode updateNode(String name, ObjectNode current, JsonNode updated, boolean patch)
    {
        if (!updated.isObject()) {
            throw ApiStatusException.badRequest("the body of the request is not a Node");
        }
        ObjectNode node = ((ObjectNode) updated).deepCopy();
        String kind = node.path("kind").asText("Node");
        if (!kind.equals("Node") || !node.path("apiVersion").asText("v1").equals("v1")) {
            throw ApiStatusException.badRequest("the API version in the data (" + node.path("apiVersion").asText("") + ") does not match the expected API version (v1)");
        }
        ObjectNode metadata = node.with("metadata");
        String currentVersion = current.at("/metadata/resourceVersion").asText();
        String givenVersion = metadata.path("resourceVersion").asText("");
        if (!givenVersion.isEmpty() && !givenVersion.equals(currentVersion)) {
            throw ApiStatusException.conflict("", "nodes", name);
        }
        String givenName = metadata.path("name").asText(patch ? name : "");
        if (!givenName.equals(name)) {
            throw ApiStatusException.badRequest("the name of the object (" + givenName + ") does not match the name on the URL (" + name + ")");
        }
        String uid = current.at("/metadata/uid").asText();
        if (metadata.has("uid") && !metadata.path("uid").asText().equals(uid)) {
            throw ApiStatusException.conflict("", "nodes", name);
        }
        if (metadata.hasNonNull("namespace") && !metadata.path("namespace").asText().isEmpty()) {
            throw ApiStatusException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        node.put("kind", "Node").put("apiVersion", "v1");
        metadata.put("name", name);
        metadata.put("uid", uid);
        metadata.set("creationTimestamp", current.at("/metadata/creationTimestamp"));
        metadata.put("resourceVersion", currentVersion);
        // as the Node strategy does: status changes go through /status only
        node.set("status", current.get("status").deepCopy());
        List<ApiStatusException.FieldError> errors = NodeValidation.validate(node);
        if (!errors.isEmpty()) {
            throw ApiStatusException.invalid("Node", "", name, errors);
        }
        if (JsonPatches.equal(node, current)) {
            return current.deepCopy();
        }
        metadata.put("resourceVersion", nextResourceVersion());
        nodes.put(name, node);
        return node.deepCopy();
    }

    private ObjectNode requireNode(String name)
    {
        ObjectNode node = nodes.get(name);
        if (node == null) {
            throw ApiStatusException.notFound("", "nodes", name);
        }
        return node.deepCopy();
    }

    private Answer pod(Request request, String namespace, String name)
    {
        ObjectNode pod = pods.get(namespace + "/" + name);
        switch (request.method()) {
            case "GET" -> {
                if (pod == null) {
                    throw ApiStatusException.notFound("", "pods", name);
                }
                return new Answer(200, pod.deepCopy());
            }
            case "DELETE" -> {
                if (pod == null) {
                    throw ApiStatusException.notFound("", "pods", name);
                }
                JsonNode options = request.body().length == 0 ? JSON.objectNode() : request.json();
                checkPreconditions(pod, options, name);
                Optional<Long> gracePeriod = request.parameter("gracePeriodSeconds").map(KubernetesSimulator::gracePeriodParameter)
                        .or(() -> options.hasNonNull("gracePeriodSeconds") ? Optional.of(options.get("gracePeriodSeconds").asLong()) : Optional.empty());
                return new Answer(200, deletePod(namespace, name, gracePeriod));
            }
            default -> throw ApiStatusException.methodNotAllowed();
        }
    }

    private static long gracePeriodParameter(String text)
    {
        try {
            return Long.parseLong(text);
        }
        catch (NumberFormatException e) {
            throw ApiStatusException.badRequest("strconv.ParseInt: parsing \"" + text + "\": invalid syntax");
        }
    }

    private static void checkPreconditions(ObjectNode pod, JsonNode options, String name)
    {
        JsonNode preconditions = options.path("preconditions");
        String uid = pod.at("/metadata/uid").asText();
        if (preconditions.hasNonNull("uid") && !preconditions.get("uid").asText().equals(uid)) {
            throw new ApiStatusException(409, "Conflict",
                    "Operation cannot be fulfilled on Pod \"" + name + "\": Precondition failed: UID in precondition: " + preconditions.get("uid").asText() + ", UID in object meta: " + uid,
                    JSON.objectNode().put("name", name).put("kind", "Pod"));
        }
        String version = pod.at("/metadata/resourceVersion").asText();
        if (preconditions.hasNonNull("resourceVersion") && !preconditions.get("resourceVersion").asText().equals(version)) {
            throw new ApiStatusException(409, "Conflict",
                    "Operation cannot be fulfilled on Pod \"" + name + "\": Precondition failed: ResourceVersion in precondition: " + preconditions.get("resourceVersion").asText() + ", ResourceVersion in object meta: " + version,
                    JSON.objectNode().put("name", name).put("kind", "Pod"));
        }
    }

    /**
     * Graceful deletion: the pod gets its deletionTimestamp now and goes when its grace period ends
     * (at once for a grace period of zero). Answers the pod as it is after the call.
     */
    private ObjectNode deletePod(String namespace, String name, Optional<Long> requestedGracePeriod)
    {
        String key = namespace + "/" + name;
        ObjectNode pod = pods.get(key);
        long gracePeriod = Math.max(0, requestedGracePeriod.orElse(pod.at("/spec/terminationGracePeriodSeconds").asLong(30)));
        ObjectNode metadata = (ObjectNode) pod.get("metadata");
        if (metadata.has("deletionGracePeriodSeconds") && metadata.get("deletionGracePeriodSeconds").asLong() <= gracePeriod) {
            return pod.deepCopy();
        }
        if (gracePeriod == 0) {
            removePod(key);
            return pod.deepCopy();
        }
        Instant deletion = Instant.now().plusSeconds(gracePeriod);
        metadata.put("deletionTimestamp", timestamp(deletion));
        metadata.put("deletionGracePeriodSeconds", gracePeriod);
        metadata.put("resourceVersion", nextResourceVersion());
        String uid = metadata.get("uid").asText();
        scheduler.schedule(() -> {
            synchronized (lock) {
                ObjectNode stored = pods.get(key);
                if (stored != null && stored.at("/metadata/uid").asText().equals(uid)) {
                    removePod(key);
                }
            }
        }, gracePeriod * 1000, TimeUnit.MILLISECONDS);
        return pod.deepCopy();
    }

    private Answer evict(Request request, String namespace, String name)
    {
        evictionRequests.add(namespace + "/" + name);
        JsonNode eviction = request.json();
        String kind = eviction.path("kind").asText("");
        String apiVersion = eviction.path("apiVersion").asText("");
        if (!kind.equals("Eviction") || !(apiVersion.equals("policy/v1") || apiVersion.equals("policy/v1beta1"))) {
            throw ApiStatusException.badRequest("the body of the request was not a policy/v1 Eviction (kind \"" + kind + "\", apiVersion \"" + apiVersion + "\")");
        }
        String evictedName = eviction.at("/metadata/name").asText("");
        if (!evictedName.equals(name)) {
            throw ApiStatusException.badRequest("name in URL does not match name in Eviction object");
        }
        ObjectNode pod = pods.get(namespace + "/" + name);
        if (pod == null) {
            throw ApiStatusException.notFound("", "pods", name);
        }
        JsonNode options = eviction.path("deleteOptions");
        checkPreconditions(pod, options, name);
        Optional<Long> gracePeriod = options.hasNonNull("gracePeriodSeconds") ? Optional.of(options.get("gracePeriodSeconds").asLong()) : Optional.empty();
        String phase = pod.at("/status/phase").asText();
        boolean ignoresBudgets = pod.at("/metadata/deletionTimestamp").isTextual() || phase.equals("Succeeded") || phase.equals("Failed") || phase.equals("Pending");
        if (!ignoresBudgets) {
            Map<String, String> labels = labels(pod);
            List<Budget> matching = budgets.values().stream()
                    .filter(budget -> budget.object.at("/metadata/namespace").asText().equals(namespace) && LabelSelector.matchesAll(budget.matchLabels, labels))
                    .toList();
            if (matching.size() > 1) {
                throw ApiStatusException.internalError("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
            }
            if (matching.size() == 1) {
                Budget budget = matching.get(0);
                Instant now = Instant.now();
                if (budget.blockedSince.isEmpty()) {
                    budget.blockedSince = Optional.of(now);
                }
                BudgetStatus status = budgetStatus(budget, now);
                if (status.disruptionsAllowed() <= 0) {
                    ObjectNode details = JSON.objectNode();
                    details.putArray("causes").addObject()
                            .put("reason", "DisruptionBudget")
                            .put("message", "The disruption budget " + budget.object.at("/metadata/name").asText() + " needs " + status.desiredHealthy() + " healthy pods and has " + status.currentHealthy() + " currently");
                    throw new ApiStatusException(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", details);
                }
            }
        }
        deletePod(namespace, name, gracePeriod);
        ObjectNode success = JSON.objectNode().put("kind", "Status").put("apiVersion", "v1");
        success.putObject("metadata");
        success.put("status", "Success").put("code", 201);
        return new Answer(201, success);
    }

    private static Map<String, String> labels(JsonNode object)
    {
        Map<String, String> labels = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = object.at("/metadata/labels").fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            labels.put(field.getKey(), field.getValue().asText());
        }
        return labels;
    }

    private static Predicate<JsonNode> selectors(Request request, Map<String, String> fields)
    {
        Optional<LabelSelector> labelSelector = request.parameter("labelSelector").map(LabelSelector::parse);
        Optional<FieldSelector> fieldSelector = request.parameter("fieldSelector").map(text -> FieldSelector.parse(text, fields));
        return object -> labelSelector.map(selector -> selector.matches(labels(object))).orElse(true)
                && fieldSelector.map(selector -> selector.matches(object)).orElse(true);
    }

    private ObjectNode list(String apiVersion, String kind, Iterable<ObjectNode> objects, Predicate<JsonNode> selected)
    {
        ObjectNode list = JSON.objectNode().put("kind", kind).put("apiVersion", apiVersion);
        list.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
        ArrayNode items = list.putArray("items");
        for (ObjectNode object : objects) {
            if (selected.test(object)) {
                ObjectNode item = object.deepCopy();
                item.remove("kind");
                item.remove("apiVersion");
                items.add(item);
            }
        }
        return list;
    }

    private static void requireGet(Request request)
    {
        if (!request.method().equals("GET")) {
            throw ApiStatusException.methodNotAllowed();
        }
    }

    private Optional<String> nodeInternalIp(String nodeName)
    {
        ObjectNode node = nodes.get(nodeName);
        if (node == null) {
            return Optional.empty();
        }
        for (JsonNode address : node.at("/status/addresses")) {
            if (address.path("type").asText().equals("InternalIP")) {
                return Optional.of(address.path("address").asText());
            }
        }
        return Optional.empty();
    }

    private ObjectNode newObject(String apiVersion, String kind, Optional<String> namespace, String name)
    {
        ObjectNode object = JSON.objectNode().put("kind", kind).put("apiVersion", apiVersion);
        ObjectNode metadata = object.putObject("metadata").put("name", name);
        namespace.ifPresent(value -> metadata.put("namespace", value));
        metadata.put("uid", UUID.randomUUID().toString())
                .put("resourceVersion", nextResourceVersion())
                .put("creationTimestamp", timestamp(Instant.now()));
        return object;
    }

    private String nextResourceVersion()
    {
        resourceVersion++;
        return Long.toString(resourceVersion);
    }

    private static void condition(ArrayNode conditions, String type, String status, String reason, String message, String now)
    {
        conditions.addObject()
                .put("type", type)
                .put("status", status)
                .put("lastHeartbeatTime", now)
                .put("lastTransitionTime", now)
                .put("reason", reason)
                .put("message", message);
    }

    private static void putStrings(ObjectNode target, Map<String, String> values)
    {
        values.forEach(target::put);
    }

    static String timestamp(Instant instant)
    {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Map<String, String> parseQuery(String text)
    {
        Map<String, String> query = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) {
            return query;
        }
        for (String pair : text.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }
}
