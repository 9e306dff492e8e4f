package io.rackpilot.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A daemon's main class run in a JVM of its own on the test's class path, its output in a log
 * file, for tests of what only a process shows: signals, exit codes, {@code sd_notify}.
 */
public final class DaemonProcess
        implements AutoCloseable
{
    private final Process process;
    private final Path logFile;

    private DaemonProcess(Process process, Path logFile)
    {
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * @param environment added to this JVM's environment, with {@code NOTIFY_SOCKET},
     *        {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} of the test's own removed first
     */
    public static DaemonProcess start(Class<?> mainClass, List<String> arguments, Map<String, String> environment, Path logFile)
            throws IOException
    {
        return start(mainClass, List.of(), arguments, environment, logFile);
    }

    /**
     * @param jvmOptions options for the daemon's JVM (such as a launcher's {@code -Xmx}), before the class path
     */
    public static DaemonProcess start(Class<?> mainClass, List<String> jvmOptions, List<String> arguments, Map<String, String> environment, Path logFile)
            throws IOException
    {
        requireNonNull(mainClass, "mainClass is null");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath(), mainClass.getName()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().remove("NOTIFY_SOCKET");
        builder.environment().remove("WATCHDOG_USEC");
        builder.environment().remove("WATCHDOG_PID");
        builder.environment().putAll(environment);
        return new DaemonProcess(builder.start(), logFile);
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** SIGTERM, as systemd stops a service. */
    public void terminate()
    {
        process.destroy();
    }

    /** SIGINT, as Ctrl-C. */
    public void interrupt()
            throws IOException, InterruptedException
    {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -INT " + process.pid() + " failed");
        }
    }

    /**
     * The exit code, or -1 when it still runs after the timeout.
     */
    public int awaitExit(Duration timeout)
            throws InterruptedException
    {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /**
     * What the daemon wrote so far, for assertion messages.
     */
    public String log()
    {
        try {
            return "daemon log:\n" + Files.readString(logFile);
        }
        catch (IOException e) {
            return "daemon log unreadable: " + e;
        }
    }

    @Override
    public void close()
    {
        process.destroyForcibly();
    }

    private static String classPath()
    {
        // surefire runs the tests from a manifest-only jar and gives the real class path here
        String testClassPath = System.getProperty("surefire.test.class.path");
        return testClassPath == null || testClassPath.isBlank() ? System.getProperty("java.class.path") : testClassPath;
    }
}
