package io.rackpilot.cli.homelab;

import io.rackpilot.common.testing.DaemonProcess;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.nodeagent.NodeAgentMain;
import io.rackpilot.sim.kubernetes.KubernetesSimulator;
import io.rackpilot.sim.kubernetes.OwnerReference;
import io.rackpilot.sim.kubernetes.SimulatedNode;
import io.rackpilot.sim.kubernetes.SimulatedPod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node-agent as the launchers start it: a JVM of its own with exactly the shipped options
 * (read from {@code bin/rackpilot-agent-jvm-options}, the file the launchers source, including its
 * {@code -XX:MaxMetaspaceSize} and {@code -XX:+ExitOnOutOfMemoryError}), connected to a real
 * coordinator and an independent Kubernetes API (the simulator), carries out every k8s.node.*
 * action and is still alive afterwards, its metaspace at most two thirds of the shipped cap.
 */
class TestNodeAgentUnderShippedOptions
{
    private static final String UUID = "4c4c4544-0042-3510-8052-b4c04f4e3132";
    private static final String TOKEN = "rackpilot-node-agent-shipped-options";

    private TestHomelab homelab;
    private KubernetesSimulator kubernetes;
    private DaemonProcess agent;

    @BeforeEach
    void setUp()
            throws Exception
    {
        homelab = new TestHomelab();
        homelab.startCoordinator();
        kubernetes = KubernetesSimulator.empty(Set.of(TOKEN), homelab.root().resolve("kubernetes"));
        kubernetes.setReplacementDelay(Duration.ofMillis(200));
        kubernetes.addNode(new SimulatedNode("k8s-node1", UUID, Optional.of("10.0.20.101"), Map.of(), List.of(),
                Map.of("cpu", "8", "memory", "16777216Ki", "nvidia.com/gpu", "1")));
        OwnerReference devicePlugin = kubernetes.addDaemonSet("nvidia", "nvdp-nvidia-device-plugin", Map.of("app.kubernetes.io/name", "nvidia-device-plugin"));
        kubernetes.addPod(SimulatedPod.of("nvidia", "nvdp-nvidia-device-plugin-k8s-node1", "k8s-node1")
                .withLabels(Map.of("app.kubernetes.io/name", "nvidia-device-plugin")).withOwner(devicePlugin));
        kubernetes.addPod(SimulatedPod.of("ml", "ollama-0", "k8s-node1").withLabels(Map.of("app", "ollama")).withLimits(Map.of("nvidia.com/gpu", "1")));
    }

    @AfterEach
    void tearDown()
    {
        if (agent != null) {
            agent.close();
        }
        kubernetes.close();
        homelab.close();
    }

    @Test
    void everyNodeActionRunsUnderTheShippedJvmOptions()
            throws Exception
    {
        List<String> shippedOptions = shippedAgentJvmOptions();
        assertThat(shippedOptions).anyMatch(option -> option.startsWith("-XX:MaxMetaspaceSize=")).contains("-XX:+ExitOnOutOfMemoryError");
        agent = DaemonProcess.start(NodeAgentMain.class, shippedOptions, List.of("--config", writeConfig().toString()), Map.of(), homelab.root().resolve("node-agent.log"));
        homelab.awaitConnected("k8s-node1");
        TestHomelab.awaitCondition("k8s-node1 found its Node", Duration.ofSeconds(60), () -> {
            TestHomelab.RackctlResult inventory = homelab.rackctl("inventory", "k8s-node1", "-o", "json");
            return inventory.exitCode() == 0 && inventory.out().contains("\"found\"");
        });

        List<List<String>> actions = List.of(
                List.of("k8s.node.taint", "--set", "key=rackpilot.io/test", "--set", "value=x", "--set", "effect=NoSchedule"),
                List.of("k8s.node.untaint", "--set", "key=rackpilot.io/test"),
                List.of("k8s.node.label", "--set", "key=rackpilot.io/gpu", "--set", "value=true"),
                List.of("k8s.node.unlabel", "--set", "key=rackpilot.io/gpu"),
                List.of("k8s.node.cordon"),
                List.of("k8s.node.uncordon"),
                List.of("k8s.node.drain", "--set", "resource=nvidia.com/gpu", "--set", "timeout=1m"),
                List.of("k8s.node.restart-pods", "--set", "labelSelectors=app.kubernetes.io/name=nvidia-device-plugin", "--set", "timeout=1m"),
                List.of("k8s.node.clear-resource", "--set", "resource=nvidia.com/gpu"),
                List.of("inventory.refresh"),
                List.of("agent.ping"));
        for (List<String> action : actions) {
            List<String> arguments = new ArrayList<>(List.of("exec", "k8s-node1"));
            arguments.addAll(action);
            arguments.addAll(List.of("--wait", "--timeout", "2m", "-o", "json"));
            TestHomelab.RackctlResult result = homelab.rackctl(arguments.toArray(String[]::new));
            assertThat(agent.isAlive()).as(action.get(0) + ": the node-agent is alive; " + agent.log()).isTrue();
            assertThat(result.exitCode()).as(action.get(0) + ": " + result.out() + result.err() + "\n" + agent.log()).isZero();
            assertThat(TestHomelab.json(result.out()).get("state").asText()).as(action.get(0)).isEqualTo("succeeded");
        }
        assertThat(kubernetes.node("k8s-node1").orElseThrow().at("/status/capacity").has("nvidia.com/gpu")).isFalse();

        // What the run used, for sizing the shipped options.
        String heap = jcmd(agent.pid(), "GC.heap_info");
        System.out.println("node-agent after every k8s.node.* action under " + String.join(" ", shippedOptions) + ":\n"
                + heap + jcmd(agent.pid(), "Compiler.codecache")
                + "after a full collection:\n" + jcmd(agent.pid(), "GC.run") + jcmd(agent.pid(), "GC.heap_info"));
        assertThat(agent.isAlive()).as(agent.log()).isTrue();
        assertThat(agent.log()).doesNotContain("OutOfMemoryError");
        // Classes are not unloaded: what the metaspace holds now is its peak. The cap leaves a
        // third of it free, for action paths and library versions this run did not take.
        long metaspaceCap = bytes(shippedOptions.stream().filter(option -> option.startsWith("-XX:MaxMetaspaceSize=")).findFirst().orElseThrow().substring("-XX:MaxMetaspaceSize=".length()));
        Matcher used = Pattern.compile("Metaspace\\s+used (\\d+)K").matcher(heap);
        assertThat(used.find()).as(heap).isTrue();
        long metaspaceUsed = Long.parseLong(used.group(1)) * 1024;
        assertThat(metaspaceUsed * 3 / 2).as("metaspace used %d bytes, cap %d bytes: at least 1.5x headroom", metaspaceUsed, metaspaceCap).isLessThanOrEqualTo(metaspaceCap);
    }

    private static long bytes(String jvmSize)
    {
        char unit = Character.toLowerCase(jvmSize.charAt(jvmSize.length() - 1));
        long multiplier = switch (unit) {
            case 'k' -> 1024L;
            case 'm' -> 1024L * 1024;
            case 'g' -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        String digits = Character.isDigit(unit) ? jvmSize : jvmSize.substring(0, jvmSize.length() - 1);
        return Long.parseLong(digits) * multiplier;
    }

    /**
     * The options exactly as the launchers get them: the shipped file sourced by sh.
     */
    private static List<String> shippedAgentJvmOptions()
            throws IOException, InterruptedException
    {
        Path file = Path.of("../bin/rackpilot-agent-jvm-options").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", ". \"$0\"; printf %s \"$RACKPILOT_AGENT_JAVA_OPTS\"", file.toString());
        builder.environment().remove("RACKPILOT_AGENT_JAVA_OPTS");
        Process process = builder.redirectErrorStream(true).start();
        String options = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(options).isZero();
        return Arrays.stream(options.strip().split("\\s+")).filter(option -> !option.isEmpty()).toList();
    }

    private Path writeConfig()
            throws IOException
    {
        Path directory = homelab.root().resolve("agents/k8s-node1");
        TlsFiles tls = homelab.issue(new Identity(IdentityRole.NODE, "k8s-node1"), directory.resolve("tls"), "node-agent");
        Files.writeString(directory.resolve("product_uuid"), UUID + "\n");
        Path kubeconfig = kubernetes.writeKubeconfig(directory.resolve("kubeconfig"), TOKEN);
        Path config = directory.resolve("node-agent.yaml");
        Files.writeString(config, String.join("\n",
                "coordinator:",
                "  address: 127.0.0.1:" + homelab.grpcPort(),
                "  initialBackoff: 100ms",
                "  maximumBackoff: 1s",
                "tls:",
                "  ca: " + tls.caCertificate(),
                "  certificate: " + tls.certificate(),
                "  privateKey: " + tls.privateKey(),
                "metrics:",
                "  listen: 127.0.0.1:0",
                "stateDirectory: " + directory.resolve("state"),
                "inventory:",
                "  interval: 10s",
                "  systemUuidFile: " + directory.resolve("product_uuid"),
                "gpu:",
                "  nvmlLibrary: " + directory.resolve("no-libnvidia-ml.so.1"),
                "kubernetes:",
                "  kubeconfig: " + kubeconfig,
                ""));
        return config;
    }

    private static String jcmd(long pid, String command)
            throws IOException, InterruptedException
    {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }
}
