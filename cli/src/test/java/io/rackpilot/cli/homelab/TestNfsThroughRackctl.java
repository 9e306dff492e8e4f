package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.testing.SystemTools;
import io.rackpilot.hostagent.HostAgent;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * nfs.exports.apply from rackctl to the real exportfs through a host-agent, on a managed file of
 * the test's own in /etc/exports.d that is removed afterwards.
 */
class TestNfsThroughRackctl
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void applyChangeAndRefuseBadInput()
            throws Exception
    {
        Path exportfs = SystemTools.require("exportfs");
        if (!Files.isWritable(Path.of("/etc"))) {
            org.junit.jupiter.api.Assertions.assertNotEquals("1", System.getenv("RACKPILOT_REQUIRE_SYSTEM_TESTS"), "this test writes to /etc/exports.d and needs root");
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "this test writes to /etc/exports.d and needs root");
        }
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Path managed = Path.of("/etc/exports.d/rackpilot-test-" + suffix + ".exports");
        boolean createdDirectory = !Files.exists(managed.getParent());
        try (TestHomelab homelab = new TestHomelab()) {
            Path root = homelab.root().resolve("rackpilot-test-" + suffix);
            Files.createDirectories(root.resolve("nfs"));
            homelab.startCoordinator();
            homelab.startAgent(AgentKind.HOST, "pve", HostAgent::parts, null, new AgentConfig.Nfs(true, managed, List.of(root), exportfs));
            homelab.awaitConnected("pve");

            String desired = "{\"exports\":[{\"path\":\"" + root.resolve("nfs") + "\",\"clients\":[{\"spec\":\"10.0.20.0/24\",\"options\":[\"rw\",\"sync\",\"no_subtree_check\",\"no_root_squash\"]}]}]}";
            TestHomelab.RackctlResult apply = homelab.rackctl("exec", "pve", "nfs.exports.apply", "--json", desired, "--wait", "-o", "json");
            assertThat(apply.exitCode()).as(apply.out() + apply.err()).isZero();
            assertThat(JSON.readTree(apply.out()).at("/result/changed").asBoolean()).isTrue();
            assertThat(Files.readString(managed)).contains(root.resolve("nfs") + " 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
            assertThat(run(exportfs, "-v")).contains(root.resolve("nfs").toString());

            JsonNode again = JSON.readTree(homelab.rackctl("exec", "pve", "nfs.exports.apply", "--json", desired, "--wait", "-o", "json").out());
            assertThat(again.at("/result/changed").asBoolean()).as("idempotent").isFalse();

            String before = Files.readString(managed);
            String outside = desired.replace(root.resolve("nfs").toString(), "/etc");
            TestHomelab.RackctlResult refused = homelab.rackctl("exec", "pve", "nfs.exports.apply", "--json", outside, "--wait");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.out()).contains("rejected").contains("exports[0].path");
            assertThat(Files.readString(managed)).isEqualTo(before);
        }
        finally {
            Files.deleteIfExists(managed);
            if (createdDirectory) {
                Files.deleteIfExists(managed.getParent());
            }
            run(SystemTools.require("exportfs"), "-ra");
        }
    }

    private static String run(Path exportfs, String argument)
            throws Exception
    {
        Process process = new ProcessBuilder(exportfs.toString(), argument).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor(30, TimeUnit.SECONDS);
        return output;
    }
}
