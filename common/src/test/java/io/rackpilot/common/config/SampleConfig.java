package io.rackpilot.common.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A config record written the way {@link YamlLoader}'s documentation says: defaults in compact
 * constructors, boxed numbers where a default applies, {@link ConfigValues} for required values
 * and copies, {@link ConfigValueException} for refused values.
 */
record SampleConfig(
        Coordinator coordinator,
        Tls tls,
        Metrics metrics,
        Path stateDirectory,
        Duration heartbeatInterval,
        DataSize maxMessageSize,
        Map<String, String> labels,
        List<Peer> peers)
{
    static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);

    SampleConfig
    {
        coordinator = ConfigValues.orDefault(coordinator, Coordinator.DEFAULT);
        tls = ConfigValues.orDefault(tls, Tls.DEFAULT);
        metrics = ConfigValues.orDefault(metrics, Metrics.DEFAULT);
        stateDirectory = ConfigValues.orDefault(stateDirectory, Path.of("/var/lib/rackpilot"));
        heartbeatInterval = ConfigValues.orDefault(heartbeatInterval, DEFAULT_HEARTBEAT_INTERVAL);
        maxMessageSize = ConfigValues.orDefault(maxMessageSize, DataSize.ofMebibytes(4));
        labels = ConfigValues.map(labels, "labels");
        peers = ConfigValues.list(peers, "peers");
        if (heartbeatInterval.isZero()) {
            throw new ConfigValueException("heartbeatInterval", "must be longer than zero");
        }
    }

    record Coordinator(String address, Integer port, Duration initialBackoff, Optional<String> advertiseHost)
    {
        static final Coordinator DEFAULT = new Coordinator(null, null, null, null);

        Coordinator
        {
            address = ConfigValues.orDefault(address, "localhost");
            port = ConfigValues.orDefault(port, 7450);
            initialBackoff = ConfigValues.orDefault(initialBackoff, Duration.ofMillis(500));
            advertiseHost = ConfigValues.optional(advertiseHost);
            if (port < 1 || port > 65535) {
                throw new ConfigValueException("port", "must be between 1 and 65535, got " + port);
            }
        }
    }

    record Tls(Path ca, Boolean enabled)
    {
        static final Tls DEFAULT = new Tls(null, null);

        Tls
        {
            ca = ConfigValues.orDefault(ca, Path.of("/etc/rackpilot/tls/ca.pem"));
            enabled = ConfigValues.orDefault(enabled, true);
        }
    }

    record Metrics(String listen)
    {
        static final Metrics DEFAULT = new Metrics(null);

        Metrics
        {
            listen = ConfigValues.orDefault(listen, "0.0.0.0:9452");
        }
    }

    record Peer(@JsonProperty(required = true) int weight, String name)
    {
        Peer
        {
            name = ConfigValues.requiredText(name, "name");
        }
    }
}
