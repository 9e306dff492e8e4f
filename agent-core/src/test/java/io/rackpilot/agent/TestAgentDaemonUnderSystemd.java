package io.rackpilot.agent;

import io.rackpilot.common.testing.NotifySocket;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent daemon as systemd runs it: a process of its own with {@code NOTIFY_SOCKET} and
 * {@code WATCHDOG_USEC} in its environment, and no coordinator to reach.
 */
class TestAgentDaemonUnderSystemd
{
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path directory;

    @Test
    void notifiesAPathSocketAndStopsCleanlyOnSigterm()
            throws Exception
    {
        try (NotifySocket socket = NotifySocket.atPath(directory.resolve("notify"))) {
            int port = closedPort();
            Process daemon = start(socket, port);
            try {
                assertRunsAndPings(socket, port, daemon);
                daemon.destroy();
                assertThat(socket.awaitMessage("STOPPING=1"::equals, WAIT)).as(log()).isPresent();
                assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(log()).isTrue();
                assertThat(daemon.exitValue()).as(log()).isZero();
                assertThat(log()).contains("SIGTERM: stopping node-agent");
            }
            finally {
                daemon.destroyForcibly();
            }
        }
    }

    @Test
    void notifiesAnAbstractSocketAndStopsCleanlyOnSigint()
            throws Exception
    {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            int port = closedPort();
            Process daemon = start(socket, port);
            try {
                assertRunsAndPings(socket, port, daemon);
                Process kill = new ProcessBuilder("kill", "-INT", Long.toString(daemon.pid())).inheritIO().start();
                assertThat(kill.waitFor()).isZero();
                assertThat(socket.awaitMessage("STOPPING=1"::equals, WAIT)).as(log()).isPresent();
                assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(log()).isTrue();
                assertThat(daemon.exitValue()).as(log()).isZero();
                assertThat(log()).contains("SIGINT: stopping node-agent");
            }
            finally {
                daemon.destroyForcibly();
            }
        }
    }

    private void assertRunsAndPings(NotifySocket socket, int port, Process daemon)
    {
        assertThat(socket.awaitMessage("READY=1"::equals, STARTUP)).as(log()).isPresent();
        assertThat(socket.awaitMessage(message -> message.startsWith("STATUS=reconnecting in "), WAIT)).as(log())
                .hasValueSatisfying(status -> assertThat(status).matches("STATUS=reconnecting in \\d+ s \\(coordinator 127\\.0\\.0\\.1:" + port + ": UNAVAILABLE.*\\)"));
        int pings = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (pings < 4 && System.nanoTime() < deadline) {
            if (socket.awaitMessage("WATCHDOG=1"::equals, Duration.ofSeconds(2)).isPresent()) {
                pings++;
            }
        }
        assertThat(pings).as(log()).isEqualTo(4);
        assertThat(daemon.isAlive()).isTrue();
        List<String> received = socket.received();
        assertThat(received).contains("STATUS=connecting to coordinator 127.0.0.1:" + port);
        assertThat(received.indexOf("READY=1")).isLessThan(received.lastIndexOf("WATCHDOG=1"));
        assertThat(received).doesNotContain("STOPPING=1");
    }

    private Process start(NotifySocket socket, int coordinatorPort)
            throws IOException
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        TlsFiles tls = TlsFiles.inDirectory(directory.resolve("tls"), "node-agent");
        Files.createDirectories(directory.resolve("tls"));
        authority.issue(new Identity(IdentityRole.NODE, "sd-node"), List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)).writeTo(tls.certificate(), tls.privateKey());
        authority.writeTo(tls.caCertificate(), directory.resolve("ca-key.pem"));
        Files.writeString(directory.resolve("product_uuid"), "4c4c4544-0000-1000-8000-000000000001\n");
        Path config = directory.resolve("node-agent.yaml");
        Files.writeString(config, String.join("\n",
                "coordinator:",
                "  address: 127.0.0.1:" + coordinatorPort,
                "  initialBackoff: 200ms",
                "  maximumBackoff: 1s",
                "tls:",
                "  ca: " + tls.caCertificate(),
                "  certificate: " + tls.certificate(),
                "  privateKey: " + tls.privateKey(),
                "metrics:",
                "  listen: 127.0.0.1:0",
                "stateDirectory: " + directory.resolve("state"),
                "inventory:",
                "  interval: 5s",
                "  systemUuidFile: " + directory.resolve("product_uuid"),
                "gpu:",
                "  nvmlLibrary: " + directory.resolve("no-libnvidia-ml.so.1"),
                "kubernetes:",
                "  enabled: false",
                ""));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", classPath(), AgentDaemonProcessMain.class.getName(), "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("daemon.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.remove("WATCHDOG_PID");
        environment.putAll(socket.environment());
        environment.put("WATCHDOG_USEC", "400000");
        return builder.start();
    }

    private String log()
    {
        try {
            Path file = directory.resolve("daemon.log");
            return Files.exists(file) ? "daemon log:\n" + Files.readString(file) : "no daemon log";
        }
        catch (IOException e) {
            return "daemon log unreadable: " + e;
        }
    }

    private static String classPath()
    {
        // surefire runs the tests from a manifest-only jar; it gives the real class path here
        String testClassPath = System.getProperty("surefire.test.class.path");
        return testClassPath == null || testClassPath.isBlank() ? System.getProperty("java.class.path") : testClassPath;
    }

    private static int closedPort()
            throws IOException
    {
        try (ServerSocket server = new ServerSocket(0)) {
            return server.getLocalPort();
        }
    }
}
