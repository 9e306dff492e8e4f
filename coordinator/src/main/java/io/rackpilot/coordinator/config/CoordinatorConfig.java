package io.rackpilot.coordinator.config;

import io.rackpilot.common.config.ConfigChecks;
import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.net.HostAndPort;

import java.nio.file.Path;
import io.rackpilot.coordinator.reconcile.ReconcileMode;
import io.rackpilot.coordinator.relocation.MovePlanner;
import io.rackpilot.coordinator.relocation.RelocationTimeouts;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 * stateDirectory: /var/lib/rackpilot/coordinator
 * agents:
 *   heartbeatInterval: 5s
 *   missedHeartbeats: 3           # an agent is lost after this many missed heartbeats
 * commands:
 *   defaultTimeout: 5m
 * reconcile:
 *   interval: 30s                 # also on every agent report and every new plan revision
 *   staleAfter: 2m                # a GPU report older than this does not move taints
 *   mode:                         # enforce (close the gap) or observe (only report it)
 *     nfs-export: enforce
 *     gpu-node-policy: enforce
 *     gpu-assignment: enforce
 * relocation:                     # how long each step of a GPU move may take
 *   drainTimeout: 5m
 *   shutdownTimeout: 3m
 *   vmTaskTimeout: 2m
 *   gpuReportTimeout: 5m
 *   taintTimeout: 2m
 *   pluginPodSelectors: [app.kubernetes.io/name=nvidia-device-plugin, ...]   # restarted on both nodes after a move
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
        Reconcile reconcile,
        Relocation relocation,
        Integer maxMessageBytes)
{
    public CoordinatorConfig
    {
        listen = listen == null ? "0.0.0.0:7450" : listen;
        tls = tls == null ? new Tls(null, null, null) : tls;
        metrics = metrics == null ? new Metrics(null) : metrics;
        stateDirectory = stateDirectory == null ? Path.of("/var/lib/rackpilot/coordinator") : stateDirectory;
        agents = agents == null ? new Agents(null, null) : agents;
        commands = commands == null ? new Commands(null) : commands;
        reconcile = reconcile == null ? new Reconcile(null, null, null) : reconcile;
        relocation = relocation == null ? new Relocation(null, null, null, null, null, null) : relocation;
        maxMessageBytes = maxMessageBytes == null ? 4 * 1024 * 1024 : maxMessageBytes;
    }

    public static CoordinatorConfig defaults()
    {
        return new CoordinatorConfig(null, null, null, null, null, null, null, null, null);
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
        ConfigChecks.positive("reconcile.interval", reconcile.interval());
        ConfigChecks.positive("reconcile.staleAfter", reconcile.staleAfter());
        ConfigChecks.positive("relocation.drainTimeout", relocation.drainTimeout());
        ConfigChecks.positive("relocation.shutdownTimeout", relocation.shutdownTimeout());
        ConfigChecks.positive("relocation.vmTaskTimeout", relocation.vmTaskTimeout());
        ConfigChecks.positive("relocation.gpuReportTimeout", relocation.gpuReportTimeout());
        ConfigChecks.positive("relocation.taintTimeout", relocation.taintTimeout());
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

    /**
     * @param mode enforce or observe per group: nfs-export, gpu-node-policy, gpu-assignment
     */
    public record Reconcile(Duration interval, Duration staleAfter, Map<String, String> mode)
    {
        public Reconcile
        {
            interval = interval == null ? Duration.ofSeconds(30) : interval;
            staleAfter = staleAfter == null ? Duration.ofMinutes(2) : staleAfter;
            mode = mode == null ? Map.of() : Map.copyOf(mode);
            ReconcileMode.parse(mode, "mode");
        }

        public Map<ReconcileMode.Group, ReconcileMode> modes()
        {
            return ReconcileMode.parse(mode, "reconcile.mode");
        }
    }

    /**
     * @param pluginPodSelectors label selectors of the pods restarted on both nodes after a move so
     *        the new node advertises the card (the NVIDIA device plugin and GPU feature discovery)
     */
    public record Relocation(Duration drainTimeout, Duration shutdownTimeout, Duration vmTaskTimeout, Duration gpuReportTimeout, Duration taintTimeout, List<String> pluginPodSelectors)
    {
        public Relocation(Duration drainTimeout, Duration shutdownTimeout, Duration vmTaskTimeout, Duration gpuReportTimeout, Duration taintTimeout)
        {
            this(drainTimeout, shutdownTimeout, vmTaskTimeout, gpuReportTimeout, taintTimeout, null);
        }

        public Relocation
        {
            pluginPodSelectors = pluginPodSelectors == null ? MovePlanner.DEFAULT_PLUGIN_POD_SELECTORS : List.copyOf(pluginPodSelectors);
            for (int index = 0; index < pluginPodSelectors.size(); index++) {
                if (pluginPodSelectors.get(index).isBlank()) {
                    throw ConfigValueException.at(List.of("pluginPodSelectors", index), "a label selector such as app.kubernetes.io/name=nvidia-device-plugin, got an empty one");
                }
            }
            RelocationTimeouts defaults = RelocationTimeouts.defaults();
            drainTimeout = drainTimeout == null ? defaults.drain() : drainTimeout;
            shutdownTimeout = shutdownTimeout == null ? defaults.shutdown() : shutdownTimeout;
            vmTaskTimeout = vmTaskTimeout == null ? defaults.vmTask() : vmTaskTimeout;
            gpuReportTimeout = gpuReportTimeout == null ? defaults.gpuReport() : gpuReportTimeout;
            taintTimeout = taintTimeout == null ? defaults.taints() : taintTimeout;
        }

        public RelocationTimeouts timeouts()
        {
            return new RelocationTimeouts(drainTimeout, shutdownTimeout, vmTaskTimeout, gpuReportTimeout, taintTimeout);
        }
    }
}
