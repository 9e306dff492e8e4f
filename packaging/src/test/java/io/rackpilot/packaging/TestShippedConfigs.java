package io.rackpilot.packaging;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.coordinator.config.CoordinatorConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The configuration files the packages install, read by the daemons' own config classes: as
 * shipped (all commented) they give the defaults; with every setting uncommented they give the
 * defaults too, which proves each key exists, is spelled right and shows its real default.
 */
final class TestShippedConfigs
{
    @Test
    void coordinatorConfigShowsEveryKeyWithItsDefault()
            throws IOException
    {
        Path file = BuiltPackages.source("packaging/src/etc/rackpilot/coordinator.yaml");
        assertThat(YamlLoader.load(file, CoordinatorConfig.class)).isEqualTo(CoordinatorConfig.defaults());

        String uncommented = ShippedConfig.uncommentSettings(Files.readString(file));
        CoordinatorConfig loaded = YamlLoader.parse(uncommented, file + " (uncommented)", CoordinatorConfig.class).validate();
        CoordinatorConfig defaults = CoordinatorConfig.defaults();
        // the default mode is an empty map (every group enforced); the file spells each group out
        CoordinatorConfig expected = new CoordinatorConfig(null, null, null, null, null, null,
                new CoordinatorConfig.Reconcile(null, null, Map.of("nfs-export", "enforce", "gpu-node-policy", "enforce", "gpu-assignment", "enforce")),
                null, null);
        assertThat(loaded).isEqualTo(expected);
        assertThat(loaded.reconcile().modes()).isEqualTo(defaults.reconcile().modes());
        assertThat(ShippedConfig.missingKeys(uncommented, CoordinatorConfig.class, List.of())).isEmpty();
    }

    @Test
    void hostAgentConfigShowsEveryKeyWithItsDefault()
            throws IOException
    {
        checkAgentConfig(AgentKind.HOST, List.of("kubernetes"));
    }

    @Test
    void nodeAgentConfigShowsEveryKeyWithItsDefault()
            throws IOException
    {
        checkAgentConfig(AgentKind.NODE, List.of("proxmox", "nfs"));
    }

    @Test
    void uncommentingFindsSettingsAndLeavesProse()
    {
        String text = "# A comment: with a colon later\n#listen: 0.0.0.0:7450   # gRPC\n#tls:\n#  ca: /x.pem\n#  mode:\n#    nfs-export: observe\n# Prose line.\n";
        assertThat(ShippedConfig.uncommentSettings(text))
                .isEqualTo("# A comment: with a colon later\nlisten: 0.0.0.0:7450   # gRPC\ntls:\n  ca: /x.pem\n  mode:\n    nfs-export: observe\n# Prose line.\n");
    }

    @Test
    void missingKeysNamesWhatTheFileLeavesOut()
    {
        assertThat(ShippedConfig.missingKeys("listen: x\ntls:\n  ca: /a\n", CoordinatorConfig.class, List.of("relocation")))
                .contains("tls.certificate", "tls.privateKey", "metrics", "reconcile")
                .doesNotContain("listen", "tls.ca", "relocation", "relocation.drainTimeout");
    }

    @Test
    void aMisspelledKeyInAShippedStyleFileIsRefused()
    {
        // what the uncommenting check relies on: the loader refuses unknown keys
        assertThatThrownBy(() -> YamlLoader.parse(ShippedConfig.uncommentSettings("#lisen: 0.0.0.0:7450\n"), "test", CoordinatorConfig.class))
                .hasMessageContaining("lisen");
    }

    @Test
    void defaultFilesShowTheLaunchersDefaultOptions()
            throws IOException
    {
        Map<String, String> variables = Map.of(
                "coordinator", "RACKPILOT_COORDINATOR_JAVA_OPTS",
                "host-agent", "RACKPILOT_AGENT_JAVA_OPTS",
                "node-agent", "RACKPILOT_AGENT_JAVA_OPTS");
        Map<String, String> optionFiles = Map.of(
                "coordinator", "bin/rackpilot-coordinator-jvm-options",
                "host-agent", "bin/rackpilot-agent-jvm-options",
                "node-agent", "bin/rackpilot-agent-jvm-options");
        for (String daemon : BuiltPackages.DAEMONS) {
            String variable = variables.get(daemon);
            String defaults = ProcessResult.check("sh", "-c", ". \"$0\"; printf %s \"$" + variable + "\"",
                    BuiltPackages.source(optionFiles.get(daemon)).toString());
            assertThat(defaults).as(daemon).contains("-XX:+UseSerialGC").contains("-Xmx");
            List<String> lines = Files.readAllLines(BuiltPackages.source("packaging/src/etc/default/rackpilot-" + daemon));
            assertThat(lines).as(daemon).contains("#" + variable + "=\"" + defaults + "\"");
            assertThat(lines).as(daemon + ": every line a comment or blank").allMatch(line -> line.isBlank() || line.startsWith("#"));

            String launcher = Files.readString(BuiltPackages.source("packaging/src/launchers/rackpilot-" + daemon));
            assertThat(launcher)
                    .startsWith("#!/bin/sh\n")
                    .contains(". /usr/share/rackpilot/" + daemon + "/jvm-options\n")
                    .contains("exec \"$java\" $" + variable + " -jar /usr/share/rackpilot/" + daemon + "/rackpilot-" + daemon + ".jar \"$@\"\n");
        }
    }

    private static void checkAgentConfig(AgentKind kind, List<String> leftOut)
            throws IOException
    {
        Path file = BuiltPackages.source("packaging/src/etc/rackpilot/" + kind.daemonName() + ".yaml");
        assertThat(YamlLoader.load(file, AgentConfig.class)).isEqualTo(AgentConfig.defaults());

        String uncommented = ShippedConfig.uncommentSettings(Files.readString(file));
        AgentConfig loaded = YamlLoader.parse(uncommented, file + " (uncommented)", AgentConfig.class).validate(kind);
        AgentConfig defaults = AgentConfig.defaults();
        // the certificate, key, metrics port and state directory depend on the kind of agent: the
        // file writes them out
        AgentConfig expected = new AgentConfig(null, null,
                new AgentConfig.Tls(null, defaults.tls().certificateFor(kind), defaults.tls().privateKeyFor(kind)),
                new AgentConfig.Metrics("0.0.0.0:" + kind.defaultMetricsPort(), null),
                defaults.stateDirectoryFor(kind), null, null, null, null, null, null);
        assertThat(loaded).isEqualTo(expected);
        assertThat(loaded.metrics().listenFor(kind)).isEqualTo(defaults.metrics().listenFor(kind));
        assertThat(ShippedConfig.missingKeys(uncommented, AgentConfig.class, leftOut)).isEmpty();
    }
}
