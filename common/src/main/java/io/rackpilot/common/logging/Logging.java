package io.rackpilot.common.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * One line per log record on standard error, without a timestamp (journald adds its own):
 * {@code INFO CoordinatorLink: connected to coordinator devvm:7450}.
 */
public final class Logging
{
    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";

    private Logging() {}

    public static void configure(Level level)
    {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, "%4$s %3$s: %5$s%6$s%n");
        }
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new ConsoleHandler();
        handler.setFormatter(new SimpleFormatter());
        handler.setLevel(Level.ALL);
        root.addHandler(handler);
        root.setLevel(level);
        // gRPC and Netty are chatty at INFO about things an operator cannot act on.
        Logger.getLogger("io.grpc").setLevel(Level.WARNING);
        Logger.getLogger("io.netty").setLevel(Level.WARNING);
        Logger.getLogger("oshi").setLevel(Level.WARNING);
    }
}
