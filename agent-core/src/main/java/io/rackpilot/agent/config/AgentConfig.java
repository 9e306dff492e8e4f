package io.rackpilot.agent.config;

import io.rackpilot.common.config.ConfigChecks;
import io.rackpilot.common.net.HostAndPort;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An agent's configuration ({@code /etc/rackpilot/host-agent.yaml} or {@code node-agent.yaml}).
 * Every key is optional: compact constructors put in the defaults, and the few defaults that depend
 * on the kind of agent (metrics port, certificate file names) are resolved through {@link AgentKind}.
 * Unknown keys are errors.
 *
 * <pre>
 * id: k8s-node1                 # default: the id in this agent's certificate
 * coordinator:
 *   address: devvm:7450
 * tls:
 *   ca: /etc/rackpilot/tls/ca.pem
 *   certificate: /etc/rackpilot/tls/node-agent.pem
 *   privateKey: /etc/rackpilot/tls/node-agent-key.pem
 * metrics:
 *   listen: 0.0.0.0:9452
 *   advertiseHost: 10.0.20.101   # default: the address the coordinator sees
 * stateDirectory: /var/lib/rackpilot/host-agent   # or /var/lib/rackpilot/node-agent
 * inventory:
 *   interval: 60s
 * kubernetes:                   # the node-agent's access to its own Node
 *   kubeconfig: /etc/rackpilot/kubeconfig
 *   nodeName: k8s-node1         # default: the Node whose systemUUID is this machine's
 * gpu:
 *   nvmlLibrary: /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1   # default: RACKPILOT_NVML_LIBRARY, else the system's
 *   pollInterval: 5s
 *   pollTimeout: 3s
 * </pre>
 */
public record AgentConfig(
        String id,
        Coordinator coordinator,
        Tls tls,
        Metrics metrics,
        Path stateDirectory,
        Inventory inventory,
        Commands commands,
        Gpu gpu,
        Proxmox proxmox,
        Nfs nfs,
        Kubernetes kubernetes)
{
    public AgentConfig
    {
        coordinator = coordinator == null ? new Coordinator(null, null, null, null) : coordinator;
        tls = tls == null ? new Tls(null, null, null) : tls;
        metrics = metrics == null ? new Metrics(null, null) : metrics;
        inventory = inventory == null ? new Inventory(null, null, null, null) : inventory;
        commands = commands == null ? new Commands(null, null) : commands;
        gpu = gpu == null ? new Gpu(null, null, null) : gpu;
        proxmox = proxmox == null ? new Proxmox(null, null, null, null, null, null) : proxmox;
        nfs = nfs == null ? new Nfs(null, null, null, null) : nfs;
        kubernetes = kubernetes == null ? Kubernetes.defaults() : kubernetes;
    }

    public static AgentConfig defaults()
    {
        return new AgentConfig(null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * Where the agent keeps its command journal: {@code stateDirectory} when set, else
     * {@code /var/lib/rackpilot/host-agent} or {@code /var/lib/rackpilot/node-agent}, so that two
     * daemons on one machine never share (or fight over the ownership of) a directory.
     */
    public Path stateDirectoryFor(AgentKind kind)
    {
        return stateDirectory == null ? Path.of("/var/lib/rackpilot", kind.daemonName()) : stateDirectory;
    }

    public Optional<String> configuredId()
    {
        return Optional.ofNullable(id).filter(value -> !value.isBlank());
    }

    /**
     * Checks values that parse but make no sense, naming the key.
     */
    public AgentConfig validate(AgentKind kind)
    {
        ConfigChecks.parses("coordinator.address", () -> coordinator.hostAndPort());
        ConfigChecks.parses("metrics.listen", () -> metrics.listenFor(kind));
        ConfigChecks.positive("coordinator.initialBackoff", coordinator.initialBackoff());
        ConfigChecks.positive("coordinator.connectTimeout", coordinator.connectTimeout());
        ConfigChecks.positive("inventory.interval", inventory.interval());
        ConfigChecks.positive("gpu.pollInterval", gpu.pollInterval());
        ConfigChecks.positive("gpu.pollTimeout", gpu.pollTimeout());
        if (coordinator.maximumBackoff().compareTo(coordinator.initialBackoff()) < 0) {
            throw new IllegalArgumentException("coordinator.maximumBackoff (" + coordinator.maximumBackoff() + ") is below coordinator.initialBackoff (" + coordinator.initialBackoff() + ")");
        }
        ConfigChecks.atLeast("coordinator.maxMessageBytes", coordinator.maxMessageBytes(), 64 * 1024);
        if (commands.workers() < 1 || commands.workers() > 64) {
            throw new IllegalArgumentException("commands.workers must be between 1 and 64, got " + commands.workers());
        }
        ConfigChecks.atLeast("commands.retainedResults", commands.retainedResults(), 1);
        ConfigChecks.positive("kubernetes.requestTimeout", kubernetes.requestTimeout());
        ConfigChecks.positive("kubernetes.evictionRetryInterval", kubernetes.evictionRetryInterval());
        kubernetes.validate();
        return this;
    }



    public AgentConfig withId(String newId)
    {
        return new AgentConfig(requireNonNull(newId, "newId is null"), coordinator, tls, metrics, stateDirectory, inventory, commands, gpu, proxmox, nfs, kubernetes);
    }

    /**
     * @param connectTimeout how long one attempt to reach the coordinator may take, from the TCP
     *        connect through the TLS handshake to the coordinator's Welcome
     */
    public record Coordinator(String address, Duration initialBackoff, Duration maximumBackoff, Integer maxMessageBytes, Duration connectTimeout)
    {
        public Coordinator
        {
            address = address == null ? "localhost:7450" : address;
            initialBackoff = initialBackoff == null ? Duration.ofMillis(500) : initialBackoff;
            maximumBackoff = maximumBackoff == null ? Duration.ofSeconds(30) : maximumBackoff;
            maxMessageBytes = maxMessageBytes == null ? 4 * 1024 * 1024 : maxMessageBytes;
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        }

        public Coordinator(String address, Duration initialBackoff, Duration maximumBackoff, Integer maxMessageBytes)
        {
            this(address, initialBackoff, maximumBackoff, maxMessageBytes, null);
        }

        public HostAndPort hostAndPort()
        {
            return HostAndPort.parse(address, 7450);
        }
    }

    public record Tls(Path ca, Path certificate, Path privateKey)
    {
        public Tls
        {
            ca = ca == null ? Path.of("/etc/rackpilot/tls/ca.pem") : ca;
        }

        public Path certificateFor(AgentKind kind)
        {
            return certificate == null ? Path.of("/etc/rackpilot/tls/" + kind.daemonName() + ".pem") : certificate;
        }

        public Path privateKeyFor(AgentKind kind)
        {
            return privateKey == null ? Path.of("/etc/rackpilot/tls/" + kind.daemonName() + "-key.pem") : privateKey;
        }
    }

    public record Metrics(String listen, String advertiseHost)
    {
        public Metrics
        {
            advertiseHost = advertiseHost == null ? "" : advertiseHost;
        }

        public HostAndPort listenFor(AgentKind kind)
        {
            return listen == null ? new HostAndPort("0.0.0.0", kind.defaultMetricsPort()) : HostAndPort.parse(listen, kind.defaultMetricsPort());
        }
    }

    public record Inventory(Duration interval, Path systemUuidFile, Path sysRoot, Path procRoot)
    {
        public Inventory
        {
            interval = interval == null ? Duration.ofSeconds(60) : interval;
            systemUuidFile = systemUuidFile == null ? Path.of("/run/rackpilot/product_uuid") : systemUuidFile;
            sysRoot = sysRoot == null ? Path.of("/sys") : sysRoot;
            procRoot = procRoot == null ? Path.of("/proc") : procRoot;
        }
    }

    /**
     * @param nvmlLibrary a path to libnvidia-ml.so; default: RACKPILOT_NVML_LIBRARY, else
     *        libnvidia-ml.so.1, then libnvidia-ml.so from the system's library path
     * @param pollInterval how often NVML is read
     * @param pollTimeout how long one reading may take before it counts as hung
     */
    public record Gpu(Path nvmlLibrary, Duration pollInterval, Duration pollTimeout)
    {
        public Gpu
        {
            pollInterval = pollInterval == null ? Duration.ofSeconds(5) : pollInterval;
            pollTimeout = pollTimeout == null ? Duration.ofSeconds(3) : pollTimeout;
        }
    }

    /**
     * The host-agent's Proxmox VE API access.
     *
     * @param enabled whether the host-agent uses the Proxmox API at all (default true)
     * @param url the API, default https://localhost:8006/api2/json
     * @param node the Proxmox node this host is, default the host name
     * @param tokenFile a file holding {@code USER@REALM!TOKENID=SECRET} (never the token itself in
     *        the config), default /etc/rackpilot/proxmox-token
     * @param caFile the cluster CA to trust, default /etc/pve/pve-root-ca.pem
     * @param timeout per request, default 10s
     */
    public record Proxmox(Boolean enabled, String url, String node, Path tokenFile, Path caFile, Duration timeout)
    {
        public Proxmox
        {
            enabled = enabled == null || enabled;
            url = url == null ? "https://localhost:8006/api2/json" : url;
            tokenFile = tokenFile == null ? Path.of("/etc/rackpilot/proxmox-token") : tokenFile;
            caFile = caFile == null ? Path.of("/etc/pve/pve-root-ca.pem") : caFile;
            timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        }
    }

    /**
     * The host-agent's NFS exports.
     *
     * @param enabled whether the host-agent manages and reports NFS exports (default true)
     * @param managedFile the one file rackpilot writes, default /etc/exports.d/rackpilot.exports
     * @param exportRoots directories exports must lie under, default [/srv]
     * @param exportfs the exportfs program, default /usr/sbin/exportfs
     */
    public record Nfs(Boolean enabled, Path managedFile, List<Path> exportRoots, Path exportfs)
    {
        public Nfs
        {
            enabled = enabled == null || enabled;
            managedFile = managedFile == null ? Path.of("/etc/exports.d/rackpilot.exports") : managedFile;
            exportRoots = exportRoots == null || exportRoots.isEmpty() ? List.of(Path.of("/srv")) : List.copyOf(exportRoots);
            exportfs = exportfs == null ? Path.of("/usr/sbin/exportfs") : exportfs;
        }
    }

    public record Commands(Integer workers, Integer retainedResults)
    {
        public Commands
        {
            workers = workers == null ? 2 : workers;
            retainedResults = retainedResults == null ? 1000 : retainedResults;
        }
    }

    /**
     * The node-agent's access to the Kubernetes API, for its own Node.
     *
     * @param enabled whether the node-agent looks for its Node at all (default true)
     * @param kubeconfig the kubeconfig of the agent's own credential (not the kubelet's), default
     *        /etc/rackpilot/kubeconfig
     * @param inCluster use the pod's service account instead of a kubeconfig (default false)
     * @param nodeName the Node this machine is; default: found by SMBIOS UUID, else by InternalIP
     * @param allowedPrefixes the taint and label key prefixes the agent may touch, default
     *        nvidia.com/ and rackpilot.io/
     * @param requestTimeout per API request, default 10s
     * @param evictionRetryInterval how long a drain waits after a PodDisruptionBudget refused an
     *        eviction (429) before asking again, default 5s as kubectl
     * @param gpuResource the extended resource GPUs are counted in, default nvidia.com/gpu
     */
    public record Kubernetes(
            Boolean enabled,
            Path kubeconfig,
            Boolean inCluster,
            String nodeName,
            List<String> allowedPrefixes,
            Duration requestTimeout,
            Duration evictionRetryInterval,
            String gpuResource)
    {
        public Kubernetes
        {
            enabled = enabled == null || enabled;
            kubeconfig = kubeconfig == null ? Path.of("/etc/rackpilot/kubeconfig") : kubeconfig;
            inCluster = inCluster != null && inCluster;
            nodeName = nodeName == null || nodeName.isBlank() ? null : nodeName;
            allowedPrefixes = allowedPrefixes == null ? List.of("nvidia.com/", "rackpilot.io/") : List.copyOf(allowedPrefixes);
            requestTimeout = requestTimeout == null ? Duration.ofSeconds(10) : requestTimeout;
            evictionRetryInterval = evictionRetryInterval == null ? Duration.ofSeconds(5) : evictionRetryInterval;
            gpuResource = gpuResource == null ? "nvidia.com/gpu" : gpuResource;
        }

        public static Kubernetes defaults()
        {
            return new Kubernetes(null, null, null, null, null, null, null, null);
        }

        public Optional<String> configuredNodeName()
        {
            return Optional.ofNullable(nodeName);
        }

        void validate()
        {
            for (String prefix : allowedPrefixes) {
                if (prefix.isBlank() || !prefix.endsWith("/")) {
                    throw new IllegalArgumentException("kubernetes.allowedPrefixes: '" + prefix + "' must be a DNS subdomain followed by '/', e.g. rackpilot.io/");
                }
            }
            if (gpuResource.isBlank()) {
                throw new IllegalArgumentException("kubernetes.gpuResource must not be empty");
            }
        }
    }
}
