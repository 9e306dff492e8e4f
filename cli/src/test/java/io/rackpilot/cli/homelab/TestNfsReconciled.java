package io.rackpilot.cli.homelab;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.testing.HttpGet;
import io.rackpilot.coordinator.config.CoordinatorConfig;
import io.rackpilot.hostagent.HostAgent;
import io.rackpilot.proto.v1.CommandRecord;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciler enforces the plan's NFS exports through a host-agent and the real exportfs (on a
 * managed file of the test's own in /etc/exports.d, removed afterwards), and only reports them in
 * observe mode.
 */
class TestNfsReconciled
{
    @Test
    void theReconcilerAppliesThePlannedExportsOnce()
            throws Exception
    {
        ScratchExports.with((homelab, share, managed, exportfs) -> {
            homelab.startCoordinator();
            homelab.startAgent(AgentKind.HOST, "pve", HostAgent::parts, null, new AgentConfig.Nfs(true, managed, List.of(share.getParent()), exportfs));
            homelab.awaitConnected("pve");
            homelab.coordinator().plans().apply(plan(share), "nfs.yaml", false, OptionalLong.of(0), "test", "test");

            TestHomelab.awaitCondition("the planned export is in force", () -> ScratchExports.exportfs(exportfs, "-v").contains(share.toString()));
            assertThat(Files.readString(managed)).contains(share + " 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
            TestHomelab.awaitCondition("plan diff in sync", () -> homelab.rackctl("plan", "diff").exitCode() == 0);
            homelab.coordinator().reconcile().trigger();
            Thread.sleep(1_000);
            List<CommandRecord> applied = homelab.coordinator().commands().list(Optional.of("pve"), 100).stream()
                    .filter(command -> command.getActionName().equals("nfs.exports.apply"))
                    .toList();
            assertThat(applied).hasSize(1);
            assertThat(applied.get(0).getRequestedBy()).isEqualTo("reconciler");
        });
    }

    @Test
    void inObserveModeTheMissingExportIsOnlyReported()
            throws Exception
    {
        ScratchExports.with((homelab, share, managed, exportfs) -> {
            homelab.configureReconcile(new CoordinatorConfig.Reconcile(Duration.ofSeconds(1), null, Map.of("nfs-export", "observe")), null);
            homelab.startCoordinator();
            homelab.startAgent(AgentKind.HOST, "pve", HostAgent::parts, null, new AgentConfig.Nfs(true, managed, List.of(share.getParent()), exportfs));
            homelab.awaitConnected("pve");
            homelab.coordinator().plans().apply(plan(share), "nfs.yaml", false, OptionalLong.of(0), "test", "test");

            TestHomelab.awaitCondition("the missing export is reported", () -> homelab.rackctl("plan", "diff").out().contains("nfs-export"));
            TestHomelab.RackctlResult diff = homelab.rackctl("plan", "diff");
            assertThat(diff.exitCode()).isEqualTo(2);
            assertThat(diff.out()).contains(share.toString()).contains("not exported").contains("reported: reconcile.mode nfs-export is observe");
            Thread.sleep(2_000);
            assertThat(homelab.coordinator().commands().list(Optional.of("pve"), 100)).noneMatch(command -> command.getActionName().equals("nfs.exports.apply"));
            assertThat(Files.exists(managed)).isFalse();
        });
    }

    @Test
    void anExportTakenOutOfThePlanIsUnexported()
            throws Exception
    {
        ScratchExports.with((homelab, share, managed, exportfs) -> {
            Path old = Files.createDirectories(share.resolveSibling("old"));
            homelab.startCoordinator();
            homelab.startAgent(AgentKind.HOST, "pve", HostAgent::parts, null, new AgentConfig.Nfs(true, managed, List.of(share.getParent()), exportfs));
            homelab.awaitConnected("pve");
            homelab.coordinator().plans().apply(plan(share, old), "nfs.yaml", false, OptionalLong.of(0), "test", "test");
            TestHomelab.awaitCondition("both exports are in force", () -> ScratchExports.exportfs(exportfs, "-v").contains(old.toString()));

            homelab.coordinator().plans().apply(plan(share), "nfs.yaml", false, OptionalLong.of(1), "test", "test");
            TestHomelab.awaitCondition("the export taken out of the plan is gone", () -> !ScratchExports.exportfs(exportfs, "-v").contains(old.toString()));
            assertThat(ScratchExports.exportfs(exportfs, "-v")).contains(share.toString());
            assertThat(Files.readString(managed)).contains(share.toString()).doesNotContain(old.toString());
            TestHomelab.awaitCondition("plan diff in sync", () -> homelab.rackctl("plan", "diff").exitCode() == 0);
        });
    }

    @Test
    void aRefusedExportIsShownWithItsReasonAndNotSentAgainAndAgain()
            throws Exception
    {
        ScratchExports.with((homelab, share, managed, exportfs) -> {
            Path outside = Path.of("/srv/rackpilot-test-outside-the-export-roots");
            homelab.startCoordinator();
            homelab.startAgent(AgentKind.HOST, "pve", HostAgent::parts, null, new AgentConfig.Nfs(true, managed, List.of(share.getParent()), exportfs));
            homelab.awaitConnected("pve");
            homelab.coordinator().plans().apply(plan(share, outside), "nfs.yaml", false, OptionalLong.of(0), "test", "test");

            TestHomelab.awaitCondition("the refusal is shown", () -> homelab.rackctl("plan", "diff").out().contains("refused by pve"));
            TestHomelab.RackctlResult diff = homelab.rackctl("plan", "diff");
            assertThat(diff.exitCode()).isEqualTo(2);
            assertThat(diff.out()).contains("refused by pve: nfs.exports.apply: exports[1].path: '" + outside + "' is not under an export root [" + share.getParent() + "]")
                    .contains("tried again when the plan changes or at");
            assertThat(TestHomelab.json(homelab.rackctl("plan", "diff", "-o", "json").out()).at("/items").findValuesAsText("refused")).containsOnly("true");

            // more reconciliations send nothing more
            for (int round = 0; round < 3; round++) {
                Optional<io.rackpilot.coordinator.reconcile.Reconciliation> before = homelab.coordinator().reconcile().latest();
                homelab.coordinator().reconcile().trigger();
                TestHomelab.awaitCondition("a reconciliation ran", () -> homelab.coordinator().reconcile().latest().map(latest -> latest != before.orElse(null)).orElse(false));
            }
            assertThat(homelab.coordinator().commands().list(Optional.of("pve"), 100)).filteredOn(command -> command.getActionName().equals("nfs.exports.apply"))
                    .singleElement().satisfies(command -> assertThat(command.getState().name()).isEqualTo("COMMAND_STATE_REJECTED"));
            // both exports wait: the apply that closes them was refused
            assertThat(HttpGet.get("http://127.0.0.1:" + homelab.coordinator().metricsPort() + "/metrics").body()).contains("rackpilot_reconcile_refused_items{kind=\"nfs-export\"} 2.0");
        });
    }

    private static String plan(Path share, Path second)
    {
        return plan(share) + """
                      - path: %s
                        clients:
                          - spec: 10.0.20.0/24
                            options: [rw, sync, no_subtree_check, no_root_squash]
                """.formatted(second);
    }

    private static String plan(Path share)
    {
        return """
                apiVersion: rackpilot.io/v1
                kind: HomelabPlan
                metadata:
                  name: nfs-test
                spec:
                  host:
                    name: pve
                    address: 127.0.0.1
                  networks:
                    - name: kubernetes
                      bridge: vmbr1
                      vlan: 20
                      cidr: 10.0.20.0/24
                  nfs:
                    exports:
                      - path: %s
                        clients:
                          - spec: 10.0.20.0/24
                            options: [rw, sync, no_subtree_check, no_root_squash]
                """.formatted(share);
    }
}
