package io.rackpilot.nodeagent.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.SystemUuidSource;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.KubernetesDrainAction;
import io.rackpilot.proto.v1.KubernetesDrainResult;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.KubernetesPodReference;
import io.rackpilot.sim.kubernetes.KubernetesSimulator;
import io.rackpilot.sim.kubernetes.OwnerReference;
import io.rackpilot.sim.kubernetes.SimulatedNode;
import io.rackpilot.sim.kubernetes.SimulatedPod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Drains through the real fabric8 client against the Kubernetes API simulator: eviction, 429 from a
 * PodDisruptionBudget, 404, field selectors and graceful deletion, which fabric8's mock server
 * cannot do.
 */
class TestDrainOnSimulator
{
    private static final String TOKEN = "rackpilot-node-agent-test-token";
    private static final String UUID = "4d2b7e10-5a1c-4c8e-9f00-000000000201";

    @TempDir
    Path directory;

    private KubernetesSimulator simulator;
    private KubernetesConnection connection;
    private OwnNode ownNode;
    private final List<KubernetesApi.Eviction.Outcome> answers = new ArrayList<>();

    @BeforeEach
    void setUp()
            throws IOException
    {
        simulator = KubernetesSimulator.empty(Set.of(TOKEN), directory.resolve("k8s"));
        simulator.addNode(SimulatedNode.worker("k8s-node1", UUID, "10.0.20.101"));
        simulator.addNode(SimulatedNode.worker("k8s-node2", "4d2b7e10-5a1c-4c8e-9f00-000000000202", "10.0.20.102"));
        OwnerReference devicePlugin = simulator.addDaemonSet("kube-system", "nvidia-device-plugin-daemonset", Map.of("name", "nvidia-device-plugin-ds"));
        simulator.addPod(SimulatedPod.of("kube-system", "nvidia-device-plugin-daemonset-x7k2p", "k8s-node1")
                .withLabels(Map.of("name", "nvidia-device-plugin-ds")).withOwner(devicePlugin).withLimits(Map.of("nvidia.com/gpu", "1")));
        simulator.addPod(SimulatedPod.of("kube-system", "kube-apiserver-k8s-node1", "k8s-node1")
                .withAnnotations(Map.of("kubernetes.io/config.mirror", "0f3c")));
        simulator.addPod(SimulatedPod.of("ml", "ollama-0", "k8s-node1").withLabels(Map.of("app", "ollama")).withLimits(Map.of("nvidia.com/gpu", "1")));
        simulator.addPod(SimulatedPod.of("media", "jellyfin-transcode-5c9d", "k8s-node1").withLabels(Map.of("app", "jellyfin")).withLimits(Map.of("nvidia.com/gpu", "1")));
        simulator.addPod(SimulatedPod.of("default", "web-7d9f", "k8s-node1").withLabels(Map.of("app", "web")));
        simulator.addPod(SimulatedPod.of("ml", "trainer-0", "k8s-node2").withLabels(Map.of("app", "trainer")).withLimits(Map.of("nvidia.com/gpu", "1")));
        Path kubeconfig = simulator.writeKubeconfig(directory.resolve("kubeconfig"), TOKEN);
        connection = new KubernetesConnection(new AgentConfig.Kubernetes(true, kubeconfig, false, null, null, Duration.ofSeconds(5), null, null));
        Path uuidFile = directory.resolve("product_uuid");
        Files.writeString(uuidFile, UUID + "\n");
        ownNode = new OwnNode(connection, Optional.empty(), new SystemUuidSource(directory.resolve("sys"), Optional.of(uuidFile)), Set::of);
    }

    @AfterEach
    void tearDown()
    {
        connection.close();
        simulator.close();
    }

    @Test
    void drainEvictsOnlyGpuPodsSkipsDaemonSetAndMirrorPodsAndWaitsOutA429()
            throws Exception
    {
        simulator.addPodDisruptionBudget("ollama", "ml", Map.of("app", "ollama"), 1, Optional.of(Duration.ofSeconds(2)));
        Actions.Ran ran = Actions.run(handlers(), drain(KubernetesDrainAction.newBuilder().setResource("nvidia.com/gpu").setTimeout(seconds(30))));

        KubernetesDrainResult result = ran.result().getKubernetesNodeDrain();
        assertThat(ran.changed()).isTrue();
        assertThat(result.getComplete()).isTrue();
        assertThat(names(result.getEvictedList())).containsExactlyInAnyOrder("ml/ollama-0", "media/jellyfin-transcode-5c9d");
        assertThat(result.getSkippedList()).extracting(pod -> pod.getNamespace() + "/" + pod.getName() + ": " + pod.getReason()).containsExactlyInAnyOrder(
                "kube-system/nvidia-device-plugin-daemonset-x7k2p: DaemonSet pod (nvidia-device-plugin-daemonset)",
                "kube-system/kube-apiserver-k8s-node1: mirror pod (a static pod of the kubelet)",
                "default/web-7d9f: does not request nvidia.com/gpu");
        assertThat(result.getBlockedList()).isEmpty();
        // the PodDisruptionBudget said no at least once, and the drain asked again
        assertThat(answers).contains(KubernetesApi.Eviction.Outcome.REFUSED);
        assertThat(simulator.evictionRequests().stream().filter("ml/ollama-0"::equals).count()).isGreaterThan(1);
        assertThat(podNames()).containsExactlyInAnyOrder("kube-system/nvidia-device-plugin-daemonset-x7k2p", "kube-system/kube-apiserver-k8s-node1", "default/web-7d9f", "ml/trainer-0");
        assertThat(simulator.node("k8s-node1").orElseThrow().path("spec").path("unschedulable").asBoolean()).isTrue();
        // the other Node's GPU pod was not touched
        assertThat(simulator.evictionRequests()).doesNotContain("ml/trainer-0");

        Actions.Ran again = Actions.run(handlers(), drain(KubernetesDrainAction.newBuilder().setResource("nvidia.com/gpu")));
        assertThat(again.changed()).isFalse();
        assertThat(again.message()).startsWith("Node k8s-node1 is cordoned and has no pods to evict");
    }

    @Test
    void aBudgetThatNeverAllowsTheEvictionEndsTheDrainAtItsTimeoutWithThePodRunning()
            throws Exception
    {
        simulator.addPodDisruptionBudget("ollama", "ml", Map.of("app", "ollama"), 1, Optional.empty());
        long start = System.nanoTime();
        assertThatThrownBy(() -> Actions.run(handlers(), drain(KubernetesDrainAction.newBuilder().setResource("nvidia.com/gpu").setTimeout(seconds(3)))))
                .isInstanceOfSatisfying(ActionException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ActionException.Kind.FAILED);
                    assertThat(e.changed()).isTrue();
                    assertThat(e.getMessage()).startsWith("drain of Node k8s-node1 ended at its timeout (3 s) with 1 pod(s) still there: ml/ollama-0 (Cannot evict pod as it would violate the pod's disruption budget.")
                            .contains("ollama")
                            .endsWith("; the Node stays cordoned");
                    KubernetesDrainResult result = e.result().orElseThrow().getKubernetesNodeDrain();
                    assertThat(result.getComplete()).isFalse();
                    assertThat(names(result.getBlockedList())).containsExactly("ml/ollama-0");
                    assertThat(names(result.getEvictedList())).containsExactly("media/jellyfin-transcode-5c9d");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(podNames()).contains("ml/ollama-0");
        assertThat(simulator.node("k8s-node1").orElseThrow().path("spec").path("unschedulable").asBoolean()).isTrue();
    }

    @Test
    void aDrainCutToFitItsCommandsDeadlineStillReports()
            throws Exception
    {
        simulator.addPodDisruptionBudget("ollama", "ml", Map.of("app", "ollama"), 1, Optional.empty());
        ActionHandler handler = handlers().stream().filter(candidate -> candidate.kind() == Action.KindCase.KUBERNETES_NODE_DRAIN).findFirst().orElseThrow();
        Action action = drain(KubernetesDrainAction.newBuilder().setResource("nvidia.com/gpu").setTimeout(seconds(600)));
        assertThatThrownBy(() -> handler.prepare(action, Instant.now().plusSeconds(4)).apply())
                .isInstanceOfSatisfying(ActionException.class, e -> assertThat(e.getMessage()).contains("cut to fit the command's deadline").contains("ml/ollama-0"));
    }

    @Test
    void aPodAlreadyGoneCountsAsGone()
            throws Exception
    {
        ActionHandler handler = handlers().stream().filter(candidate -> candidate.kind() == Action.KindCase.KUBERNETES_NODE_DRAIN).findFirst().orElseThrow();
        PreparedAction prepared = handler.prepare(drain(KubernetesDrainAction.newBuilder().setLabelSelector("app=jellyfin").setTimeout(seconds(30))));
        // someone deletes the pod between the plan and the eviction
        try (KubernetesApi api = KubernetesApi.fromKubeconfig(directory.resolve("kubeconfig"), Duration.ofSeconds(5))) {
            assertThat(api.evict("media", "jellyfin-transcode-5c9d", Optional.of(0L)).outcome()).isEqualTo(KubernetesApi.Eviction.Outcome.EVICTED);
            awaitGone("media/jellyfin-transcode-5c9d");
        }
        KubernetesDrainResult result = prepared.apply().result().getKubernetesNodeDrain();
        assertThat(result.getComplete()).isTrue();
        assertThat(names(result.getGoneList())).containsExactly("media/jellyfin-transcode-5c9d");
        assertThat(result.getSkippedList()).extracting(KubernetesPodReference::getReason).contains("does not match app=jellyfin");
    }

    @Test
    void dryRunOnlyChooses()
            throws Exception
    {
        ActionHandler handler = handlers().stream().filter(candidate -> candidate.kind() == Action.KindCase.KUBERNETES_NODE_DRAIN).findFirst().orElseThrow();
        PreparedAction prepared = handler.prepare(drain(KubernetesDrainAction.newBuilder().setAll(true)));
        assertThat(prepared.alreadyInPlace()).isFalse();
        assertThat(prepared.summary()).startsWith("would cordon Node k8s-node1 and evict 3 pod(s): ");
        assertThat(names(prepared.preview().getKubernetesNodeDrain().getChosenList())).containsExactlyInAnyOrder("ml/ollama-0", "media/jellyfin-transcode-5c9d", "default/web-7d9f");
        assertThat(simulator.evictionRequests()).isEmpty();
        assertThat(simulator.node("k8s-node1").orElseThrow().path("spec").path("unschedulable").asBoolean()).isFalse();
    }

    @Test
    void theSelectionMustBeExactlyOneAndValid()
    {
        List<ActionHandler> handlers = handlers();
        assertThatThrownBy(() -> Actions.run(handlers, drain(KubernetesDrainAction.newBuilder())))
                .hasMessage("resource, labelSelector, all: give exactly one to say which pods to evict (e.g. resource=nvidia.com/gpu)");
        assertThatThrownBy(() -> Actions.run(handlers, drain(KubernetesDrainAction.newBuilder().setAll(true).setResource("nvidia.com/gpu"))))
                .hasMessage("resource, labelSelector, all: give exactly one to say which pods to evict, not 2");
        assertThatThrownBy(() -> Actions.run(handlers, drain(KubernetesDrainAction.newBuilder().setResource("nvidia.com/gpu").setTimeout(seconds(7200)))))
                .hasMessage("timeout: must be above 0 and at most 60 min, got 7200 s");
        assertThatThrownBy(() -> Actions.run(handlers, drain(KubernetesDrainAction.newBuilder().setLabelSelector("app in (x"))))
                .isInstanceOfSatisfying(ActionException.class, e -> assertThat(e.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessageStartingWith("labelSelector: the API server refused 'app in (x'");
        assertThat(simulator.evictionRequests()).isEmpty();
        assertThat(simulator.node("k8s-node1").orElseThrow().path("spec").path("unschedulable").asBoolean()).isFalse();
    }

    @Test
    void aConcurrentEditIsRetried()
            throws Exception
    {
        simulator.modifyBeforeNextWrite("k8s-node1");
        Actions.Ran ran = Actions.run(handlers(), Actions.taint("nvidia.com/gpu", "true", "PreferNoSchedule"));
        assertThat(ran.message()).isEqualTo("taint nvidia.com/gpu=true:PreferNoSchedule on Node k8s-node1 (after 1 conflicting edits)");
        JsonNode node = simulator.node("k8s-node1").orElseThrow();
        assertThat(node.path("metadata").path("labels").has("rackpilot.io/concurrent-edit")).isTrue();
        assertThat(node.path("spec").path("taints").toString()).contains("nvidia.com/gpu");
    }

    @Test
    void theReportShowsTheNodeItsGpuAndItsGpuPods()
    {
        KubernetesCollector collector = new KubernetesCollector(ownNode, "nvidia.com/gpu", info -> {});
        KubernetesNodeInfo info = collector.observe();
        assertThat(info.getNodeName()).isEqualTo("k8s-node1");
        assertThat(info.getFoundBy()).isEqualTo(KubernetesNodeInfo.FoundBy.FOUND_BY_SYSTEM_UUID);
        assertThat(info.getGpuPodsList()).extracting(pod -> pod.getNamespace() + "/" + pod.getName() + " " + pod.getGpus())
                .containsExactly("kube-system/nvidia-device-plugin-daemonset-x7k2p 1", "media/jellyfin-transcode-5c9d 1", "ml/ollama-0 1");
        assertThat(info.getLabelsMap()).containsKey("kubernetes.io/hostname");
    }

    @Test
    void aFinishedPodHoldsNoGpuAndInitContainersCountByKubernetesRule()
            throws Exception
    {
        // The GPU operator's validator: its init container asked for the card, ran, and the pod
        // completed; it stays listed with phase Succeeded.
        simulator.addPod(SimulatedPod.of("gpu-operator", "nvidia-cuda-validator-8x2lq", "k8s-node1")
                .withLabels(Map.of("app", "nvidia-cuda-validator"))
                .withInitContainer(new SimulatedPod.InitContainer("cuda-validation", Map.of("nvidia.com/gpu", "1"), false)));
        simulator.finishPod("gpu-operator", "nvidia-cuda-validator-8x2lq", "Succeeded");
        simulator.addPod(SimulatedPod.of("ml", "batch-1", "k8s-node1").withLabels(Map.of("app", "batch")).withLimits(Map.of("nvidia.com/gpu", "1")));
        simulator.finishPod("ml", "batch-1", "Failed");
        // Running pods whose GPU request is only in an init container, or in a sidecar beside the app.
        simulator.addPod(SimulatedPod.of("ml", "warmup-0", "k8s-node1").withLabels(Map.of("app", "warmup"))
                .withInitContainer(new SimulatedPod.InitContainer("load-model", Map.of("nvidia.com/gpu", "1"), false)));
        simulator.addPod(SimulatedPod.of("ml", "inference-0", "k8s-node1").withLabels(Map.of("app", "inference")).withLimits(Map.of("nvidia.com/gpu", "1"))
                .withInitContainer(new SimulatedPod.InitContainer("gpu-exporter", Map.of("nvidia.com/gpu", "1"), true)));

        KubernetesNodeInfo info = new KubernetesCollector(ownNode, "nvidia.com/gpu", reported -> {}).observe();
        assertThat(info.getGpuPodsList()).extracting(pod -> pod.getNamespace() + "/" + pod.getName() + " " + pod.getPhase() + " " + pod.getGpus())
                .containsExactly(
                        "kube-system/nvidia-device-plugin-daemonset-x7k2p Running 1",
                        "media/jellyfin-transcode-5c9d Running 1",
                        "ml/inference-0 Running 2",
                        "ml/ollama-0 Running 1",
                        "ml/warmup-0 Running 1");

        Actions.Ran ran = Actions.run(handlers(), drain(KubernetesDrainAction.newBuilder().setResource("nvidia.com/gpu").setTimeout(seconds(30))));
        KubernetesDrainResult result = ran.result().getKubernetesNodeDrain();
        assertThat(result.getComplete()).isTrue();
        assertThat(names(result.getEvictedList())).containsExactlyInAnyOrder("ml/ollama-0", "media/jellyfin-transcode-5c9d", "ml/warmup-0", "ml/inference-0");
        assertThat(result.getSkippedList()).extracting(pod -> pod.getNamespace() + "/" + pod.getName() + ": " + pod.getReason()).contains(
                "gpu-operator/nvidia-cuda-validator-8x2lq: finished (phase Succeeded): holds no nvidia.com/gpu",
                "ml/batch-1: finished (phase Failed): holds no nvidia.com/gpu");
        assertThat(simulator.evictionRequests()).doesNotContain("gpu-operator/nvidia-cuda-validator-8x2lq", "ml/batch-1");
        assertThat(podNames()).contains("gpu-operator/nvidia-cuda-validator-8x2lq", "ml/batch-1");
    }

    private List<ActionHandler> handlers()
    {
        List<ActionHandler> handlers = new ArrayList<>(NodeEditHandler.all(ownNode, new KeyGuard(List.of("nvidia.com/", "rackpilot.io/"))));
        handlers.add(new NodeDrainHandler(ownNode, Duration.ofMillis(500), NodeDrain.Waiter.REAL, answers::add, Clock.systemUTC()));
        return handlers;
    }

    private static Action drain(KubernetesDrainAction.Builder drain)
    {
        return Action.newBuilder().setKubernetesNodeDrain(drain).build();
    }

    private static com.google.protobuf.Duration seconds(long seconds)
    {
        return com.google.protobuf.Duration.newBuilder().setSeconds(seconds).build();
    }

    private static List<String> names(List<KubernetesPodReference> pods)
    {
        return pods.stream().map(pod -> pod.getNamespace() + "/" + pod.getName()).toList();
    }

    private List<String> podNames()
    {
        return simulator.pods().stream().map(pod -> pod.path("metadata").path("namespace").asText() + "/" + pod.path("metadata").path("name").asText()).toList();
    }

    private void awaitGone(String pod)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (podNames().contains(pod)) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
