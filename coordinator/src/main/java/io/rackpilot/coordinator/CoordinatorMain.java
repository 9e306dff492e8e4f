package io.rackpilot.coordinator;

import io.rackpilot.common.Daemons;
import io.rackpilot.common.RackpilotVersion;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.common.logging.Logging;
import io.rackpilot.common.systemd.Liveness;
import io.rackpilot.common.systemd.SystemdNotifier;
import io.rackpilot.common.systemd.SystemdWatchdog;
import io.rackpilot.common.tls.TlsFileException;
import io.rackpilot.coordinator.config.CoordinatorConfig;
import io.rackpilot.coordinator.store.StoreException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code rackpilot-coordinator [--config FILE] [--version] [--help]}. Exit codes: 0 stopped
 * cleanly (SIGTERM or SIGINT), 1 failed to start or to stop, 2 bad usage or configuration, or a
 * state file that cannot be used as it is (emptied, corrupt, of another application or version).
 * <p>
 * Under systemd ({@code Type=notify}) it sends {@code READY=1} once gRPC is serving, a
 * {@code STATUS=} line every {@link #STATUS_PERIOD} ("serving on :7450, 3 agents connected, plan
 * revision 2"), {@code WATCHDOG=1} every half of {@code WATCHDOG_USEC} while the housekeeping
 * task and the reconcile loop go round, and {@code STOPPING=1} when it begins to stop.
 */
public final class CoordinatorMain
{
    private static final Logger log = Logger.getLogger(CoordinatorMain.class.getName());
    private static final String DEFAULT_CONFIG = "/etc/rackpilot/coordinator.yaml";
    static final Duration STATUS_PERIOD = Duration.ofSeconds(5);

    private CoordinatorMain() {}

    public static void main(String[] arguments)
    {
        System.exit(run(arguments, System.out, System.err, System.getenv()));
    }

    static int run(String[] arguments, PrintStream out, PrintStream err)
    {
        return run(arguments, out, err, Map.of());
    }

    /**
     * @param environment where {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} come from
     */
    static int run(String[] arguments, PrintStream out, PrintStream err, Map<String, String> environment)
    {
        Path configFile = null;
        for (int i = 0; i < arguments.length; i++) {
            String argument = arguments[i];
            if (argument.equals("--version")) {
                out.println("rackpilot-coordinator " + RackpilotVersion.current());
                return 0;
            }
            if (argument.equals("--help") || argument.equals("-h")) {
                out.println(usage());
                return 0;
            }
            if (argument.equals("--config") && i + 1 < arguments.length) {
                configFile = Path.of(arguments[++i]);
            }
            else if (argument.startsWith("--config=")) {
                configFile = Path.of(argument.substring("--config=".length()));
            }
            else {
                err.println("unknown or incomplete argument '" + argument + "'\n" + usage());
                return 2;
            }
        }
        Logging.configure(Level.INFO);
        Path file = configFile == null ? Path.of(DEFAULT_CONFIG) : configFile;
        CoordinatorConfig config;
        try {
            config = configFile == null && !Files.exists(file) ? CoordinatorConfig.defaults() : YamlLoader.load(file, CoordinatorConfig.class);
            config.validate();
        }
        catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        catch (IllegalArgumentException e) {
            err.println(file + ": " + e.getMessage());
            return 2;
        }
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(environment);
        Liveness liveness = new Liveness();
        notifier.status("starting");
        Coordinator coordinator;
        try {
            coordinator = Coordinator.start(config, liveness);
        }
        catch (IllegalArgumentException | TlsFileException e) {
            err.println(file + ": " + e.getMessage());
            return 2;
        }
        catch (StoreException e) {
            if (e.kind() == StoreException.Kind.UNUSABLE) {
                // a state file that cannot be used as it is: restarting cannot fix it, a person must act
                err.println(e.getMessage());
                return 2;
            }
            log.log(Level.SEVERE, "the coordinator failed to start: " + e.getMessage(), e);
            return 1;
        }
        catch (Exception e) {
            log.log(Level.SEVERE, "the coordinator failed to start: " + e.getMessage(), e);
            return 1;
        }
        notifier.status(statusLine(coordinator));
        notifier.ready();
        SystemdWatchdog watchdog = SystemdWatchdog.start(notifier, liveness);
        ScheduledExecutorService statusThread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "rackpilot-systemd-status");
            thread.setDaemon(true);
            return thread;
        });
        if (notifier.enabled()) {
            statusThread.scheduleWithFixedDelay(() -> {
                if (!notifier.isStopping()) {
                    notifier.status(statusLine(coordinator));
                }
            }, STATUS_PERIOD.toMillis(), STATUS_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        }
        return Daemons.runUntilStopped("the coordinator", () -> {
            statusThread.shutdownNow();
            try {
                coordinator.close();
            }
            finally {
                watchdog.close();
            }
        }, notifier);
    }

    private static String statusLine(Coordinator coordinator)
    {
        try {
            return coordinator.statusLine();
        }
        catch (RuntimeException e) {
            log.log(Level.FINE, "cannot describe the coordinator's state", e);
            return "serving on :" + coordinator.grpcPort();
        }
    }

    private static String usage()
    {
        return "usage: rackpilot-coordinator [--config FILE] [--version] [--help]\n"
                + "  --config FILE  configuration (default " + DEFAULT_CONFIG + ")\n"
                + "  --version      print the version and exit\n"
                + "  --help         print this help and exit";
    }
}
