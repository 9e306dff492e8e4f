package io.rackpilot.agent.config;

import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.common.net.HostAndPort;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestAgentConfig
{
    @Test
    void defaults()
    {
        AgentConfig config = AgentConfig.defaults();
        assertThat(config.configuredId()).isEmpty();
        assertThat(config.coordinator().hostAndPort()).isEqualTo(new HostAndPort("localhost", 7450));
        assertThat(config.coordinator().initialBackoff()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.coordinator().maximumBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.coordinator().maxMessageBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(config.tls().ca()).isEqualTo(Path.of("/etc/rackpilot/tls/ca.pem"));
        assertThat(config.tls().certificateFor(AgentKind.NODE)).isEqualTo(Path.of("/etc/rackpilot/tls/node-agent.pem"));
        assertThat(config.tls().privateKeyFor(AgentKind.HOST)).isEqualTo(Path.of("/etc/rackpilot/tls/host-agent-key.pem"));
        assertThat(config.metrics().listenFor(AgentKind.HOST)).isEqualTo(new HostAndPort("0.0.0.0", 9451));
        assertThat(config.metrics().listenFor(AgentKind.NODE)).isEqualTo(new HostAndPort("0.0.0.0", 9452));
        assertThat(config.metrics().advertiseHost()).isEmpty();
        assertThat(config.stateDirectoryFor(AgentKind.HOST)).isEqualTo(Path.of("/var/lib/rackpilot/host-agent"));
        assertThat(config.stateDirectoryFor(AgentKind.NODE)).isEqualTo(Path.of("/var/lib/rackpilot/node-agent"));
        assertThat(config.inventory().interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.inventory().systemUuidFile()).isEqualTo(Path.of("/run/rackpilot/product_uuid"));
        assertThat(config.inventory().sysRoot()).isEqualTo(Path.of("/sys"));
        assertThat(config.inventory().procRoot()).isEqualTo(Path.of("/proc"));
        assertThat(config.commands().workers()).isEqualTo(2);
        assertThat(config.commands().retainedResults()).isEqualTo(1000);
        assertThat(config.kubernetes().enabled()).isTrue();
        assertThat(config.kubernetes().kubeconfig()).isEqualTo(Path.of("/etc/rackpilot/kubeconfig"));
        assertThat(config.kubernetes().inCluster()).isFalse();
        assertThat(config.kubernetes().configuredNodeName()).isEmpty();
        assertThat(config.kubernetes().allowedPrefixes()).containsExactly("nvidia.com/", "rackpilot.io/");
        assertThat(config.kubernetes().requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.kubernetes().evictionRetryInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.kubernetes().gpuResource()).isEqualTo("nvidia.com/gpu");
        config.validate(AgentKind.NODE);
    }

    @Test
    void everyKeyCanBeSet()
    {
        AgentConfig config = YamlLoader.parse("""
                id: k8s-node1
                coordinator:
                  address: devvm:7450
                  initialBackoff: 250ms
                  maximumBackoff: 1m
                  maxMessageBytes: 1048576
                tls:
                  ca: /srv/ca.pem
                  certificate: /srv/node.pem
                  privateKey: /srv/node-key.pem
                metrics:
                  listen: 10.0.20.101:9999
                  advertiseHost: 10.0.20.101
                stateDirectory: /srv/state
                inventory:
                  interval: 2m
                  systemUuidFile: /srv/uuid
                  sysRoot: /srv/sys
                  procRoot: /srv/proc
                commands:
                  workers: 4
                  retainedResults: 50
                kubernetes:
                  enabled: true
                  kubeconfig: /srv/kubeconfig
                  inCluster: false
                  nodeName: k8s-node1
                  allowedPrefixes: [example.com/]
                  requestTimeout: 3s
                  evictionRetryInterval: 1s
                  gpuResource: amd.com/gpu
                """, "node-agent.yaml", AgentConfig.class);
        assertThat(config.configuredId()).contains("k8s-node1");
        assertThat(config.coordinator().hostAndPort()).isEqualTo(new HostAndPort("devvm", 7450));
        assertThat(config.coordinator().initialBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.coordinator().maximumBackoff()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.coordinator().maxMessageBytes()).isEqualTo(1048576);
        assertThat(config.tls().certificateFor(AgentKind.NODE)).isEqualTo(Path.of("/srv/node.pem"));
        assertThat(config.metrics().listenFor(AgentKind.NODE)).isEqualTo(new HostAndPort("10.0.20.101", 9999));
        assertThat(config.metrics().advertiseHost()).isEqualTo("10.0.20.101");
        assertThat(config.stateDirectory()).isEqualTo(Path.of("/srv/state"));
        assertThat(config.inventory().interval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.inventory().procRoot()).isEqualTo(Path.of("/srv/proc"));
        assertThat(config.commands().workers()).isEqualTo(4);
        assertThat(config.commands().retainedResults()).isEqualTo(50);
        assertThat(config.kubernetes().kubeconfig()).isEqualTo(Path.of("/srv/kubeconfig"));
        assertThat(config.kubernetes().configuredNodeName()).contains("k8s-node1");
        assertThat(config.kubernetes().allowedPrefixes()).containsExactly("example.com/");
        assertThat(config.kubernetes().requestTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.kubernetes().evictionRetryInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.kubernetes().gpuResource()).isEqualTo("amd.com/gpu");
    }

    @Test
    void anUnknownKeyNamesFileLineAndKey()
    {
        assertThatThrownBy(() -> YamlLoader.parse("""
                coordinator:
                  adress: devvm:7450
                """, "node-agent.yaml", AgentConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("node-agent.yaml:2:3")
                .hasMessageContaining("adress");
    }

    @Test
    void valuesThatMakeNoSenseNameTheirKey()
    {
        assertThatThrownBy(() -> parse("coordinator:\n  address: devvm:http\n").validate(AgentKind.NODE))
                .hasMessageStartingWith("coordinator.address: ");
        assertThatThrownBy(() -> parse("inventory:\n  interval: 0s\n").validate(AgentKind.NODE))
                .hasMessage("inventory.interval must be positive, got PT0S");
        assertThatThrownBy(() -> parse("commands:\n  workers: 0\n").validate(AgentKind.NODE))
                .hasMessage("commands.workers must be between 1 and 64, got 0");
        assertThatThrownBy(() -> parse("coordinator:\n  initialBackoff: 10s\n  maximumBackoff: 1s\n").validate(AgentKind.NODE))
                .hasMessageStartingWith("coordinator.maximumBackoff (PT1S) is below coordinator.initialBackoff (PT10S)");
        assertThatThrownBy(() -> parse("kubernetes:\n  allowedPrefixes: [nvidia.com]\n").validate(AgentKind.NODE))
                .hasMessageStartingWith("kubernetes.allowedPrefixes: 'nvidia.com' must be");
        assertThatThrownBy(() -> parse("kubernetes:\n  requestTimeout: 0s\n").validate(AgentKind.NODE))
                .hasMessage("kubernetes.requestTimeout must be positive, got PT0S");
    }

    private static AgentConfig parse(String yaml)
    {
        return YamlLoader.parse(yaml, "node-agent.yaml", AgentConfig.class);
    }
}
