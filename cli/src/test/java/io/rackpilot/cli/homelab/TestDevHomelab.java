package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.agent.Agent;
import io.rackpilot.cli.dev.DevHomelab;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rackctl dev} over the example plan: one host-agent and a node-agent per Kubernetes VM,
 * and rackctl finds the dev certificate on its own.
 */
class TestDevHomelab
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void runsTheExamplePlanAndRackctlFindsIt()
            throws Exception
    {
        HomelabPlan plan = PlanLoader.load(Path.of("../docs/examples/homelab.yaml"));
        Map<String, String> environment = Map.of("HOME", home.toString());
        Path clientDirectory = home.resolve(".config/rackpilot/dev");
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Path workDirectory;
        try (DevHomelab dev = DevHomelab.start(plan, 0, 0, clientDirectory, Map.of(), new PrintStream(output, true, StandardCharsets.UTF_8))) {
            workDirectory = dev.workDirectory();
            List<String> ids = new ArrayList<>();
            for (Agent agent : dev.agents()) {
                ids.add(agent.id());
            }
            assertThat(ids).containsExactly("pve", "k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4");
            assertThat(dev.agents()).extracting(Agent::metricsPort).doesNotHaveDuplicates();

            Map<String, String> rackctlEnvironment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
            TestHomelab.awaitCondition("all six agents connected", () -> {
                TestHomelab.RackctlResult agents = TestHomelab.rackctl(rackctlEnvironment, "agents", "-o", "json");
                return agents.exitCode() == 0 && agents.out().split("\"connected\"", -1).length - 1 == 6;
            });
            TestHomelab.awaitCondition("k8s-node1 reported", () -> TestHomelab.rackctl(rackctlEnvironment, "inventory", "k8s-node1").exitCode() == 0);
            JsonNode inventory = JSON.readTree(TestHomelab.rackctl(rackctlEnvironment, "inventory", "k8s-node1", "-o", "json").out());
            String expectedUuid = plan.vm(201).orElseThrow().smbiosUuid().orElseThrow();
            assertThat(inventory.at("/system/uuid").asText()).isEqualTo(expectedUuid);

            ByteArrayOutputStream description = new ByteArrayOutputStream();
            dev.describe(new PrintStream(description, true, StandardCharsets.UTF_8));
            assertThat(description.toString(StandardCharsets.UTF_8)).contains("coordinator").contains("node-agent k8s-node4").contains("bin/rackctl agents");
        }
        assertThat(Files.exists(clientDirectory)).as("dev credentials are removed on stop").isFalse();
        assertThat(Files.exists(workDirectory)).isFalse();
        assertThat(TestHomelab.rackctl(environment, "agents").exitCode()).as("no certificate left behind").isEqualTo(2);
    }
}
