package io.rackpilot.hostagent.proxmox;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.common.testing.TestingClock;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.ProxmoxInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code proxmox} section when the API cannot be read: the error and since when, and no VMs
 * (unknown, which the coordinator must not read as "no VMs").
 */
final class TestProxmoxCollector
{
    private static final Instant START = Instant.parse("2026-12-02T16:00:00Z");

    @TempDir
    Path directory;

    private SimulatedProxmox proxmox;
    private final TestingClock clock = new TestingClock(START);

    @BeforeEach
    void start()
            throws IOException
    {
        proxmox = new SimulatedProxmox(directory);
    }

    @AfterEach
    void stop()
    {
        proxmox.close();
    }

    @Test
    void anUnreadableApiIsReportedWithTheErrorAndSinceWhenAndNoVms()
            throws Exception
    {
        ProxmoxCollector collector = new ProxmoxCollector(proxmox.client, clock);
        assertThat(collect(collector).getVmsCount()).isEqualTo(9);
        assertThat(collect(collector).hasErrorSince()).isFalse();

        proxmox.simulator.failNextRequests(Integer.MAX_VALUE);
        clock.advance(Duration.ofMinutes(1));
        ProxmoxInfo failed = collect(collector);
        assertThat(failed.getNode()).isEqualTo("pve");
        assertThat(failed.getError()).contains("HTTP 500");
        assertThat(Timestamps.toInstant(failed.getErrorSince())).isEqualTo(START.plus(Duration.ofMinutes(1)));
        assertThat(failed.getVmsList()).isEmpty();
        assertThat(failed.getPciMappingsList()).isEmpty();

        clock.advance(Duration.ofMinutes(1));
        ProxmoxInfo stillFailing = collect(collector);
        assertThat(Timestamps.toInstant(stillFailing.getErrorSince())).as("since the first failure, so the section does not change on every collection")
                .isEqualTo(START.plus(Duration.ofMinutes(1)));
        assertThat(stillFailing).isEqualTo(failed);

        proxmox.simulator.failNextRequests(0);
        clock.advance(Duration.ofMinutes(1));
        ProxmoxInfo recovered = collect(collector);
        assertThat(recovered.getError()).isEmpty();
        assertThat(recovered.hasErrorSince()).isFalse();
        assertThat(recovered.getVmsCount()).isEqualTo(9);

        proxmox.simulator.failNextRequests(Integer.MAX_VALUE);
        clock.advance(Duration.ofMinutes(1));
        assertThat(Timestamps.toInstant(collect(collector).getErrorSince())).as("a new run of failures starts anew").isEqualTo(START.plus(Duration.ofMinutes(4)));
    }

    @Test
    void aRefusedConnectionIsReportedTheSameWay()
            throws Exception
    {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Path tokenFile = Files.writeString(directory.resolve("refused-token"), SimulatedProxmox.TOKEN + "\n");
        ProxmoxClient refused = new ProxmoxClient(URI.create("https://127.0.0.1:" + closedPort + "/api2/json"), "pve", ProxmoxToken.read(tokenFile),
                proxmox.simulator.caCertificate(), Duration.ofSeconds(2));
        ProxmoxInfo info = collect(new ProxmoxCollector(refused, clock));
        assertThat(info.getNode()).isEqualTo("pve");
        assertThat(info.getError()).isNotEmpty();
        assertThat(Timestamps.toInstant(info.getErrorSince())).isEqualTo(START);
        assertThat(info.getVmsList()).isEmpty();
    }

    private static ProxmoxInfo collect(ProxmoxCollector collector)
            throws InterruptedException
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        collector.collect(inventory);
        return inventory.getProxmox();
    }
}
