package io.rackpilot.coordinator.config;

import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.common.net.HostAndPort;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCoordinatorConfig
{
    @Test
    void defaults()
    {
        CoordinatorConfig config = CoordinatorConfig.defaults().validate();
        assertThat(config.listenAddress()).isEqualTo(new HostAndPort("0.0.0.0", 7450));
        assertThat(config.metrics().listenAddress()).isEqualTo(new HostAndPort("0.0.0.0", 9450));
        assertThat(config.tls().ca()).isEqualTo(Path.of("/etc/rackpilot/tls/ca.pem"));
        assertThat(config.tls().certificate()).isEqualTo(Path.of("/etc/rackpilot/tls/coordinator.pem"));
        assertThat(config.tls().privateKey()).isEqualTo(Path.of("/etc/rackpilot/tls/coordinator-key.pem"));
        assertThat(config.stateDirectory()).isEqualTo(Path.of("/var/lib/rackpilot/coordinator"));
        assertThat(config.agents().heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.agents().missedHeartbeats()).isEqualTo(3);
        assertThat(config.agents().lostAfter()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.commands().defaultTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.maxMessageBytes()).isEqualTo(4 * 1024 * 1024);
    }

    @Test
    void everyKeyCanBeSet()
    {
        CoordinatorConfig config = YamlLoader.parse("""
                listen: 10.0.10.5:17450
                tls:
                  ca: /srv/ca.pem
                  certificate: /srv/c.pem
                  privateKey: /srv/c-key.pem
                metrics:
                  listen: 10.0.10.5:19450
                stateDirectory: /srv/state
                agents:
                  heartbeatInterval: 2s
                  missedHeartbeats: 5
                commands:
                  defaultTimeout: 1m
                maxMessageBytes: 1048576
                """, "coordinator.yaml", CoordinatorConfig.class).validate();
        assertThat(config.listenAddress()).isEqualTo(new HostAndPort("10.0.10.5", 17450));
        assertThat(config.metrics().listenAddress()).isEqualTo(new HostAndPort("10.0.10.5", 19450));
        assertThat(config.tls().privateKey()).isEqualTo(Path.of("/srv/c-key.pem"));
        assertThat(config.stateDirectory()).isEqualTo(Path.of("/srv/state"));
        assertThat(config.agents().lostAfter()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.commands().defaultTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.maxMessageBytes()).isEqualTo(1048576);
    }

    @Test
    void valuesThatMakeNoSenseNameTheirKey()
    {
        assertThatThrownBy(() -> YamlLoader.parse("listen: ':x'\n", "coordinator.yaml", CoordinatorConfig.class).validate())
                .hasMessageStartingWith("listen: ");
        assertThatThrownBy(() -> YamlLoader.parse("agents:\n  missedHeartbeats: 0\n", "coordinator.yaml", CoordinatorConfig.class).validate())
                .hasMessage("agents.missedHeartbeats must be at least 1, got 0");
        assertThatThrownBy(() -> YamlLoader.parse("commands:\n  defaultTimeout: -1s\n", "coordinator.yaml", CoordinatorConfig.class).validate())
                .hasMessageContaining("commands.defaultTimeout");
    }
}
