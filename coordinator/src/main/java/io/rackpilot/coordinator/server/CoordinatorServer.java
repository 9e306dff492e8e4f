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
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * The coordinator's gRPC server; owns its lifecycle only. Every call is mutual TLS; the agent
 * stream takes host and node certificates, the control service admin certificates.
 */
public final class CoordinatorServer
        implements AutoCloseable
{
    private final Server server;
    private final HostAndPort listen;

    public CoordinatorServer(HostAndPort listen, SslContext sslContext, int maxMessageBytes, BindableService agentLink, BindableService control)
    {
        this.listen = requireNonNull(listen, "listen is null");
        RemoteAddressInterceptor remoteAddress = new RemoteAddressInterceptor();
        this.server = NettyServerBuilder.forAddress(listen.toSocketAddress())
                .sslContext(requireNonNull(sslContext, "sslContext is null"))
                .maxInboundMessageSize(maxMessageBytes)
                .maxInboundMetadataSize(16 * 1024)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .addService(ServerInterceptors.intercept(agentLink, remoteAddress, IdentityInterceptor.requiring(IdentityRole.HOST, IdentityRole.NODE)))
                .addService(ServerInterceptors.intercept(control, remoteAddress, IdentityInterceptor.requiring(IdentityRole.ADMIN)))
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

    @Override
    public void close()
    {
        server.shutdown();
        try {
            if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
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
    }
}
