package io.rackpilot.coordinator.config;

import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.coordinator.reconcile.ReconcileMode;
import io.rackpilot.coordinator.relocation.RelocationTimeouts;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestReconcileConfig
{
    private static CoordinatorConfig parse(String yaml)
    {
        return YamlLoader.parse(yaml, "coordinator.yaml", CoordinatorConfig.class).validate();
    }

    @Test
    void defaults()
    {
        CoordinatorConfig config = CoordinatorConfig.defaults().validate();
        assertThat(config.reconcile().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.reconcile().staleAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.reconcile().mode()).isEmpty();
        assertThat(config.reconcile().modes()).isEqualTo(Map.of(
                ReconcileMode.Group.NFS_EXPORT, ReconcileMode.ENFORCE,
                ReconcileMode.Group.GPU_NODE_POLICY, ReconcileMode.ENFORCE,
                ReconcileMode.Group.GPU_ASSIGNMENT, ReconcileMode.ENFORCE,
                ReconcileMode.Group.GPU_DRIVER, ReconcileMode.ENFORCE,
                ReconcileMode.Group.REPORTED, ReconcileMode.OBSERVE));
        assertThat(config.relocation().timeouts()).isEqualTo(RelocationTimeouts.defaults());
        assertThat(config.relocation().pluginPodSelectors()).isEqualTo(io.rackpilot.coordinator.relocation.MovePlanner.DEFAULT_PLUGIN_POD_SELECTORS);
        assertThat(RelocationTimeouts.defaults()).isEqualTo(new RelocationTimeouts(
                Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(2)));
        // an empty file gives the same
        assertThat(parse("reconcile: {}\nrelocation: {}\n").reconcile()).isEqualTo(config.reconcile());
    }

    @Test
    void everyKeyCanBeSet()
    {
        CoordinatorConfig config = parse("""
                reconcile:
                  interval: 10s
                  staleAfter: 90s
                  mode:
                    nfs-export: observe
                    gpu-assignment: observe
                    gpu-driver: observe
                relocation:
                  drainTimeout: 10m
                  shutdownTimeout: 4m
                  vmTaskTimeout: 1m
                  gpuReportTimeout: 7m
                  taintTimeout: 30s
                  pluginPodSelectors: [app=my-device-plugin]
                """);
        assertThat(config.reconcile().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.reconcile().staleAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.reconcile().modes()).isEqualTo(Map.of(
                ReconcileMode.Group.NFS_EXPORT, ReconcileMode.OBSERVE,
                ReconcileMode.Group.GPU_NODE_POLICY, ReconcileMode.ENFORCE,
                ReconcileMode.Group.GPU_ASSIGNMENT, ReconcileMode.OBSERVE,
                ReconcileMode.Group.GPU_DRIVER, ReconcileMode.OBSERVE,
                ReconcileMode.Group.REPORTED, ReconcileMode.OBSERVE));
        assertThat(config.relocation().pluginPodSelectors()).containsExactly("app=my-device-plugin");
        assertThat(config.relocation().timeouts()).isEqualTo(new RelocationTimeouts(
                Duration.ofMinutes(10), Duration.ofMinutes(4), Duration.ofMinutes(1), Duration.ofMinutes(7), Duration.ofSeconds(30)));
    }

    @Test
    void unknownGroupIsRejectedNamingItsKey()
    {
        assertThatThrownBy(() -> parse("reconcile:\n  mode:\n    vm-cores: enforce\n"))
                .hasMessageContaining("reconcile.mode.vm-cores")
                .hasMessageContaining("expected one of nfs-export, gpu-node-policy, gpu-assignment")
                .hasMessageNotContaining("reconcile.reconcile");
        // the reported group is only ever reported
        assertThatThrownBy(() -> parse("reconcile:\n  mode:\n    reported: enforce\n"))
                .hasMessageContaining("reconcile.mode.reported");
    }

    @Test
    void badModeIsRejectedNamingItsKey()
    {
        assertThatThrownBy(() -> parse("reconcile:\n  mode:\n    gpu-assignment: sometimes\n"))
                .hasMessageContaining("reconcile.mode.gpu-assignment")
                .hasMessageContaining("expected enforce or observe, got \"sometimes\"")
                .hasMessageNotContaining("reconcile.reconcile");
        assertThatThrownBy(() -> parse("reconcile:\n  mode:\n    nfs-export: Enforce\n"))
                .hasMessageContaining("reconcile.mode.nfs-export");
    }

    @Test
    void errorsNameTheLine()
    {
        assertThatThrownBy(() -> parse("listen: 0.0.0.0:7450\nreconcile:\n  mode:\n    gpu-node-policy: sometimes\n"))
                .hasMessage("coordinator.yaml:4:22: reconcile.mode.gpu-node-policy: expected enforce or observe, got \"sometimes\"");
    }

    @Test
    void parseOutsideAFileNamesTheKeyPrefix()
    {
        assertThatThrownBy(() -> ReconcileMode.parse(Map.of("gpu-node-policy", "off"), "reconcile.mode"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reconcile.mode.gpu-node-policy");
        assertThat(ReconcileMode.parse(Map.of("gpu-node-policy", "observe"), "reconcile.mode"))
                .containsEntry(ReconcileMode.Group.GPU_NODE_POLICY, ReconcileMode.OBSERVE)
                .containsEntry(ReconcileMode.Group.NFS_EXPORT, ReconcileMode.ENFORCE);
    }

    @Test
    void durationsThatMakeNoSenseNameTheirKey()
    {
        assertThatThrownBy(() -> parse("reconcile:\n  interval: 0s\n")).hasMessageContaining("reconcile.interval");
        assertThatThrownBy(() -> parse("reconcile:\n  staleAfter: -1m\n")).hasMessageContaining("reconcile.staleAfter");
        assertThatThrownBy(() -> parse("relocation:\n  drainTimeout: 0s\n")).hasMessageContaining("relocation.drainTimeout");
        assertThatThrownBy(() -> parse("relocation:\n  taintTimeout: -5s\n")).hasMessageContaining("relocation.taintTimeout");
        assertThatThrownBy(() -> parse("relocation:\n  gpuReportTimeout: 0s\n")).hasMessageContaining("relocation.gpuReportTimeout");
    }

    @Test
    void unknownKeysAreRejected()
    {
        assertThatThrownBy(() -> parse("reconcile:\n  intervall: 10s\n")).hasMessageContaining("intervall");
        assertThatThrownBy(() -> parse("relocation:\n  drain: 10s\n")).hasMessageContaining("drain");
    }
}
