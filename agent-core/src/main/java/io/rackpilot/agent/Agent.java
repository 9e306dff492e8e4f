package io.rackpilot.agent;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.rackpilot.agent.action.InventoryRefreshHandler;
import io.rackpilot.agent.action.PingHandler;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.AuditLog;
import io.rackpilot.agent.command.CommandExecutor;
import io.rackpilot.agent.command.CommandJournal;
import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.agent.gpu.GpuPoller;
import io.rackpilot.agent.gpu.GpuSource;
import io.rackpilot.agent.gpu.NvmlGpuSource;
import io.rackpilot.agent.inventory.InventoryCollection;
import io.rackpilot.agent.link.Backoff;
import io.rackpilot.agent.link.CoordinatorLink;
import io.rackpilot.agent.metrics.AgentMetrics;
import io.rackpilot.agent.metrics.GpuMetrics;
import io.rackpilot.agent.report.InventoryReporter;
import io.rackpilot.common.RackpilotVersion;
import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.common.metrics.MetricsHttpServer;
import io.rackpilot.common.net.HostAndPort;
import io.rackpilot.common.systemd.Liveness;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.TlsContexts;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Welcome;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * One running agent: the stream to the coordinator, the command executor, the inventory reporter,
 * the GPU poller and the metrics endpoint, wired from an {@link AgentConfig}. Both daemons and {@code rackctl dev}
 * build agents through here.
 */
public final class Agent
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(Agent.class.getName());

    /** Liveness: how often the link's scheduler hands a tick through the gRPC thread. */
    static final Duration LINK_PROBE_PERIOD = Duration.ofSeconds(1);
    /** Liveness: how long the link's threads may go without passing a tick. */
    public static final Duration LINK_MAX_SILENCE = Duration.ofSeconds(30);
    /** Liveness: how much longer than the inventory interval one collection may take. */
    public static final Duration INVENTORY_MARGIN = Duration.ofMinutes(2);
    /** How long {@link #close()} waits for running commands to finish and be journaled. */
    public static final Duration COMMAND_GRACE = Duration.ofSeconds(20);
    public static final String LINK_LOOP = "coordinator link";
    public static final String INVENTORY_LOOP = "inventory collection";

    private final AgentKind kind;
    private final String id;
    private final CoordinatorLink link;
    private final CommandExecutor executor;
    private final InventoryReporter reporter;
    private final GpuPoller gpuPoller;
    private final MetricsHttpServer metricsServer;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService linkThread;
    private final ExecutorService workers;
    private final List<Liveness.Loop> loops;

    private Agent(
            AgentKind kind,
            String id,
            CoordinatorLink link,
            CommandExecutor executor,
            InventoryReporter reporter,
            GpuPoller gpuPoller,
            MetricsHttpServer metricsServer,
            ScheduledExecutorService scheduler,
            ExecutorService linkThread,
            ExecutorService workers,
            List<Liveness.Loop> loops)
    {
        this.kind = kind;
        this.id = id;
        this.link = link;
        this.executor = executor;
        this.reporter = reporter;
        this.gpuPoller = gpuPoller;
        this.metricsServer = metricsServer;
        this.scheduler = scheduler;
        this.linkThread = linkThread;
        this.workers = workers;
        this.loops = List.copyOf(loops);
    }

    /**
     * Starts an agent. It serves {@code /metrics} at once and keeps trying to reach the
     * coordinator in the background.
     *
     * @param parts what this kind of agent adds: its actions (one of a built-in kind replaces the
     *        built-in) and inventory collectors
     */
    public static Agent start(AgentKind kind, AgentConfig config, Function<AgentContext, AgentParts> parts, PrintStream auditOutput)
            throws IOException
    {
        return start(kind, config, parts, auditOutput, new Liveness(), CoordinatorLink.StatusObserver.NONE);
    }

    /**
     * Starts an agent whose GPUs come from the given source (NVML, or a simulator in dev mode).
     */
    public static Agent start(AgentKind kind, AgentConfig config, Function<AgentContext, AgentParts> parts, PrintStream auditOutput, GpuSource gpuSource)
            throws IOException
    {
        return start(kind, config, parts, auditOutput, gpuSource, new Liveness(), CoordinatorLink.StatusObserver.NONE);
    }

    /**
     * Starts an agent that reads NVML, registers its main loops with {@code liveness} (the
     * {@value #LINK_LOOP} and the {@value #INVENTORY_LOOP}) and tells {@code linkStatus} every
     * change of its link to the coordinator: what a daemon under systemd needs.
     */
    public static Agent start(AgentKind kind, AgentConfig config, Function<AgentContext, AgentParts> parts, PrintStream auditOutput, Liveness liveness, CoordinatorLink.StatusObserver linkStatus)
            throws IOException
    {
        requireNonNull(config, "config is null");
        return start(kind, config, parts, auditOutput, new NvmlGpuSource(Optional.ofNullable(config.gpu().nvmlLibrary()), System.getenv()), liveness, linkStatus);
    }

    /**
     * Starts an agent whose GPUs come from the given source, with its loops registered with
     * {@code liveness} and its link's changes told to {@code linkStatus}. The loops are
     * unregistered when the agent closes.
     */
    public static Agent start(AgentKind kind, AgentConfig config, Function<AgentContext, AgentParts> parts, PrintStream auditOutput, GpuSource gpuSource, Liveness liveness, CoordinatorLink.StatusObserver linkStatus)
            throws IOException
    {
        requireNonNull(gpuSource, "gpuSource is null");
        requireNonNull(liveness, "liveness is null");
        requireNonNull(linkStatus, "linkStatus is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(config, "config is null").validate(kind);
        requireNonNull(parts, "parts is null");
        requireNonNull(auditOutput, "auditOutput is null");
        Clock clock = Clock.systemUTC();

        TlsFiles tlsFiles = new TlsFiles(config.tls().ca(), config.tls().certificateFor(kind), config.tls().privateKeyFor(kind));
        Identity identity = AgentIdentity.resolve(kind, config, tlsFiles);
        String id = identity.id();
        HostAndPort coordinator = config.coordinator().hostAndPort();

        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("rackpilot-scheduler"));
        ScheduledExecutorService inventoryThread = Executors.newSingleThreadScheduledExecutor(daemonThreads("rackpilot-inventory"));
        ExecutorService linkThread = Executors.newSingleThreadExecutor(daemonThreads("rackpilot-link"));
        ExecutorService workers = Executors.newFixedThreadPool(config.commands().workers(), daemonThreads("rackpilot-command"));

        Metrics metrics = new Metrics();
        AgentMetrics agentMetrics = new AgentMetrics(metrics, id, kind, RackpilotVersion.current());

        SslContext sslContext = TlsContexts.grpcClient(tlsFiles);
        int connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.coordinator().connectTimeout().toMillis());
        // a channel per attempt to reach the coordinator: the link's backoff alone spaces the attempts
        Supplier<ManagedChannel> channels = () -> NettyChannelBuilder.forAddress(coordinator.host(), coordinator.port())
                .sslContext(sslContext)
                .maxInboundMessageSize(config.coordinator().maxMessageBytes())
                .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .executor(linkThread)
                .build();

        MetricsHttpServer metricsServer = null;
        GpuPoller gpuPoller = null;
        List<Liveness.Loop> loops = new ArrayList<>();
        try {
            CoordinatorLinkHolder holder = new CoordinatorLinkHolder();
            AgentParts own = parts.apply(new AgentContext(id, config, metrics));
            InventoryCollection inventory = AgentInventory.collection(config, own.collectors(), agentMetrics::collectorFinished);
            Liveness.Loop inventoryLoop = liveness.register(INVENTORY_LOOP, config.inventory().interval().plus(INVENTORY_MARGIN));
            loops.add(inventoryLoop);
            InventoryReporter reporter = new InventoryReporter(inventory, inventoryThread, config.inventory().interval(), holder::send, clock, inventoryLoop::tick);
            List<ActionHandler> extras = own.actionHandlers();
            List<ActionHandler> handlers = new ArrayList<>(extras);
            for (ActionHandler builtIn : List.of(new PingHandler(id), new InventoryRefreshHandler(reporter))) {
                if (extras.stream().noneMatch(handler -> handler.kind() == builtIn.kind())) {
                    handlers.add(builtIn);
                }
            }
            CommandJournal journal = new CommandJournal(config.stateDirectoryFor(kind).resolve("commands"), config.commands().retainedResults());
            journal.prune();
            CommandExecutor executor = new CommandExecutor(
                    handlers,
                    journal,
                    workers,
                    scheduler,
                    holder::send,
                    (command, result, duration) -> {
                        agentMetrics.commandFinished(command, result, duration);
                        new AuditLog(auditOutput).finished(command, result, duration);
                        // what a command changed shows in the next report at once, not an interval later
                        if (result.getChanged() && !command.getAction().hasInventoryRefresh()) {
                            try {
                                reporter.refreshNow();
                            }
                            catch (RejectedExecutionException e) {
                                // the agent is stopping
                            }
                        }
                    },
                    clock);

            metricsServer = MetricsHttpServer.builder(config.metrics().listenFor(kind).toSocketAddress(), metrics)
                    .health(() -> MetricsHttpServer.Health.healthy())
                    .build();
            metricsServer.start();
            int metricsPort = metricsServer.port();

            String bootId = readBootId(config.inventory().procRoot());
            Hello hello = Hello.newBuilder()
                    .setAgentId(id)
                    .setRole(kind.role())
                    .setVersion(RackpilotVersion.current())
                    .setBootId(bootId)
                    .addAllCapabilities(executor.capabilities())
                    .setMetricsHost(config.metrics().advertiseHost())
                    .setMetricsPort(metricsPort)
                    .build();

            CoordinatorLink link = new CoordinatorLink(
                    channels,
                    coordinator.toString(),
                    () -> hello,
                    new CoordinatorLink.Listener()
                    {
                        @Override
                        public void connected(Welcome welcome)
                        {
                            reporter.connected();
                        }

                        @Override
                        public void disconnected(String reason)
                        {
                            agentMetrics.reconnected();
                            reporter.disconnected();
                        }

                        @Override
                        public void command(Command command)
                        {
                            executor.submit(command);
                        }
                    },
                    linkStatus,
                    scheduler,
                    new Backoff(config.coordinator().initialBackoff(), config.coordinator().maximumBackoff(), () -> ThreadLocalRandom.current().nextDouble()),
                    config.coordinator().connectTimeout(),
                    clock);
            holder.link = link;
            agentMetrics.linkState(link::isConnected);
            agentMetrics.runningCommands(executor::runningCount);

            GpuMetrics gpuMetrics = new GpuMetrics(metrics);
            gpuPoller = new GpuPoller(gpuSource, config.gpu().pollInterval(), config.gpu().pollTimeout(), gpus -> {
                gpuMetrics.update(gpus);
                reporter.gpusUpdated(gpus);
            }, gpuMetrics::polled, clock);

            // The link runs on two threads: the scheduler (heartbeats, reconnects, command timeouts)
            // and the gRPC thread (everything the coordinator sends). A tick passed through both
            // proves that neither is stuck, connected or not.
            Liveness.Loop linkLoop = liveness.register(LINK_LOOP, LINK_MAX_SILENCE);
            loops.add(linkLoop);
            scheduler.scheduleAtFixedRate(() -> {
                try {
                    linkThread.execute(linkLoop::tick);
                }
                catch (RejectedExecutionException e) {
                    // the agent is stopping
                }
            }, 0, LINK_PROBE_PERIOD.toMillis(), TimeUnit.MILLISECONDS);

            reporter.start();
            gpuPoller.start();
            link.start();
            log.info(kind.daemonName() + " " + id + " started: coordinator " + coordinator + ", metrics on port " + metricsPort);
            return new Agent(kind, id, link, executor, reporter, gpuPoller, metricsServer, scheduler, linkThread, workers, loops);
        }
        catch (IOException | RuntimeException e) {
            loops.forEach(Liveness.Loop::close);
            if (gpuPoller != null) {
                gpuPoller.close();
            }
            else {
                gpuSource.close();
            }
            if (metricsServer != null) {
                metricsServer.close();
            }
            scheduler.shutdownNow();
            inventoryThread.shutdownNow();
            linkThread.shutdownNow();
            workers.shutdownNow();
            throw e;
        }
    }

    public String id()
    {
        return id;
    }

    public AgentKind kind()
    {
        return kind;
    }

    public int metricsPort()
    {
        return metricsServer.port();
    }

    public CoordinatorLink link()
    {
        return link;
    }

    public int runningCommands()
    {
        return executor.runningCount();
    }

    /**
     * Stops the agent: starts no new command (those waiting for a worker are dropped without a
     * result; the coordinator sends them again after the restart), lets the running ones finish
     * (their results are journaled and sent while the stream is still up) for up to
     * {@link #COMMAND_GRACE}, then interrupts those left (one interrupted while it applied its
     * action journals an interrupted result, its effect unknown; one interrupted before that is
     * dropped and runs when delivered again; one that ignores the interrupt is abandoned and
     * answered as interrupted after the restart), and only then stops the inventory and closes
     * the stream.
     */
    @Override
    public void close()
    {
        loops.forEach(Liveness.Loop::close);
        executor.stop();
        gpuPoller.close();
        workers.shutdown();
        try {
            int running = executor.runningCount();
            if (running > 0) {
                log.info("waiting up to " + COMMAND_GRACE.toSeconds() + " s for " + running + " running command(s) to finish");
            }
            if (!workers.awaitTermination(COMMAND_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warning(executor.runningCount() + " command(s) still running after " + COMMAND_GRACE.toSeconds() + " s; interrupting them");
                workers.shutdownNow();
                if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                    log.warning(executor.runningCount() + " command(s) abandoned without a result; sent again after the restart, those that had started applying are answered as interrupted");
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        // after the commands: inventory.refresh runs on the inventory thread
        reporter.close();
        link.close();
        scheduler.shutdownNow();
        linkThread.shutdownNow();
        metricsServer.close();
    }

    private static String readBootId(Path procRoot)
    {
        try {
            return Files.readString(procRoot.resolve("sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).strip();
        }
        catch (IOException e) {
            return "";
        }
    }

    static ThreadFactory daemonThreads(String name)
    {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Breaks the construction cycle between the link and the parts that send through it.
     */
    private static final class CoordinatorLinkHolder
    {
        private volatile CoordinatorLink link;

        boolean send(io.rackpilot.proto.v1.AgentMessage message)
        {
            CoordinatorLink current = link;
            return current != null && current.send(message);
        }
    }
}
