package io.rackpilot.coordinator;

import io.rackpilot.common.Daemons;
import io.rackpilot.common.RackpilotVersion;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;
import io.rackpilot.common.logging.Logging;
import io.rackpilot.common.tls.TlsFileException;
import io.rackpilot.coordinator.config.CoordinatorConfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code rackpilot-coordinator [--config FILE] [--version] [--help]}. Exit codes: 0 stopped
 * cleanly, 1 failed, 2 bad usage or configuration.
 */
public final class CoordinatorMain
{
    private static final Logger log = Logger.getLogger(CoordinatorMain.class.getName());
    private static final String DEFAULT_CONFIG = "/etc/rackpilot/coordinator.yaml";

    private CoordinatorMain() {}

    public static void main(String[] arguments)
    {
        System.exit(run(arguments, System.out, System.err));
    }

    static int run(String[] arguments, PrintStream out, PrintStream err)
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
        Coordinator coordinator;
        try {
            coordinator = Coordinator.start(config);
        }
        catch (IllegalArgumentException | TlsFileException e) {
            err.println(file + ": " + e.getMessage());
            return 2;
        }
        catch (Exception e) {
            log.log(Level.SEVERE, "the coordinator failed to start: " + e.getMessage(), e);
            return 1;
        }
        Daemons.runUntilStopped("the coordinator", coordinator);
        return 0;
    }

    private static String usage()
    {
        return "usage: rackpilot-coordinator [--config FILE] [--version] [--help]\n"
                + "  --config FILE  configuration (default " + DEFAULT_CONFIG + ")\n"
                + "  --version      print the version and exit\n"
                + "  --help         print this help and exit";
    }
}
