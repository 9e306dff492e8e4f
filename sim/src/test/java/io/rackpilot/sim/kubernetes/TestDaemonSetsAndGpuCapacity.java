package io.rackpilot.sim.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.rackpilot.plan.TaintEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DaemonSet pods come back after a delete, and the {@code nvidia.com/gpu} capacity follows the
 * kubelet's rules when a card comes and goes, all through the HTTP API.
 */
final class TestDaemonSetsAndGpuCapacity
{
    private static final String TOKEN = "node-agent-token";
    private static final Map<String, String> DEVICE_PLUGIN = Map.of("app.kubernetes.io/name", "nvidia-device-plugin", "name", "nvidia-device-plugin-ds");

    @TempDir
    Path directory;

    private KubernetesSimulator simulator;
    private KubernetesClient client;

    @BeforeEach
    void start()
            throws Exception
    {
        simulator = KubernetesSimulator.empty(Set.of(TOKEN), directory);
        simulator.setReplacementDelay(Duration.ofMillis(200));
        simulator.addNode(new SimulatedNode("k8s-node1", "4d2b7e10-5a1c-4c8e-9f00-000000000201", Optional.of("10.0.20.101"),
                Map.of(), List.of(new io.rackpilot.plan.Taint("nvidia.com/gpu", "true", TaintEffect.PREFER_NO_SCHEDULE)),
                Map.of("cpu", "16", "memory", "33554432Ki", "nvidia.com/gpu", "1")));
        simulator.addNode(SimulatedNode.worker("k8s-node2", "4d2b7e10-5a1c-4c8e-9f00-000000000202", "10.0.20.102"));
        OwnerReference devicePlugin = simulator.addDaemonSet("kube-system", "nvidia-device-plugin-daemonset", Map.of("name", "nvidia-device-plugin-ds"));
        OwnerReference featureDiscovery = simulator.addDaemonSet("kube-system", "gpu-feature-discovery", Map.of("app.kubernetes.io/name", "gpu-feature-discovery"));
        for (String node : List.of("k8s-node1", "k8s-node2")) {
            simulator.addPod(SimulatedPod.of("kube-system", "nvidia-device-plugin-daemonset-" + node, node).withLabels(DEVICE_PLUGIN).withOwner(devicePlugin)
                    .withTerminationGracePeriod(Duration.ZERO));
            simulator.addPod(SimulatedPod.of("kube-system", "gpu-feature-discovery-" + node, node).withLabels(Map.of("app.kubernetes.io/name", "gpu-feature-discovery"))
                    .withOwner(featureDiscovery));
        }
        simulator.addPod(SimulatedPod.of("default", "web-1", "k8s-node1").withLabels(Map.of("app", "web")).withTerminationGracePeriod(Duration.ZERO));
        Path kubeconfig = simulator.writeKubeconfig(directory.resolve("kubeconfig"), TOKEN);
        Config config = new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig))).withRequestRetryBackoffLimit(0).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterEach
    void stop()
    {
        client.close();
        simulator.close();
    }

    @Test
    void aDeletedDaemonSetPodIsReplacedOnItsNodeAndBecomesReadyAfterTheDelay()
            throws Exception
    {
        Pod old = client.pods().inNamespace("kube-system").withName("nvidia-device-plugin-daemonset-k8s-node2").get();
        client.pods().inNamespace("kube-system").withName(old.getMetadata().getName()).delete();

        Pod replacement = onlyDevicePluginOn("k8s-node2");
        assertThat(replacement.getMetadata().getName()).startsWith("nvidia-device-plugin-daemonset-").isNotEqualTo(old.getMetadata().getName());
        assertThat(replacement.getMetadata().getUid()).isNotEqualTo(old.getMetadata().getUid());
        assertThat(replacement.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo(old.getMetadata().getOwnerReferences().get(0).getUid());
        assertThat(replacement.getMetadata().getLabels()).containsAllEntriesOf(DEVICE_PLUGIN);
        assertThat(replacement.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(ready(replacement)).isFalse();

        awaitTrue(() -> ready(client.pods().inNamespace("kube-system").withName(replacement.getMetadata().getName()).get()));
        assertThat(client.pods().inNamespace("kube-system").withName(replacement.getMetadata().getName()).get().getStatus().getPhase()).isEqualTo("Running");
    }

    @Test
    void gracefulDeletionReplacesOnlyOnceThePodIsGoneAndPlainPodsAreNotReplaced()
            throws Exception
    {
        client.pods().inNamespace("kube-system").withName("gpu-feature-discovery-k8s-node1").delete();
        // the default grace period is one second: the old pod is terminating, no replacement yet
        assertThat(podNamesOn("k8s-node1")).contains("kube-system/gpu-feature-discovery-k8s-node1");
        awaitTrue(() -> podNamesOn("k8s-node1").stream().anyMatch(name -> name.startsWith("kube-system/gpu-feature-discovery-") && !name.endsWith("k8s-node1")));
        assertThat(podNamesOn("k8s-node1")).doesNotContain("kube-system/gpu-feature-discovery-k8s-node1");

        client.pods().inNamespace("default").withName("web-1").delete();
        awaitTrue(() -> !podNamesOn("k8s-node1").contains("default/web-1"));
        Thread.sleep(400);
        assertThat(podNamesOn("k8s-node1")).noneMatch(name -> name.startsWith("default/"));
    }

    @Test
    void aStalledDaemonSetsReplacementStaysPendingUntilUnstalled()
            throws Exception
    {
        simulator.stallDaemonSet("kube-system", "nvidia-device-plugin-daemonset");
        client.pods().inNamespace("kube-system").withName("nvidia-device-plugin-daemonset-k8s-node2").delete();
        Pod replacement = onlyDevicePluginOn("k8s-node2");
        Thread.sleep(600);
        assertThat(ready(client.pods().inNamespace("kube-system").withName(replacement.getMetadata().getName()).get())).isFalse();

        simulator.unstallDaemonSet("kube-system", "nvidia-device-plugin-daemonset");
        awaitTrue(() -> ready(client.pods().inNamespace("kube-system").withName(replacement.getMetadata().getName()).get()));
    }

    @Test
    void aNodeThatGainsACardAdvertisesItOnlyOnceItsDevicePluginRestarted()
            throws Exception
    {
        assertThat(gpu(capacity("k8s-node2"))).isNull();
        simulator.cardsOnNode("k8s-node2", 1);
        assertThat(simulator.cardsOnNode("k8s-node2")).isEqualTo(1);
        assertThat(gpu(capacity("k8s-node2"))).isNull();
        assertThat(gpu(allocatable("k8s-node2"))).isNull();

        // feature discovery restarting changes nothing
        client.pods().inNamespace("kube-system").withName("gpu-feature-discovery-k8s-node2").withGracePeriod(0).delete();
        Thread.sleep(500);
        assertThat(gpu(allocatable("k8s-node2"))).isNull();

        client.pods().inNamespace("kube-system").withName("nvidia-device-plugin-daemonset-k8s-node2").delete();
        awaitTrue(() -> "1".equals(gpu(allocatable("k8s-node2"))));
        assertThat(gpu(capacity("k8s-node2"))).isEqualTo("1");
    }

    @Test
    void aNodeThatLosesItsCardKeepsStaleCapacityWithNothingAllocatableUntilCleared()
            throws Exception
    {
        String versionBefore = client.nodes().withName("k8s-node1").get().getMetadata().getResourceVersion();
        simulator.cardsOnNode("k8s-node1", 0);
        Node node = client.nodes().withName("k8s-node1").get();
        assertThat(node.getMetadata().getResourceVersion()).isNotEqualTo(versionBefore);
        assertThat(node.getStatus().getCapacity().get("nvidia.com/gpu").toString()).isEqualTo("1");
        assertThat(node.getStatus().getAllocatable().get("nvidia.com/gpu").toString()).isEqualTo("0");

        // a device plugin restart on a node without cards does not bring the resource back or clear it
        client.pods().inNamespace("kube-system").withName("nvidia-device-plugin-daemonset-k8s-node1").delete();
        awaitTrue(() -> ready(onlyDevicePluginOn("k8s-node1")));
        assertThat(gpu(capacity("k8s-node1"))).isEqualTo("1");
        assertThat(gpu(allocatable("k8s-node1"))).isEqualTo("0");

        Node current = client.nodes().withName("k8s-node1").get();
        String patch = """
                [{"op":"test","path":"/metadata/resourceVersion","value":"%s"},
                 {"op":"remove","path":"/status/capacity/nvidia.com~1gpu"},
                 {"op":"remove","path":"/status/allocatable/nvidia.com~1gpu"}]""".formatted(current.getMetadata().getResourceVersion());
        Node cleared = client.nodes().withName("k8s-node1").subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
        assertThat(cleared.getStatus().getCapacity()).doesNotContainKey("nvidia.com/gpu").containsKey("cpu");
        assertThat(cleared.getStatus().getAllocatable()).doesNotContainKey("nvidia.com/gpu");
        assertThat(cleared.getSpec().getTaints()).hasSize(1);
        assertThat(client.nodes().withName("k8s-node1").get().getStatus().getCapacity()).doesNotContainKey("nvidia.com/gpu");

        // and the card coming back is advertised again after the next restart
        simulator.cardsOnNode("k8s-node1", 1);
        Pod plugin = onlyDevicePluginOn("k8s-node1");
        client.pods().inNamespace("kube-system").withName(plugin.getMetadata().getName()).delete();
        awaitTrue(() -> "1".equals(gpu(allocatable("k8s-node1"))) && "1".equals(gpu(capacity("k8s-node1"))));
    }

    @Test
    void theGpuPresenceFunctionDrivesTheSameRules()
            throws Exception
    {
        Map<String, Integer> cards = new ConcurrentHashMap<>(Map.of("k8s-node1", 1));
        simulator.setGpuPresence(node -> cards.get(node));
        assertThat(gpu(allocatable("k8s-node1"))).isEqualTo("1");

        cards.remove("k8s-node1");
        cards.put("k8s-node2", 1);
        assertThat(gpu(allocatable("k8s-node1"))).isEqualTo("0");
        assertThat(gpu(capacity("k8s-node1"))).isEqualTo("1");
        assertThat(simulator.cardsOnNode("k8s-node2")).isEqualTo(1);
        assertThat(gpu(allocatable("k8s-node2"))).isNull();
        client.pods().inNamespace("kube-system").withName("nvidia-device-plugin-daemonset-k8s-node2").delete();
        awaitTrue(() -> "1".equals(gpu(allocatable("k8s-node2"))));
    }

    @Test
    void theStatusSubresourceChangesOnlyTheStatusAndRefusesAStaleResourceVersion()
            throws Exception
    {
        Node current = client.nodes().withName("k8s-node1").get();
        String stale = """
                [{"op":"replace","path":"/metadata/resourceVersion","value":"%s"},
                 {"op":"remove","path":"/status/capacity/nvidia.com~1gpu"}]""".formatted(current.getMetadata().getResourceVersion());
        simulator.modifyBeforeNextWrite("k8s-node1");
        assertThatThrownBy(() -> client.nodes().withName("k8s-node1").subresource("status").patch(PatchContext.of(PatchType.JSON), stale))
                .isInstanceOfSatisfying(KubernetesClientException.class, error -> assertThat(error.getCode()).isEqualTo(409));
        assertThat(gpu(capacity("k8s-node1"))).isEqualTo("1");

        String both = """
                [{"op":"add","path":"/metadata/labels/rackpilot.io~1sneaky","value":"yes"},
                 {"op":"remove","path":"/status/capacity/nvidia.com~1gpu"}]""";
        Node patched = client.nodes().withName("k8s-node1").subresource("status").patch(PatchContext.of(PatchType.JSON), both);
        assertThat(patched.getMetadata().getLabels()).doesNotContainKey("rackpilot.io/sneaky");
        assertThat(patched.getStatus().getCapacity()).doesNotContainKey("nvidia.com/gpu");
    }

    private Pod onlyDevicePluginOn(String node)
    {
        List<Pod> plugins = client.pods().inAnyNamespace().withField("spec.nodeName", node).withLabel("app.kubernetes.io/name", "nvidia-device-plugin").list().getItems();
        assertThat(plugins).hasSize(1);
        return plugins.get(0);
    }

    private List<String> podNamesOn(String node)
    {
        return client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems().stream()
                .map(pod -> pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName())
                .toList();
    }

    private static boolean ready(Pod pod)
    {
        return pod != null && pod.getStatus().getConditions().stream().anyMatch(condition -> isReady(condition));
    }

    private static boolean isReady(PodCondition condition)
    {
        return condition.getType().equals("Ready") && condition.getStatus().equals("True");
    }

    private Map<String, ?> capacity(String node)
    {
        return client.nodes().withName(node).get().getStatus().getCapacity();
    }

    private Map<String, ?> allocatable(String node)
    {
        return client.nodes().withName(node).get().getStatus().getAllocatable();
    }

    private static String gpu(Map<String, ?> resources)
    {
        Object quantity = resources.get("nvidia.com/gpu");
        return quantity == null ? null : quantity.toString();
    }

    private static void awaitTrue(BooleanSupplier condition)
            throws InterruptedException
    {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(50);
        }
    }
}
