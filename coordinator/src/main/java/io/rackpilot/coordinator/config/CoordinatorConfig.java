package io.rackpilot.coordinator.config;

import io.rackpilot.common.config.ConfigChecks;
import io.rackpilot.common.net.HostAndPort;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The coordinator's configuration ({@code /etc/rackpilot/coordinator.yaml}). Every key is
 * optional; compact constructors put in the defaults. Unknown keys are errors.
 *
 * <pre>
 * listen: 0.0.0.0:7450            # gRPC for agents and rackctl (mTLS)
 * tls:
 *   ca: /etc/rackpilot/tls/ca.pem
 *   certificate: /etc/rackpilot/tls/coordinator.pem
 *   privateKey: /etc/rackpilot/tls/coordinator-key.pem
 * metrics:
 *   listen: 0.0.0.0:9450          # /metrics, /healthz, /sd/prometheus
 * stateDirectory: /var/lib/rackpilot
 * agents:
 *   heartbeatInterval: 5s
 *   missedHeartbeats: 3           # an agent is lost after this many missed heartbeats
 * commands:
 *   defaultTimeout: 5m
 * maxMessageBytes: 4194304
 * </pre>
 */
public record CoordinatorConfig(
        String listen,
        Tls tls,
        Metrics metrics,
        Path stateDirectory,
        Agents agents,
        Commands commands,
        Integer maxMessageBytes)
{
    public CoordinatorConfig
    {
        listen = listen == null ? "0.0.0.0:7450" : listen;
        tls = tls == null ? new Tls(null, null, null) : tls;
        metrics = metrics == null ? new Metrics(null) : metrics;
        stateDirectory = stateDirectory == null ? Path.of("/var/lib/rackpilot") : stateDirectory;
        agents = agents == null ? new Agents(null, null) : agents;
        commands = commands == null ? new Commands(null) : commands;
        maxMessageBytes = maxMessageBytes == null ? 4 * 1024 * 1024 : maxMessageBytes;
    }

    public static CoordinatorConfig defaults()
    {
        return new CoordinatorConfig(null, null, null, null, null, null, null);
    }

    public HostAndPort listenAddress()
    {
        return HostAndPort.parse(listen, 7450);
    }

    /**
     * Checks values that parse but make no sense, naming the key.
     */
    public CoordinatorConfig validate()
    {
        ConfigChecks.parses("listen", () -> listenAddress());
        ConfigChecks.parses("metrics.listen", () -> metrics.listenAddress());
        ConfigChecks.positive("agents.heartbeatInterval", agents.heartbeatInterval());
        ConfigChecks.positive("commands.defaultTimeout", commands.defaultTimeout());
        ConfigChecks.atLeast("agents.missedHeartbeats", agents.missedHeartbeats(), 1);
        ConfigChecks.atLeast("maxMessageBytes", maxMessageBytes, 64 * 1024);
        return this;
    }



    public record Tls(Path ca, Path certificate, Path privateKey)
    {
        public Tls
        {
            ca = ca == null ? Path.of("/etc/rackpilot/tls/ca.pem") : ca;
            certificate = certificate == null ? Path.of("/etc/rackpilot/tls/coordinator.pem") : certificate;
            privateKey = privateKey == null ? Path.of("/etc/rackpilot/tls/coordinator-key.pem") : privateKey;
        }
    }

    public record Metrics(String listen)
    {
        public Metrics
        {
            listen = listen == null ? "0.0.0.0:9450" : listen;
        }

        public HostAndPort listenAddress()
        {
            return HostAndPort.parse(listen, 9450);
        }
    }

    public record Agents(Duration heartbeatInterval, Integer missedHeartbeats)
    {
        public Agents
        {
            heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(5) : heartbeatInterval;
            missedHeartbeats = missedHeartbeats == null ? 3 : missedHeartbeats;
        }

        public Duration lostAfter()
        {
            return heartbeatInterval.multipliedBy(missedHeartbeats);
        }
    }

    public record Commands(Duration defaultTimeout)
    {
        public Commands
        {
            defaultTimeout = defaultTimeout == null ? Duration.ofMinutes(5) : defaultTimeout;
        }
    }
}
