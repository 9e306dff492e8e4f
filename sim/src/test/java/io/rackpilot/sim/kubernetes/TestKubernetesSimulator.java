package io.rackpilot.sim.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.rackpilot.common.tls.PemFiles;
import io.rackpilot.plan.TaintEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestKubernetesSimulator
{
    private static final String TOKEN = "node-agent-token";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path directory;

    private KubernetesSimulator simulator;
    private KubernetesClient client;
    private HttpClient http;
    private OwnerReference kubeProxy;

    @BeforeEach
    void start()
            throws Exception
    {
        simulator = KubernetesSimulator.empty(Set.of(TOKEN), directory);
        simulator.addNode(new SimulatedNode("k8s-node1", "4d2b7e10-5a1c-4c8e-9f00-000000000201", Optional.of("10.0.20.101"),
                Map.of("nvidia.com/gpu.present", "true"),
                List.of(new io.rackpilot.plan.Taint("nvidia.com/gpu", "true", TaintEffect.PREFER_NO_SCHEDULE)),
                Map.of("cpu", "16", "memory", "33554432Ki", "nvidia.com/gpu", "1")));
        simulator.addNode(SimulatedNode.worker("k8s-node2", "4d2b7e10-5a1c-4c8e-9f00-000000000202", "10.0.20.102"));
        kubeProxy = simulator.addDaemonSet("kube-system", "kube-proxy", Map.of("k8s-app", "kube-proxy"));
        simulator.addPod(SimulatedPod.of("kube-system", "kube-proxy-abcde", "k8s-node1").withLabels(Map.of("k8s-app", "kube-proxy")).withOwner(kubeProxy));
        simulator.addPod(SimulatedPod.of("kube-system", "kube-proxy-fghjk", "k8s-node2").withLabels(Map.of("k8s-app", "kube-proxy")).withOwner(kubeProxy));
        simulator.addPod(SimulatedPod.of("ml", "ollama-0", "k8s-node1").withLabels(Map.of("app", "ollama")).withLimits(Map.of("nvidia.com/gpu", "1")));
        simulator.addPod(SimulatedPod.of("default", "web-1", "k8s-node1").withLabels(Map.of("app", "web", "tier", "front")));
        simulator.addPod(SimulatedPod.of("default", "web-2", "k8s-node2").withLabels(Map.of("app", "web", "tier", "back")));
        simulator.addPodDisruptionBudget("ollama", "ml", Map.of("app", "ollama"), 1, Optional.of(Duration.ofMillis(1500)));
        client = client(TOKEN);

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.readCertificate(simulator.caCertificate()));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(context).build();
    }

    @AfterEach
    void stop()
    {
        client.close();
        simulator.close();
    }

    private KubernetesClient client(String token)
            throws Exception
    {
        Path kubeconfig = simulator.writeKubeconfig(directory.resolve("kubeconfig-" + token), token);
        Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body, String token)
            throws Exception
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.apiUrl() + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        else {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void authenticatesWithBearerTokensAndAnswersStatusObjects()
            throws Exception
    {
        assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(KubernetesSimulator.KUBERNETES_VERSION);

        try (KubernetesClient stranger = client("wrong-token")) {
            assertThatThrownBy(() -> stranger.nodes().list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getCode()).isEqualTo(401));
        }
        JsonNode unauthorized = MAPPER.readTree(send("GET", "/api/v1/nodes", null, null, null).body());
        assertThat(unauthorized).isEqualTo(MAPPER.readTree("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"""));

        HttpResponse<String> unknown = send("GET", "/api/v1/configmaps", null, null, TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(MAPPER.readTree(unknown.body()).path("reason").asText()).isEqualTo("NotFound");

        HttpResponse<String> missing = send("GET", "/api/v1/nodes/k8s-node9", null, null, TOKEN);
        assertThat(MAPPER.readTree(missing.body())).isEqualTo(MAPPER.readTree("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"nodes \\"k8s-node9\\" not found","reason":"NotFound","details":{"name":"k8s-node9","kind":"nodes"},"code":404}"""));
        assertThat(client.nodes().withName("k8s-node9").get()).isNull();

        HttpResponse<String> create = send("POST", "/api/v1/nodes", "application/json", "{}", TOKEN);
        assertThat(create.statusCode()).isEqualTo(405);
        HttpResponse<String> watch = send("GET", "/api/v1/nodes?watch=true", null, null, TOKEN);
        assertThat(watch.statusCode()).isEqualTo(405);
    }

    @Test
    void listsNodesAndPodsWithSelectors()
    {
        List<Node> nodes = client.nodes().list().getItems();
        assertThat(nodes).extracting(node -> node.getMetadata().getName()).containsExactly("k8s-node1", "k8s-node2");
        Node byUuid = nodes.stream().filter(node -> node.getStatus().getNodeInfo().getSystemUUID().equalsIgnoreCase("4D2B7E10-5A1C-4C8E-9F00-000000000202")).findFirst().orElseThrow();
        assertThat(byUuid.getMetadata().getName()).isEqualTo("k8s-node2");
        assertThat(byUuid.getStatus().getAddresses()).anySatisfy(address -> {
            assertThat(address.getType()).isEqualTo("InternalIP");
            assertThat(address.getAddress()).isEqualTo("10.0.20.102");
        });
        assertThat(client.nodes().withField("metadata.name", "k8s-node1").list().getItems()).hasSize(1);
        assertThat(client.nodes().withLabel("nvidia.com/gpu.present", "true").list().getItems()).extracting(node -> node.getMetadata().getName()).containsExactly("k8s-node1");
        assertThat(client.nodes().withoutLabel("nvidia.com/gpu.present").list().getItems()).extracting(node -> node.getMetadata().getName()).containsExactly("k8s-node2");

        assertThat(names(client.pods().inAnyNamespace().withField("spec.nodeName", "k8s-node1").list().getItems()))
                .containsExactly("default/web-1", "kube-system/kube-proxy-abcde", "ml/ollama-0");
        assertThat(names(client.pods().inNamespace("default").withField("spec.nodeName", "k8s-node2").list().getItems()))
                .containsExactly("default/web-2");
        assertThat(names(client.pods().inAnyNamespace().withField("spec.nodeName", "k8s-node1").withField("status.phase", "Running").withLabel("app").list().getItems()))
                .containsExactly("default/web-1", "ml/ollama-0");
        assertThat(names(client.pods().inAnyNamespace().withLabelIn("app", "web", "ollama").withLabelNotIn("tier", "back").list().getItems()))
                .containsExactly("default/web-1", "ml/ollama-0");
        assertThat(names(client.pods().inAnyNamespace().withLabel("app", "web").withoutLabel("tier", "front").list().getItems()))
                .containsExactly("default/web-2");
        assertThat(names(client.pods().inAnyNamespace().withoutLabel("app").list().getItems()))
                .containsExactly("kube-system/kube-proxy-abcde", "kube-system/kube-proxy-fghjk");
        assertThatThrownBy(() -> client.pods().inAnyNamespace().withField("spec.image", "x").list())
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> {
                    assertThat(error.getCode()).isEqualTo(400);
                    assertThat(error.getStatus().getMessage()).isEqualTo("field label not supported: spec.image");
                });

        DaemonSet daemonSet = client.apps().daemonSets().inNamespace("kube-system").withName("kube-proxy").get();
        assertThat(daemonSet.getMetadata().getUid()).isEqualTo(kubeProxy.uid());
        assertThat(daemonSet.getStatus().getDesiredNumberScheduled()).isEqualTo(2);
        assertThat(client.apps().daemonSets().inNamespace("kube-system").withName("gone").get()).isNull();
        PodDisruptionBudget budget = client.policy().v1().podDisruptionBudget().inNamespace("ml").withName("ollama").get();
        assertThat(budget.getStatus().getDisruptionsAllowed()).isZero();
        assertThat(budget.getStatus().getCurrentHealthy()).isEqualTo(1);
        assertThat(client.policy().v1().podDisruptionBudget().inAnyNamespace().list().getItems()).hasSize(1);
    }

    @Test
    void patchesTaintsWithMergeJsonAndStrategicPatches()
    {
        Node merged = client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"spec":{"taints":[{"key":"nvidia.com/gpu","value":"true","effect":"PreferNoSchedule"}]},"metadata":{"labels":{"nvidia.com/gpu.present":"true"}}}""");
        assertThat(merged.getSpec().getTaints()).hasSize(1);
        assertThat(merged.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.present", "true").containsEntry("kubernetes.io/hostname", "k8s-node2");
        String version = merged.getMetadata().getResourceVersion();

        // a merge patch replaces the list: the taint goes, the other one comes
        Node replaced = client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"spec":{"taints":[{"key":"example.com/maintenance","effect":"NoSchedule"}]},"metadata":{"resourceVersion":"%s"}}""".formatted(version));
        assertThat(replaced.getSpec().getTaints()).extracting(taint -> taint.getKey()).containsExactly("example.com/maintenance");
        assertThat(Long.parseLong(replaced.getMetadata().getResourceVersion())).isGreaterThan(Long.parseLong(version));

        // the node-agent's way: a JSON patch whose first op sets the resourceVersion read
        Node read = client.nodes().withName("k8s-node2").get();
        Node patched = client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON), """
                [{"op":"replace","path":"/metadata/resourceVersion","value":"%s"},
                 {"op":"replace","path":"/spec/taints","value":[]},
                 {"op":"add","path":"/spec/unschedulable","value":true},
                 {"op":"remove","path":"/metadata/labels/nvidia.com~1gpu.present"}]""".formatted(read.getMetadata().getResourceVersion()));
        assertThat(patched.getSpec().getTaints()).isEmpty();
        assertThat(patched.getSpec().getUnschedulable()).isTrue();
        assertThat(patched.getMetadata().getLabels()).doesNotContainKey("nvidia.com/gpu.present");

        assertThatThrownBy(() -> client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON), """
                [{"op":"replace","path":"/metadata/resourceVersion","value":"%s"},{"op":"add","path":"/spec/unschedulable","value":false}]""".formatted(read.getMetadata().getResourceVersion())))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> {
                    assertThat(error.getCode()).isEqualTo(409);
                    assertThat(error.getStatus().getReason()).isEqualTo("Conflict");
                    assertThat(error.getStatus().getMessage()).isEqualTo("Operation cannot be fulfilled on nodes \"k8s-node2\": the object has been modified; please apply your changes to the latest version and try again");
                });
        assertThatThrownBy(() -> client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON), """
                [{"op":"test","path":"/metadata/resourceVersion","value":"1"},{"op":"add","path":"/spec/unschedulable","value":false}]"""))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> {
                    assertThat(error.getCode()).isEqualTo(422);
                    assertThat(error.getStatus().getMessage()).isEqualTo("the server rejected our request due to an error in our request");
                });
        assertThat(simulator.node("k8s-node2").orElseThrow().at("/spec/unschedulable").asBoolean()).isTrue();

        // strategic merge: labels merge key by key, but Node spec.taints has no patch strategy, so it is replaced
        Node strategic = client.nodes().withName("k8s-node1").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                {"metadata":{"labels":{"example.com/rack":"r730","nvidia.com/gpu.present":null}},"spec":{"taints":[{"key":"example.com/maintenance","effect":"NoExecute"}]}}""");
        assertThat(strategic.getMetadata().getLabels()).containsEntry("example.com/rack", "r730").containsKey("kubernetes.io/hostname").doesNotContainKey("nvidia.com/gpu.present");
        assertThat(strategic.getSpec().getTaints()).extracting(taint -> taint.getKey() + ":" + taint.getEffect()).containsExactly("example.com/maintenance:NoExecute");
        assertThatThrownBy(() -> client.nodes().withName("k8s-node1").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                {"spec":{"$retainKeys":["taints"]}}"""))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getCode()).isEqualTo(415));
    }

    @Test
    void anUnchangedPatchKeepsTheResourceVersion()
    {
        String before = client.nodes().withName("k8s-node2").get().getMetadata().getResourceVersion();
        Node same = client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"metadata":{"labels":{"kubernetes.io/os":"linux"}}}""");
        assertThat(same.getMetadata().getResourceVersion()).isEqualTo(before);
        Node statusChange = client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"status":{"capacity":{"nvidia.com/gpu":"4"}}}""");
        assertThat(statusChange.getStatus().getCapacity()).doesNotContainKey("nvidia.com/gpu");
    }

    @Test
    void updatesWithPutAndResourceVersionPreconditions()
    {
        Node node = client.nodes().withName("k8s-node2").get();
        node.getMetadata().getLabels().put("example.com/rack", "r730");
        Node updated = client.nodes().resource(node).update();
        assertThat(updated.getMetadata().getLabels()).containsEntry("example.com/rack", "r730");

        node.getMetadata().getLabels().put("example.com/rack", "r740");
        assertThatThrownBy(() -> client.nodes().resource(node).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getCode()).isEqualTo(409));
    }

    @Test
    void aConcurrentEditMakesTheNextWriteConflict()
    {
        Node read = client.nodes().withName("k8s-node1").get();
        simulator.modifyBeforeNextWrite("k8s-node1");
        String patch = """
                [{"op":"replace","path":"/metadata/resourceVersion","value":"%s"},{"op":"add","path":"/spec/unschedulable","value":true}]""".formatted(read.getMetadata().getResourceVersion());
        assertThatThrownBy(() -> client.nodes().withName("k8s-node1").patch(PatchContext.of(PatchType.JSON), patch))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getCode()).isEqualTo(409));
        Node reread = client.nodes().withName("k8s-node1").get();
        assertThat(reread.getMetadata().getLabels()).containsKey("rackpilot.io/concurrent-edit");
        Node patched = client.nodes().withName("k8s-node1").patch(PatchContext.of(PatchType.JSON), """
                [{"op":"replace","path":"/metadata/resourceVersion","value":"%s"},{"op":"add","path":"/spec/unschedulable","value":true}]""".formatted(reread.getMetadata().getResourceVersion()));
        assertThat(patched.getSpec().getUnschedulable()).isTrue();
    }

    @Test
    void validatesTaintsAndLabels()
    {
        assertThatThrownBy(() -> client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"spec":{"taints":[{"key":"nvidia.com/gpu","value":"true","effect":"Sometimes"}]}}"""))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> {
                    assertThat(error.getCode()).isEqualTo(422);
                    assertThat(error.getStatus().getReason()).isEqualTo("Invalid");
                    assertThat(error.getStatus().getMessage()).isEqualTo("Node \"k8s-node2\" is invalid: spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"");
                    assertThat(error.getStatus().getDetails().getCauses()).singleElement().satisfies(cause -> assertThat(cause.getField()).isEqualTo("spec.taints[0].effect"));
                });
        assertThatThrownBy(() -> client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"spec":{"taints":[{"key":"bad key","effect":"NoSchedule"},{"key":"a","effect":"NoSchedule"},{"key":"a","effect":"NoSchedule"}]}}"""))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> {
                    assertThat(error.getCode()).isEqualTo(422);
                    assertThat(error.getStatus().getDetails().getCauses()).extracting(cause -> cause.getField()).containsExactly("spec.taints[0].key", "spec.taints[2]");
                });
        assertThatThrownBy(() -> client.nodes().withName("k8s-node2").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"metadata":{"labels":{"example.com/too-long":"%s"}}}""".formatted("x".repeat(64))))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getStatus().getMessage()).contains("must be no more than 63 characters"));
        assertThat(simulator.node("k8s-node2").orElseThrow().at("/spec/taints").isMissingNode()).isTrue();
    }

    @Test
    void evictsThroughFabric8UntilTheBudgetSaysNo()
            throws Exception
    {
        assertThat(client.pods().inNamespace("default").withName("web-1").evict()).isTrue();
        Pod terminating = client.pods().inNamespace("default").withName("web-1").get();
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(1L);
        waitUntilGone("default", "web-1", Duration.ofSeconds(5));

        assertThatThrownBy(() -> client.pods().inNamespace("default").withName("web-9").evict())
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getCode()).isEqualTo(404));

        // the budget blocks ollama-0 for 1.5 s from the first attempt
        assertThat(client.pods().inNamespace("ml").withName("ollama-0").evict()).isFalse();
        assertThat(client.pods().inNamespace("ml").withName("ollama-0").get().getMetadata().getDeletionTimestamp()).isNull();
        Thread.sleep(1600);
        assertThat(client.pods().inNamespace("ml").withName("ollama-0").evict()).isTrue();
        waitUntilGone("ml", "ollama-0", Duration.ofSeconds(5));
        assertThat(simulator.evictionRequests()).containsExactly("default/web-1", "default/web-9", "ml/ollama-0", "ml/ollama-0");
    }

    @Test
    void theEvictionEndpointAnswersAsTheApiServer()
            throws Exception
    {
        String eviction = """
                {"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"%s","namespace":"%s"},"deleteOptions":{"gracePeriodSeconds":%d}}""";
        HttpResponse<String> refused = send("POST", "/api/v1/namespaces/ml/pods/ollama-0/eviction", "application/json", eviction.formatted("ollama-0", "ml", 0), TOKEN);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(MAPPER.readTree(refused.body())).isEqualTo(MAPPER.readTree("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests",
                 "details":{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget ollama needs 1 healthy pods and has 1 currently"}]},"code":429}"""));

        HttpResponse<String> missing = send("POST", "/api/v1/namespaces/ml/pods/ollama-7/eviction", "application/json", eviction.formatted("ollama-7", "ml", 0), TOKEN);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(MAPPER.readTree(missing.body()).path("message").asText()).isEqualTo("pods \"ollama-7\" not found");

        HttpResponse<String> evicted = send("POST", "/api/v1/namespaces/default/pods/web-2/eviction", "application/json", eviction.formatted("web-2", "default", 0), TOKEN);
        assertThat(evicted.statusCode()).isEqualTo(201);
        assertThat(MAPPER.readTree(evicted.body())).isEqualTo(MAPPER.readTree("""
                {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201}"""));
        assertThat(simulator.pods()).extracting(pod -> pod.at("/metadata/name").asText()).doesNotContain("web-2");
    }

    @Test
    void aBudgetBlockedForeverNeverAllows()
    {
        simulator.addPod(SimulatedPod.of("db", "postgres-0", "k8s-node2").withLabels(Map.of("app", "postgres")));
        simulator.addPodDisruptionBudget("postgres", "db", Map.of("app", "postgres"), 1, Optional.empty());
        assertThat(client.pods().inNamespace("db").withName("postgres-0").evict()).isFalse();
        assertThat(client.pods().inNamespace("db").withName("postgres-0").evict()).isFalse();
        assertThat(client.pods().inNamespace("db").withName("postgres-0").get()).isNotNull();
    }

    @Test
    void deletesPodsGracefully()
            throws Exception
    {
        assertThat(client.pods().inNamespace("default").withName("web-2").delete()).hasSize(1);
        assertThat(client.pods().inNamespace("default").withName("web-2").get().getMetadata().getDeletionTimestamp()).isNotNull();
        waitUntilGone("default", "web-2", Duration.ofSeconds(5));
        assertThat(client.pods().inNamespace("default").withName("web-1").withGracePeriod(0).delete()).hasSize(1);
        assertThat(client.pods().inNamespace("default").withName("web-1").get()).isNull();
    }

    @Test
    void injectsFailuresAndDelays()
    {
        simulator.failNextRequests(1, 500);
        assertThatThrownBy(() -> client.nodes().list())
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getCode()).isEqualTo(500));
        assertThat(client.nodes().list().getItems()).hasSize(2);

        simulator.setResponseDelay(Duration.ofMillis(300));
        long started = System.nanoTime();
        client.nodes().withName("k8s-node1").get();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    private void waitUntilGone(String namespace, String name, Duration timeout)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (client.pods().inNamespace(namespace).withName(name).get() != null) {
            assertThat(System.nanoTime()).as("pod %s/%s still there after %s", namespace, name, timeout).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static List<String> names(List<Pod> pods)
    {
        return pods.stream().map(pod -> pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()).sorted().toList();
    }
}
