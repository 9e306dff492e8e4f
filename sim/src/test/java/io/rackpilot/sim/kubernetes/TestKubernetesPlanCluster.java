package io.rackpilot.sim.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

final class TestKubernetesPlanCluster
{
    private static final String TOKEN = "node-agent-token";

    @TempDir
    Path directory;

    private KubernetesSimulator simulator;
    private KubernetesClient client;

    @BeforeEach
    void start()
            throws Exception
    {
        HomelabPlan plan = PlanLoader.load(Path.of("..", "docs", "examples", "homelab.yaml"));
        simulator = KubernetesSimulator.fromPlan(plan, Set.of(TOKEN), directory);
        Path kubeconfig = simulator.writeKubeconfig(directory.resolve("kubeconfig"), TOKEN);
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    }

    @AfterEach
    void stop()
    {
        client.close();
        simulator.close();
    }

    @Test
    void seedsOneNodePerKubernetesVmWithTheGpuNodeAsTheHomelabHasIt()
    {
        List<Node> nodes = client.nodes().list().getItems();
        assertThat(nodes).extracting(node -> node.getMetadata().getName()).containsExactly("k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4");

        Node gpuNode = nodes.stream().filter(node -> node.getStatus().getNodeInfo().getSystemUUID().equals("4d2b7e10-5a1c-4c8e-9f00-000000000201")).findFirst().orElseThrow();
        assertThat(gpuNode.getMetadata().getName()).isEqualTo("k8s-node1");
        assertThat(gpuNode.getStatus().getCapacity()).containsEntry("nvidia.com/gpu", new Quantity("1")).containsEntry("cpu", new Quantity("16"));
        assertThat(gpuNode.getStatus().getAllocatable()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(gpuNode.getSpec().getTaints()).singleElement().satisfies(taint -> {
            assertThat(taint.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(taint.getValue()).isEqualTo("true");
            assertThat(taint.getEffect()).isEqualTo("PreferNoSchedule");
        });
        assertThat(gpuNode.getMetadata().getLabels()).containsEntry("nvidia.com/gpu.present", "true").containsEntry("kubernetes.io/hostname", "k8s-node1");
        assertThat(gpuNode.getStatus().getAddresses()).extracting(address -> address.getType() + "=" + address.getAddress())
                .containsExactly("InternalIP=10.0.20.101", "Hostname=k8s-node1");

        Node master = nodes.get(0);
        assertThat(master.getMetadata().getLabels()).containsKey("node-role.kubernetes.io/control-plane");
        assertThat(master.getStatus().getAddresses().get(0).getAddress()).isEqualTo("10.0.20.100");
        assertThat(master.getStatus().getConditions()).anySatisfy(condition -> {
            assertThat(condition.getType()).isEqualTo("Ready");
            assertThat(condition.getStatus()).isEqualTo("True");
        });
        for (Node other : nodes.subList(2, 5)) {
            assertThat(other.getSpec().getTaints()).isNullOrEmpty();
            assertThat(other.getStatus().getCapacity()).doesNotContainKey("nvidia.com/gpu");
        }
    }

    @Test
    void seedsTheGpuNodesPodsDaemonSetsMirrorPodsAndTheOllamaBudget()
    {
        List<Pod> onGpuNode = client.pods().inAnyNamespace().withField("spec.nodeName", "k8s-node1").list().getItems();
        assertThat(onGpuNode).extracting(pod -> pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName())
                .contains("ml/ollama-0")
                .anyMatch(name -> name.startsWith("media/jellyfin-transcode-"))
                .anyMatch(name -> name.startsWith("default/web-"))
                .anyMatch(name -> name.startsWith("kube-system/kube-proxy-"))
                .anyMatch(name -> name.startsWith("kube-system/nvidia-device-plugin-daemonset-"));
        assertThat(onGpuNode.stream().filter(pod -> pod.getSpec().getContainers().get(0).getResources().getLimits() != null
                && pod.getSpec().getContainers().get(0).getResources().getLimits().containsKey("nvidia.com/gpu"))).hasSize(2);
        Pod devicePlugin = onGpuNode.stream().filter(pod -> pod.getMetadata().getName().startsWith("nvidia-device-plugin-daemonset-")).findFirst().orElseThrow();
        String owner = devicePlugin.getMetadata().getOwnerReferences().get(0).getName();
        assertThat(owner).isEqualTo("nvidia-device-plugin-daemonset");
        assertThat(client.apps().daemonSets().inNamespace("kube-system").withName(owner).get().getMetadata().getUid())
                .isEqualTo(devicePlugin.getMetadata().getOwnerReferences().get(0).getUid());

        Pod etcd = client.pods().inNamespace("kube-system").withName("etcd-k8s-master").get();
        assertThat(etcd.getMetadata().getAnnotations()).containsKey("kubernetes.io/config.mirror");
        assertThat(etcd.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Node");
        assertThat(client.pods().inAnyNamespace().withLabel("k8s-app", "kube-proxy").list().getItems()).hasSize(5);
        assertThat(client.pods().inAnyNamespace().withField("spec.nodeName", "k8s-node3").list().getItems()).hasSizeGreaterThan(1);

        // fabric8 retries a 429 (and any 5xx) itself, requestRetryBackoffLimit times (default 10) with
        // exponential backoff from requestRetryBackoffInterval (default 1 s): with the default config,
        // evict() outlasts the budget's 8 s block and answers true
        Eviction eviction = new EvictionBuilder().withNewMetadata().withName("ollama-0").withNamespace("ml").endMetadata().build();
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace("ml").withName("ollama").get().getStatus().getDisruptionsAllowed()).isZero();
        assertThat(client.pods().inNamespace("ml").withName("ollama-0").evict(eviction)).isTrue();
        assertThat(simulator.evictionRequests()).hasSizeGreaterThan(2).allMatch("ml/ollama-0"::equals);
        assertThat(client.pods().inNamespace("ml").withName("ollama-0").get().getMetadata().getDeletionTimestamp()).isNotNull();
    }
}
