package io.rackpilot.nodeagent.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.SystemUuidSource;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.KubernetesClearResourceAction;
import io.rackpilot.proto.v1.KubernetesClearResourceResult;
import io.rackpilot.proto.v1.KubernetesRestartPodsAction;
import io.rackpilot.proto.v1.KubernetesRestartPodsResult;
import io.rackpilot.proto.v1.KubernetesRestartedPod;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * k8s.node.restart-pods and k8s.node.clear-resource through the real fabric8 client against the
 * Kubernetes API simulator, whose DaemonSet pods come back after a delete and whose
 * {@code nvidia.com/gpu} capacity follows the kubelet's rules when a card comes or goes.
 */
class TestGpuMoveActionsOnSimulator
{
    private static final String TOKEN = "rackpilot-node-agent-test-token";
    private static final String UUID = "4d2b7e10-5a1c-4c8e-9f00-000000000201";
    private static final String DEVICE_PLUGIN = "app.kubernetes.io/name=nvidia-device-plugin";
    private static final String FEATURE_DISCOVERY = "app.kubernetes.io/name=gpu-feature-discovery";

    @TempDir
    Path directory;

    private KubernetesSimulator simulator;
    private KubernetesConnection connection;
    private OwnNode ownNode;
    private List<ActionHandler> handlers;

    @BeforeEach
    void setUp()
            throws IOException
    {
        simulator = KubernetesSimulator.empty(Set.of(TOKEN), directory.resolve("k8s"));
        simulator.setReplacementDelay(Duration.ofMillis(200));
        simulator.addNode(new SimulatedNode("k8s-node1", UUID, Optional.of("10.0.20.101"), Map.of(), List.of(),
                Map.of("cpu", "8", "memory", "16777216Ki", "nvidia.com/gpu", "1")));
        simulator.addNode(SimulatedNode.worker("k8s-node2", "4d2b7e10-5a1c-4c8e-9f00-000000000202", "10.0.20.102"));
        OwnerReference devicePlugin = simulator.addDaemonSet("nvidia", "nvdp-nvidia-device-plugin", Map.of("app.kubernetes.io/name", "nvidia-device-plugin"));
        OwnerReference featureDiscovery = simulator.addDaemonSet("nvidia", "nvdp-gpu-feature-discovery", Map.of("app.kubernetes.io/name", "gpu-feature-discovery"));
        for (String node : List.of("k8s-node1", "k8s-node2")) {
            simulator.addPod(SimulatedPod.of("nvidia", "nvdp-nvidia-device-plugin-" + node, node)
                    .withLabels(Map.of("app.kubernetes.io/name", "nvidia-device-plugin")).withOwner(devicePlugin));
            simulator.addPod(SimulatedPod.of("nvidia", "nvdp-gpu-feature-discovery-" + node, node)
                    .withLabels(Map.of("app.kubernetes.io/name", "gpu-feature-discovery")).withOwner(featureDiscovery));
        }
        simulator.addPod(SimulatedPod.of("ml", "ollama-0", "k8s-node1").withLabels(Map.of("app", "ollama")).withLimits(Map.of("nvidia.com/gpu", "1")));
        Path kubeconfig = simulator.writeKubeconfig(directory.resolve("kubeconfig"), TOKEN);
        connection = new KubernetesConnection(new AgentConfig.Kubernetes(true, kubeconfig, false, null, null, Duration.ofSeconds(5), null, null));
        Path uuidFile = directory.resolve("product_uuid");
        Files.writeString(uuidFile, UUID + "\n");
        ownNode = new OwnNode(connection, Optional.empty(), new SystemUuidSource(directory.resolve("sys"), Optional.of(uuidFile)), Set::of);
        KeyGuard guard = new KeyGuard(List.of("nvidia.com/", "rackpilot.io/"));
        handlers = List.of(
                new PodRestartHandler(ownNode, Duration.ofMillis(50), NodeDrain.Waiter.REAL, Clock.systemUTC()),
                new ResourceClearHandler(ownNode, guard));
    }

    @AfterEach
    void tearDown()
    {
        connection.close();
        simulator.close();
    }

    @Test
    void restartsTheNvidiaPodsOnItsOwnNodeAndWaitsForReadyReplacements()
            throws Exception
    {
        List<String> before = podNames();
        Actions.Ran ran = Actions.run(handlers, restart(List.of(DEVICE_PLUGIN, FEATURE_DISCOVERY), "", Duration.ofSeconds(10)));

        assertThat(ran.changed()).isTrue();
        KubernetesRestartPodsResult result = ran.result().getKubernetesNodeRestartPods();
        assertThat(result.getNode()).isEqualTo("k8s-node1");
        assertThat(result.getComplete()).isTrue();
        assertThat(result.getMissingList()).isEmpty();
        assertThat(result.getRestartedList()).extracting(KubernetesRestartedPod::getName)
                .containsExactly("nvdp-gpu-feature-discovery-k8s-node1", "nvdp-nvidia-device-plugin-k8s-node1");
        List<String> after = podNames();
        for (KubernetesRestartedPod pod : result.getRestartedList()) {
            assertThat(pod.getReplacement()).isNotEqualTo(pod.getName()).startsWith(pod.getName().replace("-k8s-node1", "-"));
            assertThat(after).contains("nvidia/" + pod.getReplacement()).doesNotContain("nvidia/" + pod.getName());
            JsonNode replacement = simulator.pods().stream().filter(candidate -> candidate.at("/metadata/name").asText().equals(pod.getReplacement())).findFirst().orElseThrow();
            assertThat(replacement.at("/spec/nodeName").asText()).isEqualTo("k8s-node1");
            assertThat(replacement.at("/status/phase").asText()).isEqualTo("Running");
        }
        assertThat(ran.message()).startsWith("restarted 2 pod(s) on Node k8s-node1: nvidia/nvdp-gpu-feature-discovery-k8s-node1 -> nvdp-gpu-feature-discovery-");
        // the other node's pods and the workload are untouched
        assertThat(after).contains("nvidia/nvdp-nvidia-device-plugin-k8s-node2", "nvidia/nvdp-gpu-feature-discovery-k8s-node2", "ml/ollama-0");
        assertThat(after).hasSameSizeAs(before);
    }

    @Test
    void aCardThatArrivedIsAdvertisedOnceTheDevicePluginRestarted()
            throws Exception
    {
        simulator.cardsOnNode("k8s-node1", 0);
        Actions.run(handlers, clear("nvidia.com/gpu"));
        simulator.cardsOnNode("k8s-node1", 1);
        assertThat(simulator.node("k8s-node1").orElseThrow().at("/status/allocatable").has("nvidia.com/gpu")).isFalse();

        Actions.run(handlers, restart(List.of(DEVICE_PLUGIN), "nvidia", Duration.ofSeconds(10)));

        JsonNode status = simulator.node("k8s-node1").orElseThrow().path("status");
        assertThat(status.at("/capacity/nvidia.com~1gpu").asText()).isEqualTo("1");
        assertThat(status.at("/allocatable/nvidia.com~1gpu").asText()).isEqualTo("1");
    }

    @Test
    void aReplacementThatNeverGetsReadyEndsAtTheTimeoutAndSaysWhy()
    {
        simulator.stallDaemonSet("nvidia", "nvdp-nvidia-device-plugin");
        long start = System.nanoTime();
        assertThatThrownBy(() -> Actions.run(handlers, restart(List.of(DEVICE_PLUGIN, FEATURE_DISCOVERY), "", Duration.ofSeconds(2))))
                .isInstanceOfSatisfying(ActionException.class, error -> {
                    assertThat(error.kind()).isEqualTo(ActionException.Kind.FAILED);
                    assertThat(error.changed()).isTrue();
                    assertThat(error.getMessage()).startsWith("restart of pods on Node k8s-node1 ended at its timeout (2000 ms) with 1 pod(s) not replaced by a Ready pod: "
                            + "nvidia/nvdp-nvidia-device-plugin-k8s-node1 (replacement nvdp-nvidia-device-plugin-");
                    assertThat(error.getMessage()).endsWith(" is not Ready (phase Pending))");
                    KubernetesRestartPodsResult result = error.result().orElseThrow().getKubernetesNodeRestartPods();
                    assertThat(result.getComplete()).isFalse();
                    assertThat(result.getRestartedList()).extracting(KubernetesRestartedPod::getName).containsExactly("nvdp-gpu-feature-discovery-k8s-node1");
                    assertThat(result.getMissingList()).extracting(KubernetesRestartedPod::getName).containsExactly("nvdp-nvidia-device-plugin-k8s-node1");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(6));
    }

    @Test
    void aPodWithoutAControllerIsReportedMissingWithoutWaitingForIt()
    {
        simulator.addPod(SimulatedPod.of("nvidia", "hand-made-plugin", "k8s-node1").withLabels(Map.of("app.kubernetes.io/name", "nvidia-device-plugin"))
                .withTerminationGracePeriod(Duration.ZERO));
        long start = System.nanoTime();
        assertThatThrownBy(() -> Actions.run(handlers, restart(List.of(DEVICE_PLUGIN), "", Duration.ofSeconds(30))))
                .isInstanceOfSatisfying(ActionException.class, error -> {
                    KubernetesRestartPodsResult result = error.result().orElseThrow().getKubernetesNodeRestartPods();
                    assertThat(result.getRestartedList()).extracting(KubernetesRestartedPod::getName).containsExactly("nvdp-nvidia-device-plugin-k8s-node1");
                    assertThat(result.getMissingList()).singleElement().satisfies(pod -> {
                        assertThat(pod.getName()).isEqualTo("hand-made-plugin");
                        assertThat(pod.getReason()).isEqualTo("no controller owns it, so nothing recreates it");
                    });
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(podNames()).doesNotContain("nvidia/hand-made-plugin");
    }

    @Test
    void aDryRunOnlyNamesThePodsAndNothingMatchingIsAlreadyInPlace()
            throws Exception
    {
        List<String> before = podNames();
        PreparedAction prepared = handler(Action.KindCase.KUBERNETES_NODE_RESTART_PODS).prepare(restart(List.of(DEVICE_PLUGIN), "", Duration.ofSeconds(10)));
        assertThat(prepared.alreadyInPlace()).isFalse();
        assertThat(prepared.summary()).isEqualTo("would restart 1 pod(s) on Node k8s-node1: nvidia/nvdp-nvidia-device-plugin-k8s-node1");
        assertThat(prepared.preview().getKubernetesNodeRestartPods().getMissingList()).extracting(KubernetesRestartedPod::getName)
                .containsExactly("nvdp-nvidia-device-plugin-k8s-node1");
        Thread.sleep(300);
        assertThat(podNames()).isEqualTo(before);

        Actions.Ran nothing = Actions.run(handlers, restart(List.of("app=nothing-here"), "nvidia", Duration.ofSeconds(10)));
        assertThat(nothing.changed()).isFalse();
        assertThat(nothing.message()).isEqualTo("no pod on Node k8s-node1 in namespace nvidia matches app=nothing-here: nothing to restart");
        assertThat(nothing.result().getKubernetesNodeRestartPods().getComplete()).isTrue();
        // the namespace narrows the choice
        assertThat(handler(Action.KindCase.KUBERNETES_NODE_RESTART_PODS).prepare(restart(List.of(DEVICE_PLUGIN), "kube-system", Duration.ofSeconds(10))).alreadyInPlace()).isTrue();
    }

    @Test
    void restartRefusesMissingOrEmptySelectorsABadNamespaceAndABadTimeout()
    {
        assertRejected(restart(List.of(), "", Duration.ofSeconds(10)), "labelSelectors: give at least one label selector");
        assertRejected(restart(List.of(DEVICE_PLUGIN, " "), "", Duration.ofSeconds(10)), "labelSelectors[1]: is empty");
        assertRejected(restart(List.of(DEVICE_PLUGIN), "Kube_System", Duration.ofSeconds(10)), "namespace: 'Kube_System' is not a namespace name");
        assertRejected(restart(List.of(DEVICE_PLUGIN), "", Duration.ofHours(2)), "timeout: must be above 0 and at most 30 min");
        assertThat(podNames()).contains("nvidia/nvdp-nvidia-device-plugin-k8s-node1");
    }

    @Test
    void clearsAStaleResourceFromTheStatusOnce()
            throws Exception
    {
        simulator.cardsOnNode("k8s-node1", 0);
        PreparedAction prepared = handler(Action.KindCase.KUBERNETES_NODE_CLEAR_RESOURCE).prepare(clear("nvidia.com/gpu"));
        assertThat(prepared.summary()).isEqualTo("would remove nvidia.com/gpu (capacity 1, allocatable 0) from the status of Node k8s-node1");
        assertThat(simulator.node("k8s-node1").orElseThrow().at("/status/capacity").has("nvidia.com/gpu")).isTrue();

        Actions.Ran ran = Actions.run(handlers, clear("nvidia.com/gpu"));
        assertThat(ran.changed()).isTrue();
        assertThat(ran.message()).isEqualTo("removed nvidia.com/gpu (capacity 1, allocatable 0) from the status of Node k8s-node1");
        KubernetesClearResourceResult result = ran.result().getKubernetesNodeClearResource();
        assertThat(result.getCapacityBefore()).isEqualTo("1");
        assertThat(result.getAllocatableBefore()).isEqualTo("0");
        JsonNode status = simulator.node("k8s-node1").orElseThrow().path("status");
        assertThat(status.path("capacity").has("nvidia.com/gpu")).isFalse();
        assertThat(status.path("allocatable").has("nvidia.com/gpu")).isFalse();
        assertThat(status.path("capacity").path("cpu").asText()).isEqualTo("8");

        Actions.Ran again = Actions.run(handlers, clear("nvidia.com/gpu"));
        assertThat(again.changed()).isFalse();
        assertThat(again.message()).isEqualTo("Node k8s-node1 does not list nvidia.com/gpu in its status");

        // a device plugin restart on a node without cards does not bring it back
        Actions.run(handlers, restart(List.of(DEVICE_PLUGIN), "", Duration.ofSeconds(10)));
        assertThat(simulator.node("k8s-node1").orElseThrow().at("/status/capacity").has("nvidia.com/gpu")).isFalse();
    }

    @Test
    void clearingRetriesAfterAConcurrentEdit()
            throws Exception
    {
        simulator.modifyBeforeNextWrite("k8s-node1");
        Actions.Ran ran = Actions.run(handlers, clear("nvidia.com/gpu"));
        assertThat(ran.message()).isEqualTo("removed nvidia.com/gpu (capacity 1, allocatable 1) from the status of Node k8s-node1 (after 1 conflicting edits)");
        assertThat(simulator.node("k8s-node1").orElseThrow().at("/metadata/labels").has("rackpilot.io/concurrent-edit")).isTrue();
        assertThat(simulator.node("k8s-node1").orElseThrow().at("/status/capacity").has("nvidia.com/gpu")).isFalse();
    }

    @Test
    void clearRefusesTheKubeletsOwnResourcesAndOnesOutsideThePrefixes()
    {
        assertRejected(clear(""), "resource: is empty");
        assertRejected(clear("memory"), "resource: 'memory' is not an extended resource (domain/name, such as nvidia.com/gpu)");
        assertRejected(clear("example.com/fpga"), "resource: 'example.com/fpga' is outside the prefixes this agent may change");
        assertRejected(clear("nvidia.com/bad name"), "resource: ");
        assertThat(simulator.node("k8s-node1").orElseThrow().at("/status/capacity").has("nvidia.com/gpu")).isTrue();
    }

    private void assertRejected(Action action, String messageStart)
    {
        assertThatThrownBy(() -> Actions.run(handlers, action))
                .isInstanceOfSatisfying(ActionException.class, error -> {
                    assertThat(error.kind()).isEqualTo(ActionException.Kind.REJECTED);
                    assertThat(error.getMessage()).startsWith(messageStart);
                });
    }

    private ActionHandler handler(Action.KindCase kind)
    {
        return handlers.stream().filter(candidate -> candidate.kind() == kind).findFirst().orElseThrow();
    }

    private List<String> podNames()
    {
        return simulator.pods().stream().map(pod -> pod.at("/metadata/namespace").asText() + "/" + pod.at("/metadata/name").asText()).toList();
    }

    private static Action restart(List<String> selectors, String namespace, Duration timeout)
    {
        return Action.newBuilder().setKubernetesNodeRestartPods(KubernetesRestartPodsAction.newBuilder()
                .addAllLabelSelectors(selectors)
                .setNamespace(namespace)
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(timeout.getSeconds()).setNanos(timeout.getNano())))
                .build();
    }

    private static Action clear(String resource)
    {
        return Action.newBuilder().setKubernetesNodeClearResource(KubernetesClearResourceAction.newBuilder().setResource(resource)).build();
    }
}
