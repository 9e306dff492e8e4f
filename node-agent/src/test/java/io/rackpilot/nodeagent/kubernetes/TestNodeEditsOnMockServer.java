package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.inventory.SystemUuidSource;
import io.rackpilot.proto.v1.KubernetesNodeResult;
import io.rackpilot.proto.v1.KubernetesTaint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Taints, labels, cordon and conflict retries against fabric8's mock API server in CRUD mode
 * (which honours the resourceVersion of a merge patch with 409, as the API server does).
 */
@EnableKubernetesMockClient(crud = true)
class TestNodeEditsOnMockServer
{
    private static final String UUID = "4d2b7e10-5a1c-4c8e-9f00-000000000203";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path directory;

    private KubernetesApi api;
    private List<ActionHandler> handlers;

    @BeforeEach
    void setUp()
            throws IOException
    {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName("k8s-node3").addToLabels("kubernetes.io/hostname", "k8s-node3").endMetadata()
                .withNewSpec().addNewTaint().withKey("example.com/other").withValue("x").withEffect("NoSchedule").endTaint().endSpec()
                .withNewStatus().withNewNodeInfo().withSystemUUID(UUID.toUpperCase()).endNodeInfo().endStatus()
                .build()).create();
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName("k8s-node1").endMetadata()
                .withNewStatus().withNewNodeInfo().withSystemUUID("4d2b7e10-5a1c-4c8e-9f00-000000000201").endNodeInfo().endStatus()
                .build()).create();
        Path uuidFile = directory.resolve("product_uuid");
        Files.writeString(uuidFile, UUID + "\n");
        api = new KubernetesApi(client, Duration.ofSeconds(5));
        OwnNode ownNode = new OwnNode(KubernetesConnection.of(api), Optional.empty(), new SystemUuidSource(directory.resolve("sys"), Optional.of(uuidFile)), Set::of);
        handlers = NodeEditHandler.all(ownNode, new KeyGuard(List.of("nvidia.com/", "rackpilot.io/")));
    }

    @AfterEach
    void tearDown()
    {
        // the client belongs to the mock server extension
    }

    @Test
    void taintTwiceIsOneTaint()
            throws Exception
    {
        Actions.Ran first = Actions.run(handlers, Actions.taint("nvidia.com/gpu", "true", "PreferNoSchedule"));
        assertThat(first.changed()).isTrue();
        String version = node().getMetadata().getResourceVersion();

        Actions.Ran second = Actions.run(handlers, Actions.taint("nvidia.com/gpu", "true", "PreferNoSchedule"));
        assertThat(second.changed()).isFalse();
        assertThat(second.message()).contains("already");
        assertThat(node().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(node().getSpec().getTaints())
                .extracting(taint -> taint.getKey() + "=" + taint.getValue() + ":" + taint.getEffect())
                .containsExactly("example.com/other=x:NoSchedule", "nvidia.com/gpu=true:PreferNoSchedule");
        KubernetesNodeResult result = second.result().getKubernetesNodeTaint();
        assertThat(result.getNode()).isEqualTo("k8s-node3");
        assertThat(result.getTaintsList()).contains(KubernetesTaint.newBuilder().setKey("nvidia.com/gpu").setValue("true").setEffect("PreferNoSchedule").build());
    }

    @Test
    void aNewValueReplacesTheTaintOfTheSameKeyAndEffect()
            throws Exception
    {
        Actions.run(handlers, Actions.taint("nvidia.com/gpu", "true", "PreferNoSchedule"));
        Actions.run(handlers, Actions.taint("nvidia.com/gpu", "false", "PreferNoSchedule"));
        Actions.run(handlers, Actions.taint("nvidia.com/gpu", "true", "NoSchedule"));
        assertThat(node().getSpec().getTaints())
                .extracting(taint -> taint.getKey() + "=" + taint.getValue() + ":" + taint.getEffect())
                .containsExactly("example.com/other=x:NoSchedule", "nvidia.com/gpu=false:PreferNoSchedule", "nvidia.com/gpu=true:NoSchedule");

        Actions.Ran removed = Actions.run(handlers, Actions.untaint("nvidia.com/gpu", ""));
        assertThat(removed.changed()).isTrue();
        assertThat(node().getSpec().getTaints()).extracting(io.fabric8.kubernetes.api.model.Taint::getKey).containsExactly("example.com/other");
    }

    @Test
    void untaintOfAMissingTaintChangesNothing()
            throws Exception
    {
        String version = node().getMetadata().getResourceVersion();
        Actions.Ran ran = Actions.run(handlers, Actions.untaint("rackpilot.io/absent", "NoSchedule"));
        assertThat(ran.changed()).isFalse();
        assertThat(node().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(node().getSpec().getTaints()).hasSize(1);
    }

    @Test
    void theLastTaintRemovedLeavesNoTaintList()
            throws Exception
    {
        client.nodes().withName("k8s-node3").edit(node -> new NodeBuilder(node).editSpec().withTaints().endSpec().build());
        Actions.run(handlers, Actions.taint("rackpilot.io/test", "x", "NoSchedule"));
        Actions.run(handlers, Actions.untaint("rackpilot.io/test", "NoSchedule"));
        assertThat(node().getSpec().getTaints()).isNullOrEmpty();
    }

    @Test
    void labelsUnderTheAllowedPrefixesOnly()
            throws Exception
    {
        assertThat(Actions.run(handlers, Actions.label("nvidia.com/gpu.present", "true")).changed()).isTrue();
        assertThat(Actions.run(handlers, Actions.label("nvidia.com/gpu.present", "true")).changed()).isFalse();
        assertThat(node().getMetadata().getLabels()).containsEntry("nvidia.com/gpu.present", "true").containsEntry("kubernetes.io/hostname", "k8s-node3");

        assertThatThrownBy(() -> Actions.run(handlers, Actions.unlabel("kubernetes.io/hostname")))
                .isInstanceOf(ActionException.class)
                .hasMessage("key: 'kubernetes.io/hostname' is outside the prefixes this agent may change (nvidia.com/, rackpilot.io/); see kubernetes.allowedPrefixes in its configuration");
        assertThat(Actions.run(handlers, Actions.unlabel("nvidia.com/gpu.present")).changed()).isTrue();
        assertThat(Actions.run(handlers, Actions.unlabel("nvidia.com/gpu.present")).changed()).isFalse();
        assertThat(node().getMetadata().getLabels()).containsOnlyKeys("kubernetes.io/hostname");
    }

    @Test
    void cordonAndUncordon()
            throws Exception
    {
        assertThat(Actions.run(handlers, Actions.cordon()).changed()).isTrue();
        assertThat(node().getSpec().getUnschedulable()).isTrue();
        assertThat(Actions.run(handlers, Actions.cordon()).changed()).isFalse();
        Actions.Ran uncordoned = Actions.run(handlers, Actions.uncordon());
        assertThat(uncordoned.changed()).isTrue();
        assertThat(uncordoned.result().getKubernetesNodeUncordon().getUnschedulable()).isFalse();
        assertThat(node().getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(Actions.run(handlers, Actions.uncordon()).changed()).isFalse();
    }

    @Test
    void badInputIsRefusedBeforeAnyCall()
    {
        String version = node().getMetadata().getResourceVersion();
        assertRejected(Actions.taint("nvidia.com/", "true", "NoSchedule"), "key: 'nvidia.com/': the name after the prefix must not be empty");
        assertRejected(Actions.taint("nvidia.com/gpu!", "true", "NoSchedule"), "key: 'nvidia.com/gpu!': the name must start and end");
        assertRejected(Actions.taint("Nvidia.COM/gpu", "true", "NoSchedule"), "key: 'Nvidia.COM/gpu': the prefix 'Nvidia.COM' must be a DNS subdomain");
        assertRejected(Actions.taint("nvidia.com/gpu", "x".repeat(64), "NoSchedule"), "value: '" + "x".repeat(40) + "...' must be at most 63 characters, got 64");
        assertRejected(Actions.taint("nvidia.com/gpu", "true", "NoScheduleMaybe"), "effect: 'NoScheduleMaybe' is not an effect: use NoSchedule, PreferNoSchedule or NoExecute");
        assertRejected(Actions.taint("nvidia.com/gpu", "true", ""), "effect: missing: use NoSchedule, PreferNoSchedule or NoExecute");
        assertRejected(Actions.taint("example.com/gpu", "true", "NoSchedule"), "key: 'example.com/gpu' is outside the prefixes");
        assertRejected(Actions.label("rackpilot.io/" + "n".repeat(64), "x"), "the name must be at most 63 characters, got 64");
        assertRejected(Actions.label("rackpilot.io/zone", "-bad"), "value: '-bad' must start and end with a letter or digit");
        assertRejected(Actions.untaint("rackpilot.io/test", "Sometimes"), "effect: 'Sometimes' is not an effect");
        assertThat(node().getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void concurrentEditsAreRetriedAndNoneIsLost()
            throws Exception
    {
        ExecutorService executor = Executors.newFixedThreadPool(6);
        try {
            List<Future<Actions.Ran>> futures = new ArrayList<>();
            for (int index = 0; index < 6; index++) {
                String key = "rackpilot.io/t" + index;
                futures.add(executor.submit(() -> Actions.run(handlers, Actions.taint(key, "x", "NoSchedule"))));
            }
            for (Future<Actions.Ran> future : futures) {
                assertThat(future.get().changed()).isTrue();
            }
        }
        finally {
            executor.shutdownNow();
        }
        // a merge patch replaces the whole taint list: without the resourceVersion, taints would be lost
        assertThat(node().getSpec().getTaints()).extracting(io.fabric8.kubernetes.api.model.Taint::getKey)
                .containsExactlyInAnyOrder("example.com/other", "rackpilot.io/t0", "rackpilot.io/t1", "rackpilot.io/t2", "rackpilot.io/t3", "rackpilot.io/t4", "rackpilot.io/t5");
    }

    @Test
    void aStaleResourceVersionIsRefusedWithConflict()
            throws Exception
    {
        Node node = node();
        NodeEditor editor = new NodeEditor(api);
        editor.edit("k8s-node3", new NodeChange.SetLabel("rackpilot.io/a", "1"));
        assertThatThrownBy(() -> api.patchNode("k8s-node3", NodeEditor.jsonPatch(node, new NodeChange.SetLabel("rackpilot.io/b", "2").applyTo(NodeEditor.stateOf(node)))))
                .isInstanceOfSatisfying(KubernetesApiException.class, e -> {
                    assertThat(e.conflict()).isTrue();
                    assertThat(e.getMessage()).startsWith("patch Node k8s-node3: HTTP 409: Operation cannot be fulfilled");
                });
        assertThat(node().getMetadata().getLabels()).doesNotContainKey("rackpilot.io/b");
    }

    private void assertRejected(io.rackpilot.proto.v1.Action action, String message)
    {
        assertThatThrownBy(() -> Actions.run(handlers, action))
                .isInstanceOfSatisfying(ActionException.class, e -> assertThat(e.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessageContaining(message);
    }

    private Node node()
    {
        return client.nodes().withName("k8s-node3").get();
    }
}
