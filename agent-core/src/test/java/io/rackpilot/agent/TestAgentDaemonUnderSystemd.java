package io.rackpilot.agent;

import io.rackpilot.common.testing.DaemonProcess;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
            try (DaemonProcess daemon = start(socket, port)) {
                assertRunsAndPings(socket, port, daemon);
                daemon.terminate();
                assertThat(socket.awaitMessage("STOPPING=1"::equals, WAIT)).as(daemon.log()).isPresent();
                assertThat(daemon.awaitExit(WAIT)).as(daemon.log()).isZero();
                assertThat(daemon.log()).contains("SIGTERM: stopping node-agent");
            }
        }
    }

    @Test
    void notifiesAnAbstractSocketAndStopsCleanlyOnSigint()
            throws Exception
    {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            int port = closedPort();
            try (DaemonProcess daemon = start(socket, port)) {
                assertRunsAndPings(socket, port, daemon);
                daemon.interrupt();
                assertThat(socket.awaitMessage("STOPPING=1"::equals, WAIT)).as(daemon.log()).isPresent();
                assertThat(daemon.awaitExit(WAIT)).as(daemon.log()).isZero();
                assertThat(daemon.log()).contains("SIGINT: stopping node-agent");
            }
        }
    }

    private static void assertRunsAndPings(NotifySocket socket, int port, DaemonProcess daemon)
    {
        assertThat(socket.awaitMessage("READY=1"::equals, STARTUP)).as(daemon.log()).isPresent();
        assertThat(socket.awaitMessage(message -> message.startsWith("STATUS=reconnecting in "), WAIT)).as(daemon.log())
                .hasValueSatisfying(status -> assertThat(status).matches("STATUS=reconnecting in \\d+ s \\(coordinator 127\\.0\\.0\\.1:" + port + ": UNAVAILABLE.*\\)"));
        int pings = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (pings < 4 && System.nanoTime() < deadline) {
            if (socket.awaitMessage("WATCHDOG=1"::equals, Duration.ofSeconds(2)).isPresent()) {
                pings++;
            }
        }
        assertThat(pings).as(daemon.log()).isEqualTo(4);
        assertThat(daemon.isAlive()).isTrue();
        List<String> received = socket.received();
        assertThat(received).contains("STATUS=connecting to coordinator 127.0.0.1:" + port);
        assertThat(received.indexOf("READY=1")).isLessThan(received.lastIndexOf("WATCHDOG=1"));
        assertThat(received).doesNotContain("STOPPING=1");
    }

    private DaemonProcess start(NotifySocket socket, int coordinatorPort)
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
        Map<String, String> environment = new HashMap<>(socket.environment());
        environment.put("WATCHDOG_USEC", "400000");
        return DaemonProcess.start(AgentDaemonProcessMain.class, List.of("--config", config.toString()), environment, directory.resolve("daemon.log"));
    }

    private static int closedPort()
            throws IOException
    {
        try (ServerSocket server = new ServerSocket(0)) {
            return server.getLocalPort();
        }
    }
}
