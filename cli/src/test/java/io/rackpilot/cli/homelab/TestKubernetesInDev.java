package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.cli.dev.DevHomelab;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rackctl exec k8s-node3 k8s.node.*} end to end in dev mode: each node-agent finds its Node
 * in the simulated cluster by its VM's SMBIOS UUID and edits it through the real fabric8 client.
 */
class TestKubernetesInDev
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private DevHomelab dev;
    private Map<String, String> environment;

    @BeforeEach
    void setUp()
            throws Exception
    {
        HomelabPlan plan = PlanLoader.load(Path.of("../docs/examples/homelab.yaml"));
        dev = DevHomelab.start(plan, 0, 0, home.resolve(".config/rackpilot/dev"), Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        environment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
        TestHomelab.awaitCondition("k8s-node3 found its Node", () -> {
            TestHomelab.RackctlResult inventory = rackctl("inventory", "k8s-node3", "-o", "json");
            return inventory.exitCode() == 0 && inventory.out().contains("\"found\"");
        });
    }

    @AfterEach
    void tearDown()
    {
        dev.close();
    }

    @Test
    void taintFromRackctlShowsInTheInventory()
            throws Exception
    {
        JsonNode before = JSON.readTree(rackctl("inventory", "k8s-node3", "-o", "json").out());
        assertThat(before.at("/kubernetes/nodeName").asText()).isEqualTo("k8s-node3");
        assertThat(before.at("/kubernetes/foundBy").asText()).isEqualTo("system_uuid");

        TestHomelab.RackctlResult taint = rackctl("exec", "k8s-node3", "k8s.node.taint", "--set", "key=rackpilot.io/test", "--set", "value=x", "--set", "effect=NoSchedule", "--wait", "-o", "json");
        assertThat(taint.exitCode()).as(taint.err()).isZero();
        JsonNode record = JSON.readTree(taint.out());
        assertThat(record.get("state").asText()).isEqualTo("succeeded");
        assertThat(record.at("/result/changed").asBoolean()).isTrue();

        TestHomelab.awaitCondition("the taint shows in k8s-node3's inventory", () ->
                rackctl("inventory", "k8s-node3", "-o", "json").out().contains("rackpilot.io/test"));
        JsonNode after = JSON.readTree(rackctl("inventory", "k8s-node3", "-o", "json").out());
        assertThat(after.at("/kubernetes/taints").toString()).contains("{\"key\":\"rackpilot.io/test\",\"value\":\"x\",\"effect\":\"NoSchedule\"}");
        assertThat(rackctl("inventory", "k8s-node3").out()).contains("Kubernetes: Node k8s-node3 (found by system_uuid)").contains("rackpilot.io/test=x:NoSchedule");

        JsonNode again = JSON.readTree(rackctl("exec", "k8s-node3", "k8s.node.taint", "--set", "key=rackpilot.io/test", "--set", "value=x", "--set", "effect=NoSchedule", "--wait", "-o", "json").out());
        assertThat(again.at("/result/changed").asBoolean()).isFalse();

        TestHomelab.RackctlResult outside = rackctl("exec", "k8s-node3", "k8s.node.label", "--set", "key=kubernetes.io/hostname", "--set", "value=x", "--wait");
        assertThat(outside.exitCode()).isEqualTo(1);
        assertThat(outside.out()).contains("rejected").contains("key: 'kubernetes.io/hostname' is outside the prefixes this agent may change");

        TestHomelab.RackctlResult onHost = rackctl("exec", "pve", "k8s.node.cordon", "--wait");
        assertThat(onHost.exitCode()).isNotZero();
    }

    @Test
    void theGpuNodeReportsItsGpuPodsAndDrainsThem()
            throws Exception
    {
        TestHomelab.awaitCondition("k8s-node1 found its Node", () -> rackctl("inventory", "k8s-node1", "-o", "json").out().contains("\"found\""));
        JsonNode inventory = JSON.readTree(rackctl("inventory", "k8s-node1", "-o", "json").out());
        assertThat(inventory.at("/kubernetes/gpuCapacity").asText()).isEqualTo("1");
        assertThat(inventory.at("/kubernetes/gpuPods").toString()).contains("ollama-0");
        assertThat(inventory.at("/kubernetes/taints").toString()).contains("nvidia.com/gpu");

        TestHomelab.RackctlResult drain = rackctl("exec", "k8s-node1", "k8s.node.drain", "--set", "resource=nvidia.com/gpu", "--set", "timeout=1m", "--wait", "-o", "json");
        assertThat(drain.exitCode()).as(drain.out() + drain.err()).isZero();
        JsonNode result = JSON.readTree(drain.out()).at("/result/result/kubernetesNodeDrain");
        assertThat(result.get("complete").asBoolean()).isTrue();
        assertThat(result.get("evicted").toString()).contains("ollama-0").contains("jellyfin-transcode");
        assertThat(result.get("skipped").toString()).contains("DaemonSet pod");
        TestHomelab.awaitCondition("the drained Node shows cordoned without GPU pods", () -> {
            JsonNode kubernetes = kubernetesOf("k8s-node1");
            return kubernetes.path("unschedulable").asBoolean() && !kubernetes.path("gpuPods").toString().contains("ollama-0");
        });
    }

    private JsonNode kubernetesOf(String agent)
    {
        try {
            return JSON.readTree(rackctl("inventory", agent, "-o", "json").out()).path("kubernetes");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestHomelab.RackctlResult rackctl(String... arguments)
    {
        return TestHomelab.rackctl(environment, arguments);
    }
}
