package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.hostagent.HostAgent;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        ScratchExports.with((homelab, share, managed, exportfs) -> {
            Path root = share.getParent();
            homelab.startCoordinator();
            homelab.startAgent(AgentKind.HOST, "pve", HostAgent::parts, null, new AgentConfig.Nfs(true, managed, List.of(root), exportfs));
            homelab.awaitConnected("pve");

            String desired = "{\"exports\":[{\"path\":\"" + share + "\",\"clients\":[{\"spec\":\"10.0.20.0/24\",\"options\":[\"rw\",\"sync\",\"no_subtree_check\",\"no_root_squash\"]}]}]}";
            TestHomelab.RackctlResult apply = homelab.rackctl("exec", "pve", "nfs.exports.apply", "--json", desired, "--wait", "-o", "json");
            assertThat(apply.exitCode()).as(apply.out() + apply.err()).isZero();
            assertThat(JSON.readTree(apply.out()).at("/result/changed").asBoolean()).isTrue();
            assertThat(Files.readString(managed)).contains(share + " 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
            assertThat(ScratchExports.exportfs(exportfs, "-v")).contains(share.toString());

            JsonNode again = JSON.readTree(homelab.rackctl("exec", "pve", "nfs.exports.apply", "--json", desired, "--wait", "-o", "json").out());
            assertThat(again.at("/result/changed").asBoolean()).as("idempotent").isFalse();

            String before = Files.readString(managed);
            String outside = desired.replace(share.toString(), "/etc");
            TestHomelab.RackctlResult refused = homelab.rackctl("exec", "pve", "nfs.exports.apply", "--json", outside, "--wait");
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.out()).contains("rejected").contains("exports[0].path");
            assertThat(Files.readString(managed)).isEqualTo(before);
        });
    }
}
