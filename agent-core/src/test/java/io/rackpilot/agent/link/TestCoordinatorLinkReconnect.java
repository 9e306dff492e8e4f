package io.rackpilot.agent.link;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContext;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsContexts;
import io.rackpilot.common.tls.TlsFiles;
import io.rackpilot.proto.v1.AgentLinkGrpc;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Welcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The link's own backoff, and only it, spaces reconnects: against a real gRPC server with mTLS on
 * loopback that is away long enough for a gRPC channel's own backoff to grow (1 s × 1.6ⁿ), the
 * link is back within its maximum backoff and connect timeout once the server serves again.
 */
class TestCoordinatorLinkReconnect
{
    private static final Duration MAXIMUM_BACKOFF = Duration.ofSeconds(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The link's worst case (one full backoff, one attempt) with room for a slow machine. */
    private static final Duration RECONNECT_BOUND = MAXIMUM_BACKOFF.plus(CONNECT_TIMEOUT).plusSeconds(2);
    /** Five failed connects take a gRPC channel about 16 s; its sixth waits another 8 to 13 s. */
    private static final int FAILED_ATTEMPTS = 5;

    @TempDir
    Path directory;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> statusLines = new CopyOnWriteArrayList<>();
    private CoordinatorLink link;
    private Server server;

    @AfterEach
    void tearDown()
    {
        if (link != null) {
            link.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
        scheduler.shutdownNow();
    }

    @Test
    void reconnectsWithinItsOwnBackoffAfterTheCoordinatorWasAwayForManyAttempts()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("link test CA", Duration.ofDays(1));
        TlsFiles coordinatorTls = issue(authority, new Identity(IdentityRole.COORDINATOR, "coordinator"), "coordinator");
        TlsFiles agentTls = issue(authority, new Identity(IdentityRole.NODE, "k8s-node1"), "node-agent");
        SslContext clientContext = TlsContexts.grpcClient(agentTls);

        CountDownLatch connected = new CountDownLatch(1);
        try (ResettingListener away = new ResettingListener()) {
            int port = away.port();
            link = new CoordinatorLink(
                    () -> channel(port, clientContext),
                    "127.0.0.1:" + port,
                    () -> Hello.newBuilder().setAgentId("k8s-node1").build(),
                    new ConnectedListener(connected),
                    (state, line) -> statusLines.add(line),
                    scheduler,
                    new Backoff(Duration.ofMillis(100), MAXIMUM_BACKOFF, () -> ThreadLocalRandom.current().nextDouble()),
                    CONNECT_TIMEOUT,
                    Clock.systemUTC());
            link.start();
            // the coordinator is away: every connection is reset during the TLS handshake
            assertThat(away.awaitAccepted(FAILED_ATTEMPTS, Duration.ofSeconds(60))).as("connection attempts; status: %s", statusLines).isTrue();
            away.close();

            long serving = System.nanoTime();
            server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                    .sslContext(TlsContexts.grpcServer(coordinatorTls))
                    .addService(new WelcomingService())
                    .build()
                    .start();
            assertThat(connected.await(RECONNECT_BOUND.toMillis(), TimeUnit.MILLISECONDS))
                    .as("connected within %s of the coordinator serving again; status: %s", RECONNECT_BOUND, statusLines)
                    .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - serving)).isLessThan(RECONNECT_BOUND);
            assertThat(link.isConnected()).isTrue();
        }
    }

    @Test
    void anAttemptWithoutAnAnswerIsGivenUpAfterTheConnectTimeout()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("link test CA", Duration.ofDays(1));
        TlsFiles agentTls = issue(authority, new Identity(IdentityRole.NODE, "k8s-node1"), "node-agent");
        SslContext clientContext = TlsContexts.grpcClient(agentTls);
        // accepts and never says a word: no TLS handshake, no Welcome
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = silent.getLocalPort();
            link = new CoordinatorLink(
                    () -> channel(port, clientContext),
                    "127.0.0.1:" + port,
                    () -> Hello.newBuilder().setAgentId("k8s-node1").build(),
                    new ConnectedListener(new CountDownLatch(1)),
                    (state, line) -> statusLines.add(line),
                    scheduler,
                    new Backoff(Duration.ofMillis(100), MAXIMUM_BACKOFF, () -> ThreadLocalRandom.current().nextDouble()),
                    Duration.ofMillis(500),
                    Clock.systemUTC());
            link.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < deadline && statusLines.stream().noneMatch(line -> line.startsWith("reconnecting in "))) {
                Thread.sleep(20);
            }
            // without the connect timeout, Netty's TLS handshake timeout (10 s) would end it first
            assertThat(statusLines).anyMatch(line -> line.startsWith("reconnecting in ") && line.contains("no Welcome from the coordinator within 500 ms"));
        }
    }

    private TlsFiles issue(CertificateAuthority authority, Identity identity, String baseName)
            throws IOException
    {
        TlsFiles files = TlsFiles.inDirectory(directory.resolve(baseName), baseName);
        authority.issue(identity, List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)).writeTo(files.certificate(), files.privateKey());
        authority.writeTo(files.caCertificate(), directory.resolve(baseName + "-ca-key.pem"));
        return files;
    }

    private static ManagedChannel channel(int port, SslContext context)
    {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(context).build();
    }

    private static final class ConnectedListener
            implements CoordinatorLink.Listener
    {
        private final CountDownLatch connected;

        ConnectedListener(CountDownLatch connected)
        {
            this.connected = connected;
        }

        @Override
        public void connected(Welcome welcome)
        {
            connected.countDown();
        }

        @Override
        public void disconnected(String reason) {}

        @Override
        public void command(Command command) {}
    }

    /**
     * Answers every Hello with a Welcome.
     */
    private static final class WelcomingService
            extends AgentLinkGrpc.AgentLinkImplBase
    {
        @Override
        public StreamObserver<AgentMessage> connect(StreamObserver<CoordinatorMessage> responses)
        {
            return new StreamObserver<>()
            {
                @Override
                public void onNext(AgentMessage message)
                {
                    if (message.hasHello()) {
                        responses.onNext(CoordinatorMessage.newBuilder().setWelcome(Welcome.getDefaultInstance()).build());
                    }
                }

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onCompleted()
                {
                    responses.onCompleted();
                }
            };
        }
    }

    /**
     * A coordinator port that is away: accepts each connection and resets it at once (no
     * TIME_WAIT left behind, so the real server can bind the port right after), counting them.
     */
    private static final class ResettingListener
            implements AutoCloseable
    {
        private final ServerSocket socket;
        private final AtomicInteger accepted = new AtomicInteger();
        private final Thread thread;

        ResettingListener()
                throws IOException
        {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        connection.setSoLinger(true, 0);
                        accepted.incrementAndGet();
                    }
                    catch (IOException e) {
                        // closed
                    }
                }
            }, "resetting-listener");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return socket.getLocalPort();
        }

        boolean awaitAccepted(int count, Duration limit)
                throws InterruptedException
        {
            long deadline = System.nanoTime() + limit.toNanos();
            while (accepted.get() < count) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(10);
            }
            return true;
        }

        @Override
        public void close()
                throws IOException, InterruptedException
        {
            socket.close();
            thread.join(5_000);
        }
    }
}
