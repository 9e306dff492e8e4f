package io.rackpilot.coordinator.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContext;
import io.rackpilot.common.net.HostAndPort;
import io.rackpilot.common.tls.IdentityInterceptor;
import io.rackpilot.common.tls.IdentityRole;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * The coordinator's gRPC server; owns its lifecycle only. Every call is mutual TLS; the agent
 * stream takes host and node certificates, the control service admin certificates.
 */
public final class CoordinatorServer
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(CoordinatorServer.class.getName());
    /** How long calls in flight may take to end when the server stops, before they are cut. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final Duration HANDLERS_GRACE = Duration.ofSeconds(5);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Server server;
    private final HostAndPort listen;
    // the calls' handlers run here, so that stopping can wait until none runs any more
    private final ThreadPoolExecutor handlers;

    public CoordinatorServer(HostAndPort listen, SslContext sslContext, int maxMessageBytes, BindableService agentLink, BindableService control)
    {
        this.listen = requireNonNull(listen, "listen is null");
        RemoteAddressInterceptor remoteAddress = new RemoteAddressInterceptor();
        FailureStatusInterceptor failures = new FailureStatusInterceptor();
        // as gRPC's default executor: unbounded, idle threads end after 60 s
        this.handlers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "rackpilot-grpc-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.server = NettyServerBuilder.forAddress(listen.toSocketAddress())
                .executor(handlers)
                .sslContext(requireNonNull(sslContext, "sslContext is null"))
                .maxInboundMessageSize(maxMessageBytes)
                .maxInboundMetadataSize(16 * 1024)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                // the last interceptor runs first: failures are turned into statuses outermost
                .addService(ServerInterceptors.intercept(agentLink, remoteAddress, IdentityInterceptor.requiring(IdentityRole.HOST, IdentityRole.NODE), failures))
                .addService(ServerInterceptors.intercept(control, remoteAddress, IdentityInterceptor.requiring(IdentityRole.ADMIN), failures))
                .build();
    }

    public CoordinatorServer start()
            throws IOException
    {
        try {
            server.start();
        }
        catch (IOException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof BindException || e instanceof BindException) {
                throw new IOException("cannot listen on " + listen + ": " + cause.getMessage(), e);
            }
            throw e;
        }
        return this;
    }

    public int port()
    {
        return server.getPort();
    }

    /**
     * Takes no new calls (clients get UNAVAILABLE); calls in flight go on.
     */
    public void stopAccepting()
    {
        server.shutdown();
    }

    /**
     * Stops taking calls, gives the calls in flight {@link #STOP_GRACE} to end, cuts the rest
     * (their clients get UNAVAILABLE), and waits until no handler runs any more: after this
     * returns, no call touches the coordinator's state.
     */
    @Override
    public void close()
    {
        server.shutdown();
        try {
            if (!server.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        awaitHandlers();
    }

    /**
     * Stops at once, as a crash would: streams are cut without a goodbye.
     */
    public void kill()
    {
        server.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        awaitHandlers();
    }

    /**
     * Waits (up to {@link #HANDLERS_GRACE}) until no handler runs. The pool is not shut down: Netty
     * may still hand it the last callbacks of closed streams, which must not be rejected; its idle
     * threads end on their own.
     */
    private void awaitHandlers()
    {
        long deadline = System.nanoTime() + HANDLERS_GRACE.toNanos();
        while (handlers.getActiveCount() > 0 || !handlers.getQueue().isEmpty()) {
            if (System.nanoTime() > deadline) {
                log.warning("gRPC handlers still running " + HANDLERS_GRACE.toSeconds() + " s after the server stopped");
                return;
            }
            try {
                Thread.sleep(10);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
