package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.agent.gpu.GpuSource;
import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.common.systemd.Liveness;
import io.rackpilot.common.systemd.SystemdNotifier;
import io.rackpilot.common.systemd.SystemdWatchdog;
import io.rackpilot.common.testing.NotifySocket;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.Inventory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent's loops as the watchdog sees them, on a clock the test moves.
 */
class TestAgentLiveness
{
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path directory;

    private final AtomicLong nanos = new AtomicLong(System.nanoTime());
    private final Liveness liveness = new Liveness(nanos::get);

    @Test
    void aStuckInventoryCollectionSilencesTheWatchdogAndTheStatusNamesIt()
            throws Exception
    {
        BlockingCollector collector = new BlockingCollector();
        List<String> linkStatus = new CopyOnWriteArrayList<>();
        int port = closedPort();
        try (NotifySocket socket = NotifySocket.abstractName();
                Agent agent = Agent.start(AgentKind.NODE, config(port), context -> new AgentParts(List.of(), List.of(collector)), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new NoGpus(), liveness, (state, line) -> linkStatus.add(line))) {
            assertThat(liveness.loops()).containsExactlyInAnyOrder(Agent.LINK_LOOP, Agent.INVENTORY_LOOP);
            assertThat(linkStatus).first().isEqualTo("connecting to coordinator 127.0.0.1:" + port);
            awaitTrue(() -> linkStatus.stream().anyMatch(line -> line.startsWith("reconnecting in ") && line.contains("(coordinator 127.0.0.1:" + port + ": UNAVAILABLE")));

            // the link's threads pass a tick every second: silent past its allowance, it goes round again
            advance(Agent.LINK_MAX_SILENCE.plusSeconds(1));
            assertThat(liveness.stalled()).map(Liveness.Stall::loop).contains(Agent.LINK_LOOP);
            awaitTrue(liveness::healthy);

            Map<String, String> environment = new HashMap<>(socket.environment());
            environment.put("WATCHDOG_USEC", "200000");
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(environment);
            try (SystemdWatchdog watchdog = SystemdWatchdog.start(notifier, liveness)) {
                assertThat(watchdog.running()).isTrue();
                assertThat(socket.awaitMessage("WATCHDOG=1"::equals, WAIT)).isPresent();

                // the next collection hangs; the link still goes round
                collector.block();
                assertThat(collector.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                advance(Duration.ofSeconds(1).plus(Agent.INVENTORY_MARGIN).plusSeconds(1));
                awaitTrue(() -> liveness.stalled().map(Liveness.Stall::loop).filter(Agent.INVENTORY_LOOP::equals).isPresent());
                // (the link may show as stuck for the moment until its next tick, up to a second)
                String stuck = socket.awaitMessage(message -> message.startsWith("STATUS=stuck: inventory"), WAIT).orElseThrow();
                assertThat(stuck).startsWith("STATUS=stuck: inventory collection silent for 12");
                assertThat(liveness.stalled()).map(Liveness.Stall::loop).contains(Agent.INVENTORY_LOOP);
                int before = socket.received().size();
                for (int i = 0; i < 5; i++) {
                    socket.receive(Duration.ofMillis(100));
                }
                assertThat(socket.received().subList(before, socket.received().size())).isNotEmpty().noneMatch("WATCHDOG=1"::equals);

                // closing the agent unregisters its loops
                collector.release();
            }
        }
        assertThat(liveness.loops()).isEmpty();
        assertThat(linkStatus).last().isEqualTo("stopped");
    }

    private void advance(Duration duration)
    {
        nanos.addAndGet(duration.toNanos());
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition still false after " + WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private AgentConfig config(int coordinatorPort)
            throws IOException
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        Path tlsDirectory = Files.createDirectories(directory.resolve("tls"));
        TlsFiles tls = TlsFiles.inDirectory(tlsDirectory, "node-agent");
        authority.issue(new Identity(IdentityRole.NODE, "stuck-node"), List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)).writeTo(tls.certificate(), tls.privateKey());
        authority.writeTo(tls.caCertificate(), directory.resolve("ca-key.pem"));
        Files.writeString(directory.resolve("product_uuid"), "4c4c4544-0000-1000-8000-000000000002\n");
        return new AgentConfig(
                null,
                new AgentConfig.Coordinator("127.0.0.1:" + coordinatorPort, Duration.ofMillis(50), Duration.ofMillis(200), null),
                new AgentConfig.Tls(tls.caCertificate(), tls.certificate(), tls.privateKey()),
                new AgentConfig.Metrics("127.0.0.1:0", null),
                directory.resolve("state"),
                new AgentConfig.Inventory(Duration.ofSeconds(1), directory.resolve("product_uuid"), null, null),
                null,
                null,
                new AgentConfig.Proxmox(false, null, null, null, null, null),
                null,
                new AgentConfig.Kubernetes(false, null, null, null, null, null, null, null));
    }

    private static int closedPort()
            throws IOException
    {
        try (ServerSocket server = new ServerSocket(0)) {
            return server.getLocalPort();
        }
    }

    /**
     * Collects nothing until told to block; then hangs in the next collection until released.
     */
    private static final class BlockingCollector
            implements InventoryCollector
    {
        final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile boolean blocking;

        void block()
        {
            blocking = true;
        }

        void release()
        {
            released.countDown();
        }

        @Override
        public String name()
        {
            return "stuck";
        }

        @Override
        public void collect(Inventory.Builder inventory)
                throws InterruptedException
        {
            if (blocking) {
                entered.countDown();
                released.await();
            }
        }
    }

    private static final class NoGpus
            implements GpuSource
    {
        @Override
        public Gpus poll()
        {
            return Gpus.getDefaultInstance();
        }

        @Override
        public void close() {}
    }
}
