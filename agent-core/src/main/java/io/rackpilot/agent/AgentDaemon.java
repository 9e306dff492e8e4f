package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.Daemons;
import io.rackpilot.common.RackpilotVersion;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.common.logging.Logging;
import io.rackpilot.common.systemd.Liveness;
import io.rackpilot.common.systemd.SystemdNotifier;
import io.rackpilot.common.systemd.SystemdWatchdog;
import io.rackpilot.common.tls.TlsFileException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The command line of both agent daemons: {@code --config FILE}, {@code --version}, {@code --help}.
 * Exit codes: 0 stopped cleanly (SIGTERM or SIGINT), 1 failed to start or to stop, 2 bad usage or
 * configuration.
 * <p>
 * Under systemd ({@code Type=notify}, {@code NOTIFY_SOCKET} set) it sends {@code READY=1} as soon as
 * the agent runs (serving {@code /metrics}; it does not wait for the coordinator), a
 * {@code STATUS=} line at every change of the link to the coordinator, {@code WATCHDOG=1} every
 * half of {@code WATCHDOG_USEC} while the link and inventory loops go round, and {@code STOPPING=1}
 * when it begins to stop.
 */
public final class AgentDaemon
{
    private static final Logger log = Logger.getLogger(AgentDaemon.class.getName());

    private AgentDaemon() {}

    public static int run(AgentKind kind, String[] arguments, Function<AgentContext, AgentParts> parts)
    {
        return run(kind, arguments, parts, System.out, System.err, System.getenv());
    }

    static int run(AgentKind kind, String[] arguments, Function<AgentContext, AgentParts> parts, PrintStream out, PrintStream err)
    {
        return run(kind, arguments, parts, out, err, Map.of());
    }

    /**
     * @param environment where {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} come from
     */
    static int run(AgentKind kind, String[] arguments, Function<AgentContext, AgentParts> parts, PrintStream out, PrintStream err, Map<String, String> environment)
    {
        Path configFile = null;
        for (int i = 0; i < arguments.length; i++) {
            switch (arguments[i]) {
                case "--version" -> {
                    out.println("rackpilot-" + kind.daemonName() + " " + RackpilotVersion.current());
                    return 0;
                }
                case "--help", "-h" -> {
                    out.println(usage(kind));
                    return 0;
                }
                case "--config" -> {
                    if (i + 1 >= arguments.length) {
                        err.println("--config needs a file\n" + usage(kind));
                        return 2;
                    }
                    configFile = Path.of(arguments[++i]);
                }
                default -> {
                    if (arguments[i].startsWith("--config=")) {
                        configFile = Path.of(arguments[i].substring("--config=".length()));
                    }
                    else {
                        err.println("unknown argument '" + arguments[i] + "'\n" + usage(kind));
                        return 2;
                    }
                }
            }
        }
        Logging.configure(Level.INFO);
        AgentConfig config;
        try {
            config = loadConfig(kind, configFile);
        }
        catch (ConfigException e) {
            err.println(e.getMessage());
            return 2;
        }
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(environment);
        Liveness liveness = new Liveness();
        notifier.status("starting");
        Agent agent;
        try {
            agent = Agent.start(kind, config, parts, out, liveness, (state, line) -> notifier.status(line));
        }
        catch (IllegalArgumentException | ConfigException | TlsFileException e) {
            err.println((configFile == null ? kind.defaultConfigFile() : configFile) + ": " + e.getMessage());
            return 2;
        }
        catch (Exception e) {
            log.log(Level.SEVERE, kind.daemonName() + " failed to start", e);
            return 1;
        }
        notifier.ready();
        SystemdWatchdog watchdog = SystemdWatchdog.start(notifier, liveness);
        return Daemons.runUntilStopped(kind.daemonName(), () -> {
            try {
                agent.close();
            }
            finally {
                watchdog.close();
            }
        }, notifier);
    }

    static AgentConfig loadConfig(AgentKind kind, Path configFile)
    {
        if (configFile != null) {
            return YamlLoader.load(configFile, AgentConfig.class);
        }
        Path defaultFile = Path.of(kind.defaultConfigFile());
        if (Files.exists(defaultFile)) {
            return YamlLoader.load(defaultFile, AgentConfig.class);
        }
        return AgentConfig.defaults();
    }

    private static String usage(AgentKind kind)
    {
        return "usage: rackpilot-" + kind.daemonName() + " [--config FILE] [--version] [--help]\n"
                + "  --config FILE  configuration (default " + kind.defaultConfigFile() + ")\n"
                + "  --version      print the version and exit\n"
                + "  --help         print this help and exit";
    }
}
