package io.rackpilot.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.CommandState;
import io.rackpilot.proto.v1.CpuInfo;
import io.rackpilot.proto.v1.Disk;
import io.rackpilot.proto.v1.Disks;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.KubernetesNodeResult;
import io.rackpilot.proto.v1.KubernetesTaint;
import io.rackpilot.proto.v1.MemoryInfo;
import io.rackpilot.proto.v1.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TestProtoJson
{
    @Test
    void agentInfoHasTheDocumentedShape()
    {
        AgentInfo agent = AgentInfo.newBuilder()
                .setId("k8s-node1")
                .setRole(Role.ROLE_NODE)
                .setState(AgentState.AGENT_STATE_CONNECTED)
                .setVersion("0.1.0")
                .setLastSeen(Timestamps.of(Instant.parse("2026-11-24T13:40:02.123Z")))
                .setMetricsUrl("http://10.0.20.101:9452/metrics")
                .addCapabilities("agent.ping")
                .build();
        JsonNode json = ProtoJson.object(agent);
        assertThat(json.get("id").asText()).isEqualTo("k8s-node1");
        assertThat(json.get("role").asText()).isEqualTo("node");
        assertThat(json.get("state").asText()).isEqualTo("connected");
        assertThat(json.get("lastSeen").asText()).isEqualTo("2026-11-24T13:40:02.123Z");
        assertThat(json.get("metricsUrl").asText()).isEqualTo("http://10.0.20.101:9452/metrics");
        assertThat(json.get("capabilities").get(0).asText()).isEqualTo("agent.ping");
        assertThat(json.has("connectedSince")).as("unset message fields are left out").isFalse();
        assertThat(json.get("bootId").asText()).as("scalar fields are always there").isEmpty();
    }

    @Test
    void numbersStayNumbersAndListWrappersBecomeArrays()
    {
        Inventory inventory = Inventory.newBuilder()
                .setCpu(CpuInfo.newBuilder().setLogicalCores(44).setPhysicalCores(22).setSockets(1))
                .setMemory(MemoryInfo.newBuilder().setTotalBytes(171_798_691_840L))
                .setDisks(Disks.newBuilder().addItems(Disk.newBuilder().setName("sda").setSizeBytes(1_100_000_000_000L)))
                .build();
        JsonNode json = ProtoJson.object(inventory);
        assertThat(json.at("/cpu/logicalCores").isInt()).isTrue();
        assertThat(json.at("/cpu/logicalCores").asInt()).isEqualTo(44);
        assertThat(json.at("/memory/totalBytes").isNumber()).isTrue();
        assertThat(json.at("/memory/totalBytes").asLong()).isEqualTo(171_798_691_840L);
        assertThat(json.get("disks").isArray()).isTrue();
        assertThat(json.at("/disks/0/sizeBytes").asLong()).isEqualTo(1_100_000_000_000L);
        assertThat(json.has("networkInterfaces")).isFalse();
    }

    @Test
    void labelsAreAnObjectAndTaintsStayAList()
    {
        Inventory inventory = Inventory.newBuilder()
                .setKubernetes(KubernetesNodeInfo.newBuilder()
                        .setState(KubernetesNodeInfo.State.STATE_FOUND)
                        .setNodeName("k8s-node1")
                        .putLabels("nvidia.com/gpu.present", "true")
                        .putLabels("kubernetes.io/hostname", "k8s-node1")
                        .addTaints(KubernetesTaint.newBuilder().setKey("nvidia.com/gpu").setValue("true").setEffect("PreferNoSchedule")))
                .build();
        JsonNode labels = ProtoJson.object(inventory).at("/kubernetes/labels");
        assertThat(labels.isObject()).as(labels.toString()).isTrue();
        assertThat(labels.get("nvidia.com/gpu.present").asText()).isEqualTo("true");
        assertThat(labels.get("kubernetes.io/hostname").asText()).isEqualTo("k8s-node1");
        assertThat(labels.fieldNames()).toIterable().containsExactly("kubernetes.io/hostname", "nvidia.com/gpu.present");
        JsonNode taints = ProtoJson.object(inventory).at("/kubernetes/taints");
        assertThat(taints.isArray()).isTrue();
        assertThat(taints.get(0).get("effect").asText()).isEqualTo("PreferNoSchedule");

        JsonNode result = ProtoJson.object(KubernetesNodeResult.newBuilder().setNode("k8s-node1").putLabels("rackpilot.io/test", "x").build());
        assertThat(result.get("labels").isObject()).isTrue();
        assertThat(result.at("/labels/rackpilot.io~1test").asText()).isEqualTo("x");
        assertThat(ProtoJson.object(KubernetesNodeResult.getDefaultInstance()).get("labels").isObject())
                .as("an empty map is an empty object, as an empty list is an empty array").isTrue();
    }

    @Test
    void enumWordsDropTheirTypePrefix()
    {
        assertThat(ProtoJson.enumWord(Role.ROLE_HOST.getValueDescriptor())).isEqualTo("host");
        assertThat(ProtoJson.enumWord(CommandState.COMMAND_STATE_TIMED_OUT.getValueDescriptor())).isEqualTo("timed_out");
        assertThat(ProtoJson.enumWord(AgentState.AGENT_STATE_LOST.getValueDescriptor())).isEqualTo("lost");
    }
}
