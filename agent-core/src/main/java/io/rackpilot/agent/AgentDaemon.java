package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.Daemons;
import io.rackpilot.common.RackpilotVersion;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.common.logging.Logging;
import io.rackpilot.common.tls.TlsFileException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The command line of both agent daemons: {@code --config FILE}, {@code --version}, {@code --help}.
 * Exit codes: 0 stopped cleanly, 1 failed while running, 2 bad usage or configuration.
 */
public final class AgentDaemon
{
    private static final Logger log = Logger.getLogger(AgentDaemon.class.getName());

    private AgentDaemon() {}

    public static int run(AgentKind kind, String[] arguments, Function<AgentContext, AgentParts> parts)
    {
        return run(kind, arguments, parts, System.out, System.err);
    }

    static int run(AgentKind kind, String[] arguments, Function<AgentContext, AgentParts> parts, PrintStream out, PrintStream err)
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
        Agent agent;
        try {
            agent = Agent.start(kind, config, parts, out);
        }
        catch (IllegalArgumentException | ConfigException | TlsFileException e) {
            err.println((configFile == null ? kind.defaultConfigFile() : configFile) + ": " + e.getMessage());
            return 2;
        }
        catch (Exception e) {
            log.log(Level.SEVERE, kind.daemonName() + " failed to start", e);
            return 1;
        }
        Daemons.runUntilStopped(kind.daemonName(), agent);
        return 0;
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
