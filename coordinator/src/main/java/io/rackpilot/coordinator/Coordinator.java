package io.rackpilot.coordinator;

import io.grpc.Status;
import io.rackpilot.common.RackpilotVersion;
import io.rackpilot.common.metrics.Metrics;
import io.rackpilot.common.metrics.HttpResponse;
import io.rackpilot.common.metrics.MetricsHttpServer;
import io.rackpilot.common.systemd.Liveness;
import io.rackpilot.common.tls.TlsContexts;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.coordinator.agents.AgentLinkService;
import io.rackpilot.coordinator.agents.AgentRegistry;
import io.rackpilot.coordinator.agents.GpuDirectory;
import io.rackpilot.coordinator.agents.InventoryBook;
import io.rackpilot.coordinator.commands.CommandService;
import io.rackpilot.coordinator.config.CoordinatorConfig;
import io.rackpilot.coordinator.control.ControlService;
import io.rackpilot.coordinator.discovery.PrometheusTargets;
import io.rackpilot.coordinator.metrics.CoordinatorMetrics;
import io.rackpilot.coordinator.observed.HomelabObserver;
import io.rackpilot.coordinator.plan.PlanBook;
import io.rackpilot.coordinator.reconcile.PlacementBook;
import io.rackpilot.coordinator.reconcile.ReconcileLoop;
import io.rackpilot.coordinator.reconcile.Reconciler;
import io.rackpilot.coordinator.relocation.GpuConditions;
import io.rackpilot.coordinator.relocation.GpuMoves;
import io.rackpilot.coordinator.relocation.MovePlanner;
import io.rackpilot.coordinator.relocation.MoveStore;
import io.rackpilot.coordinator.server.CoordinatorServer;
import io.rackpilot.coordinator.store.SqliteStore;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.Role;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * A running coordinator wired from a {@link CoordinatorConfig}: store, agent registry, command
 * queue, gRPC server and metrics endpoint. The daemon, {@code rackctl dev} and the tests all start
 * coordinators through here.
 */
public final class Coordinator
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(Coordinator.class.getName());
    public static final String DATABASE_FILE = "coordinator.db";
    public static final String HOUSEKEEPING_LOOP = "housekeeping";
    public static final String RECONCILE_LOOP = "reconcile loop";
    /** Liveness: how much longer than its period the housekeeping task may stay silent. */
    public static final Duration HOUSEKEEPING_MARGIN = Duration.ofSeconds(30);
    /** Liveness: how much longer than its interval the reconcile loop may stay silent (one slow run). */
    public static final Duration RECONCILE_MARGIN = Duration.ofSeconds(90);

    private final Store store;
    private final AgentRegistry registry;
    private final CommandService commands;
    private final PlanBook plans;
    private final GpuMoves moves;
    private final ReconcileLoop reconcile;
    private final PlacementBook placements;
    private final CoordinatorServer server;
    private final MetricsHttpServer metricsServer;
    private final ScheduledExecutorService housekeeping;
    private final List<Liveness.Loop> loops;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Coordinator(Store store, AgentRegistry registry, CommandService commands, PlanBook plans, GpuMoves moves, ReconcileLoop reconcile, PlacementBook placements, CoordinatorServer server, MetricsHttpServer metricsServer, ScheduledExecutorService housekeeping, List<Liveness.Loop> loops)
    {
        this.loops = List.copyOf(loops);
        this.placements = placements;
        this.store = store;
        this.registry = registry;
        this.commands = commands;
        this.plans = plans;
        this.moves = moves;
        this.reconcile = reconcile;
        this.server = server;
        this.metricsServer = metricsServer;
        this.housekeeping = housekeeping;
    }

    public static Coordinator start(CoordinatorConfig config)
            throws IOException
    {
        return start(config, new Liveness());
    }

    /**
     * Starts a coordinator whose main loops (the {@value #HOUSEKEEPING_LOOP} task and the
     * {@value #RECONCILE_LOOP}) are registered with {@code liveness}, for the systemd watchdog;
     * they are unregistered when it closes.
     */
    public static Coordinator start(CoordinatorConfig config, Liveness liveness)
            throws IOException
    {
        requireNonNull(config, "config is null").validate();
        requireNonNull(liveness, "liveness is null");
        Clock clock = Clock.systemUTC();
        TlsFiles tlsFiles = new TlsFiles(config.tls().ca(), config.tls().certificate(), config.tls().privateKey());

        Metrics metrics = new Metrics();
        CoordinatorMetrics coordinatorMetrics = new CoordinatorMetrics(metrics, RackpilotVersion.current());
        Path databaseFile = config.stateDirectory().resolve(DATABASE_FILE);
        Store store = SqliteStore.open(databaseFile, coordinatorMetrics);
        CoordinatorServer server = null;
        MetricsHttpServer metricsServer = null;
        ScheduledExecutorService housekeeping = null;
        GpuMoves moves = null;
        ReconcileLoop reconcile = null;
        List<Liveness.Loop> loops = new ArrayList<>();
        try {
            AgentRegistry registry = new AgentRegistry(store, clock, config.agents().lostAfter());
            InventoryBook inventory = new InventoryBook(store);
            CommandService commands = new CommandService(store, registry, clock, config.commands().defaultTimeout(), coordinatorMetrics);
            coordinatorMetrics.watch(registry, commands);
            PrometheusTargets targets = new PrometheusTargets(registry);

            PlanBook plans = new PlanBook(store, clock);
            MoveStore moveStore = new MoveStore(store);
            PlacementBook placements = new PlacementBook(store);
            GpuConditions conditions = new GpuConditions(store);
            HomelabObserver observer = new HomelabObserver(registry, inventory, moveStore::list, placements::settled, conditions::standing);
            moves = new GpuMoves(moveStore, plans, observer, commands, new MovePlanner(config.relocation().timeouts(), config.relocation().pluginPodSelectors()), clock, coordinatorMetrics::relocationFinished, conditions);
            Liveness.Loop reconcileLoop = liveness.register(RECONCILE_LOOP, config.reconcile().interval().plus(RECONCILE_MARGIN));
            loops.add(reconcileLoop);
            reconcile = new ReconcileLoop(plans, observer, new Reconciler(config.reconcile().modes(), config.reconcile().staleAfter()), commands, moves, placements, clock, coordinatorMetrics, config.reconcile().interval(), reconcileLoop::tick);
            coordinatorMetrics.watch(plans, moves);
            ReconcileLoop loop = reconcile;
            plans.addListener(loop::trigger);
            inventory.addListener(loop::trigger);

            server = new CoordinatorServer(
                    config.listenAddress(),
                    TlsContexts.grpcServer(tlsFiles),
                    config.maxMessageBytes(),
                    new AgentLinkService(registry, inventory, commands, config.agents().heartbeatInterval()),
                    new ControlService(registry, inventory, commands, targets, new GpuDirectory(registry, inventory), plans, moves, reconcile)).start();

            metricsServer = MetricsHttpServer.builder(config.metrics().listenAddress().toSocketAddress(), metrics)
                    .route(PrometheusTargets.PATH, request -> new HttpResponse(200, HttpResponse.APPLICATION_JSON, targets.httpServiceDiscoveryJson()))
                    .build();
            metricsServer.start();

            housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "rackpilot-housekeeping");
                thread.setDaemon(true);
                return thread;
            });
            long period = config.agents().heartbeatInterval().toMillis();
            Liveness.Loop housekeepingLoop = liveness.register(HOUSEKEEPING_LOOP, config.agents().heartbeatInterval().plus(HOUSEKEEPING_MARGIN));
            loops.add(housekeepingLoop);
            GpuMoves gpuMoves = moves;
            housekeeping.scheduleWithFixedDelay(() -> {
                housekeepingLoop.tick();
                try {
                    registry.closeSilentSessions();
                    commands.expireQueued();
                    coordinatorMetrics.gpuStates(gpuMoves.status());
                }
                catch (RuntimeException e) {
                    log.log(Level.WARNING, "housekeeping failed", e);
                }
            }, period, period, TimeUnit.MILLISECONDS);

            moves.resume();
            reconcile.start();
            log.info("coordinator " + RackpilotVersion.current() + " serving gRPC on " + config.listenAddress().withPort(server.port())
                    + ", metrics on port " + metricsServer.port() + ", state in " + databaseFile);
            return new Coordinator(store, registry, commands, plans, moves, reconcile, placements, server, metricsServer, housekeeping, loops);
        }
        catch (IOException | RuntimeException e) {
            loops.forEach(Liveness.Loop::close);
            if (reconcile != null) {
                reconcile.close();
            }
            if (moves != null) {
                moves.close();
            }
            if (housekeeping != null) {
                housekeeping.shutdownNow();
            }
            if (metricsServer != null) {
                metricsServer.close();
            }
            if (server != null) {
                server.close();
            }
            closeStore(store);
            throw e;
        }
    }

    public int grpcPort()
    {
        return server.port();
    }

    public int metricsPort()
    {
        return metricsServer.port();
    }

    public Store store()
    {
        return store;
    }

    public AgentRegistry registry()
    {
        return registry;
    }

    public CommandService commands()
    {
        return commands;
    }

    public PlanBook plans()
    {
        return plans;
    }

    public GpuMoves moves()
    {
        return moves;
    }

    public ReconcileLoop reconcile()
    {
        return reconcile;
    }

    public PlacementBook placements()
    {
        return placements;
    }

    /**
     * A line for a person ({@code systemctl status}): "serving on :7450, 3 agents connected, plan
     * revision 2", with ", 1 lost" when agents it knows are not connected.
     */
    public String statusLine()
    {
        int connected = 0;
        int lost = 0;
        for (Role role : List.of(Role.ROLE_HOST, Role.ROLE_NODE)) {
            connected += registry.count(role, AgentState.AGENT_STATE_CONNECTED);
            lost += registry.count(role, AgentState.AGENT_STATE_LOST);
        }
        long revision = plans.currentRevision();
        return "serving on :" + server.port()
                + ", " + connected + (connected == 1 ? " agent" : " agents") + " connected"
                + (lost > 0 ? ", " + lost + " lost" : "")
                + (revision == 0 ? ", no plan" : ", plan revision " + revision);
    }

    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // In order: take no new calls; end the agents' streams (they reconnect later); let the calls
        // in flight end (bounded) and wait for their handlers; stop the loops; then close the store,
        // which nothing uses any more.
        loops.forEach(Liveness.Loop::close);
        server.stopAccepting();
        registry.closeAll(Status.UNAVAILABLE.withDescription("the coordinator is stopping"));
        server.close();
        stopHousekeeping(housekeeping);
        reconcile.close();
        moves.close();
        metricsServer.close();
        closeStore(store);
    }

    private static void stopHousekeeping(ScheduledExecutorService housekeeping)
    {
        housekeeping.shutdownNow();
        try {
            housekeeping.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops as a crash would (streams cut, nothing said to the agents); for tests of recovery.
     */
    public void kill()
    {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loops.forEach(Liveness.Loop::close);
        server.kill();
        stopHousekeeping(housekeeping);
        reconcile.close();
        moves.close();
        metricsServer.close();
        closeStore(store);
    }

    private static void closeStore(Store store)
    {
        try {
            store.close();
        }
        catch (Exception e) {
            log.log(Level.WARNING, "closing the store failed", e);
        }
    }
}
