package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.inventory.SystemUuidSource;
import io.rackpilot.proto.v1.KubernetesNodeInfo.FoundBy;
import io.rackpilot.proto.v1.KubernetesNodeInfo.State;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@EnableKubernetesMockClient(crud = true)
class TestOwnNode
{
    private static final String NODE1_UUID = "4d2b7e10-5a1c-4c8e-9f00-000000000201";
    private static final String NODE2_UUID = "4d2b7e10-5a1c-4c8e-9f00-000000000202";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path directory;

    private KubernetesConnection connection;

    @BeforeEach
    void setUp()
    {
        node("k8s-node1", NODE1_UUID.toUpperCase(), "10.0.20.101");
        node("k8s-node2", NODE2_UUID, "10.0.20.102");
        connection = KubernetesConnection.of(new KubernetesApi(client, Duration.ofSeconds(5)));
    }

    @Test
    void foundBySystemUuidWhateverItsCase()
            throws Exception
    {
        OwnNode ownNode = new OwnNode(connection, Optional.empty(), uuid(NODE1_UUID), Set::of);
        NodeLocation location = ownNode.locate();
        assertThat(location).isEqualTo(NodeLocation.found("k8s-node1", FoundBy.FOUND_BY_SYSTEM_UUID));
        assertThat(ownNode.requireName()).isEqualTo("k8s-node1");
    }

    @Test
    void foundByConfiguredName()
            throws Exception
    {
        OwnNode ownNode = new OwnNode(connection, Optional.of("k8s-node2"), uuid(NODE1_UUID), Set::of);
        assertThat(ownNode.locate()).isEqualTo(NodeLocation.found("k8s-node2", FoundBy.FOUND_BY_CONFIG));

        OwnNode missing = new OwnNode(connection, Optional.of("k8s-node9"), uuid(NODE1_UUID), Set::of);
        assertThat(missing.locate().problem()).isEqualTo("kubernetes.nodeName is k8s-node9, but the API server has no Node of that name");
    }

    @Test
    void foundByInternalIpOnlyWhenThisMachineHasNoUuid()
            throws Exception
    {
        Set<InetAddress> addresses = Set.of(InetAddress.getByName("10.0.20.102"), InetAddress.getByName("192.168.1.5"));
        OwnNode ownNode = new OwnNode(connection, Optional.empty(), new SystemUuidSource(directory.resolve("no-sys"), Optional.empty()), () -> addresses);
        assertThat(ownNode.locate()).isEqualTo(NodeLocation.found("k8s-node2", FoundBy.FOUND_BY_INTERNAL_IP));

        OwnNode elsewhere = new OwnNode(connection, Optional.empty(), new SystemUuidSource(directory.resolve("no-sys"), Optional.empty()), Set::of);
        NodeLocation location = elsewhere.locate();
        assertThat(location.state()).isEqualTo(State.STATE_NOT_FOUND);
        assertThat(location.problem()).startsWith("this machine's SMBIOS UUID is unknown (unknown: no DMI on this machine").endsWith("no Node's InternalIP is one of this machine's addresses; set kubernetes.nodeName");
    }

    @Test
    void untilItHasANodeItRefusesActionsWithTheReason()
            throws Exception
    {
        OwnNode ownNode = new OwnNode(connection, Optional.empty(), uuid("4d2b7e10-5a1c-4c8e-9f00-000000000209"), Set::of);
        NodeLocation location = ownNode.locate();
        assertThat(location.state()).isEqualTo(State.STATE_NOT_FOUND);
        assertThat(location.problem()).startsWith("no Node has status.nodeInfo.systemUUID 4d2b7e10-5a1c-4c8e-9f00-000000000209 (this machine's SMBIOS UUID, from file:");
        assertThatThrownBy(ownNode::requireName)
                .isInstanceOfSatisfying(ActionException.class, e -> assertThat(e.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessageStartingWith("this agent has not found its Kubernetes Node: no Node has status.nodeInfo.systemUUID");

        // the kubelet registers the Node later: the next look finds it
        node("k8s-node9", "4d2b7e10-5a1c-4c8e-9f00-000000000209", "10.0.20.109");
        assertThat(ownNode.requireName()).isEqualTo("k8s-node9");
    }

    @Test
    void twoNodesWithOneUuidAreNotGuessedBetween()
            throws Exception
    {
        node("k8s-clone", NODE1_UUID, "10.0.20.111");
        NodeLocation location = new OwnNode(connection, Optional.empty(), uuid(NODE1_UUID), Set::of).locate();
        assertThat(location.state()).isEqualTo(State.STATE_NOT_FOUND);
        assertThat(location.problem()).startsWith("2 Nodes report system UUID " + NODE1_UUID + " (k8s-clone, k8s-node1): cloned VMs?");
    }

    @Test
    void aNodeThatGoesAwayIsLookedForAgain()
            throws Exception
    {
        OwnNode ownNode = new OwnNode(connection, Optional.empty(), uuid(NODE1_UUID), Set::of);
        assertThat(ownNode.locate().nodeName()).contains("k8s-node1");
        client.nodes().withName("k8s-node1").delete();
        node("k8s-node1-renamed", NODE1_UUID, "10.0.20.101");
        assertThat(ownNode.locate().nodeName()).contains("k8s-node1-renamed");
    }

    @Test
    void withoutAKubeconfigItSaysSo()
    {
        Path kubeconfig = directory.resolve("kubeconfig");
        KubernetesConnection missing = new KubernetesConnection(new AgentConfig.Kubernetes(true, kubeconfig, false, null, null, null, null, null));
        OwnNode ownNode = new OwnNode(missing, Optional.empty(), uuid(NODE1_UUID), Set::of);
        NodeLocation location = ownNode.locate();
        assertThat(location.state()).isEqualTo(State.STATE_NOT_CONFIGURED);
        assertThat(location.problem()).isEqualTo("no kubeconfig at " + kubeconfig + " (kubernetes.kubeconfig): give the agent its own credential, see docs/kubernetes.md");
        assertThatThrownBy(ownNode::requireName).hasMessageStartingWith("this agent has not found its Kubernetes Node: no kubeconfig at");
    }

    @Test
    void aBrokenKubeconfigIsNamed()
            throws IOException
    {
        Path kubeconfig = directory.resolve("kubeconfig");
        Files.writeString(kubeconfig, "clusters: [oops\n");
        KubernetesConnection broken = new KubernetesConnection(new AgentConfig.Kubernetes(true, kubeconfig, false, null, null, null, null, null));
        NodeLocation location = new OwnNode(broken, Optional.empty(), uuid(NODE1_UUID), Set::of).locate();
        assertThat(location.state()).isEqualTo(State.STATE_NOT_CONFIGURED);
        assertThat(location.problem()).startsWith("cannot use " + kubeconfig + ": ");
    }

    @Test
    void anApiServerThatIsDownFailsWithinTheTimeoutAndSaysWhere()
            throws Exception
    {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path kubeconfig = directory.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: homelab
                  cluster:
                    server: https://127.0.0.1:%d
                    insecure-skip-tls-verify: true
                users:
                - name: rackpilot
                  user:
                    token: not-a-secret
                contexts:
                - name: rackpilot
                  context: {cluster: homelab, user: rackpilot}
                current-context: rackpilot
                """.formatted(port));
        KubernetesConnection down = new KubernetesConnection(new AgentConfig.Kubernetes(true, kubeconfig, false, null, null, Duration.ofSeconds(2), null, null));
        OwnNode ownNode = new OwnNode(down, Optional.empty(), uuid(NODE1_UUID), Set::of);
        long start = System.nanoTime();
        NodeLocation location = ownNode.locate();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(location.state()).isEqualTo(State.STATE_UNREACHABLE);
        assertThat(location.problem()).startsWith("list Nodes: cannot reach the Kubernetes API at https://127.0.0.1:" + port);
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        List<ActionHandler> handlers = NodeEditHandler.all(ownNode, new KeyGuard(List.of("rackpilot.io/")));
        assertThatThrownBy(() -> Actions.run(handlers, Actions.cordon())).hasMessageContaining("cannot reach the Kubernetes API");
    }

    private SystemUuidSource uuid(String value)
    {
        try {
            Path file = Files.createTempFile(directory, "product_uuid", "");
            Files.writeString(file, value + "\n");
            return new SystemUuidSource(directory.resolve("sys"), Optional.of(file));
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private void node(String name, String systemUuid, String internalIp)
    {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewStatus()
                .withNewNodeInfo().withSystemUUID(systemUuid).endNodeInfo()
                .addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress()
                .endStatus()
                .build()).create();
    }
}
