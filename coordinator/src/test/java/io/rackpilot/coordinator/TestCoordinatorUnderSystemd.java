package io.rackpilot.coordinator;

import io.rackpilot.common.testing.DaemonProcess;
import io.rackpilot.common.testing.NotifySocket;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator daemon as systemd runs it: a process of its own with {@code NOTIFY_SOCKET} and
 * {@code WATCHDOG_USEC} in its environment.
 */
class TestCoordinatorUnderSystemd
{
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path directory;

    @Test
    void readyOnceServingThenStatusAndPingsAndACleanStopOnSigterm()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        Path tlsDirectory = Files.createDirectories(directory.resolve("tls"));
        TlsFiles tls = TlsFiles.inDirectory(tlsDirectory, "coordinator");
        authority.issue(new Identity(IdentityRole.COORDINATOR, "coordinator"), List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)).writeTo(tls.certificate(), tls.privateKey());
        authority.writeTo(tls.caCertificate(), directory.resolve("ca-key.pem"));
        Path config = directory.resolve("coordinator.yaml");
        Files.writeString(config, String.join("\n",
                "listen: 127.0.0.1:0",
                "tls:",
                "  ca: " + tls.caCertificate(),
                "  certificate: " + tls.certificate(),
                "  privateKey: " + tls.privateKey(),
                "metrics:",
                "  listen: 127.0.0.1:0",
                "stateDirectory: " + directory.resolve("state"),
                "agents:",
                "  heartbeatInterval: 1s",
                ""));
        try (NotifySocket socket = NotifySocket.atPath(directory.resolve("notify"))) {
            Map<String, String> environment = new HashMap<>(socket.environment());
            environment.put("WATCHDOG_USEC", "400000");
            try (DaemonProcess daemon = DaemonProcess.start(CoordinatorMain.class, List.of("--config", config.toString()), environment, directory.resolve("coordinator.log"))) {
                assertThat(socket.awaitMessage("READY=1"::equals, STARTUP)).as(daemon.log()).isPresent();
                List<String> beforeReady = socket.received();
                assertThat(beforeReady.get(beforeReady.size() - 2)).matches("STATUS=serving on :\\d+, 0 agents connected, no plan");
                int pings = 0;
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (pings < 4 && System.nanoTime() < deadline) {
                    if (socket.awaitMessage("WATCHDOG=1"::equals, Duration.ofSeconds(2)).isPresent()) {
                        pings++;
                    }
                }
                assertThat(pings).as(daemon.log()).isEqualTo(4);
                // the status comes again every few seconds
                assertThat(socket.awaitMessage(message -> message.startsWith("STATUS=serving on :"), Duration.ofSeconds(10))).as(daemon.log()).isPresent();

                daemon.terminate();
                assertThat(socket.awaitMessage("STOPPING=1"::equals, WAIT)).as(daemon.log()).isPresent();
                assertThat(daemon.awaitExit(WAIT)).as(daemon.log()).isZero();
                assertThat(daemon.log()).contains("SIGTERM: stopping the coordinator").contains("the coordinator stopped in ");
            }
        }
    }
}
