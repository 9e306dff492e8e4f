package io.rackpilot.common.metrics;

import com.codahale.metrics.Counter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * The small HTTP/1.1 server every daemon runs for Prometheus: {@code /metrics} (text format 0.0.4),
 * {@code /healthz} (200 {@code ok} when healthy, 503 with the reason when not) and any extra routes.
 * <p>
 * One Netty event loop thread accepts, reads and answers; metrics are rendered on it. GET and HEAD only
 * (405 otherwise), 404 for unknown paths, keep-alive honoured, request bodies limited to
 * {@value #MAX_REQUEST_BYTES} bytes. Slow or idle clients cannot hold connections: a request must
 * arrive completely within {@link #REQUEST_TIMEOUT} (408 and closed otherwise, counted in
 * {@value #REQUEST_TIMEOUTS_METRIC}), a kept-alive connection idle for {@value #IDLE_SECONDS} s is
 * closed, and at most {@value #MAX_CONNECTIONS} connections are open at once: one more is closed as
 * soon as it is accepted and counted in {@value #REJECTED_CONNECTIONS_METRIC}.
 * <pre>{@code
 * MetricsHttpServer server = MetricsHttpServer.builder(new InetSocketAddress("0.0.0.0", 9452), metrics)
 *         .health(() -> linkUp ? Health.healthy() : Health.unhealthy("no coordinator"))
 *         .route(new HttpRoute("/sd/prometheus", request -> HttpResponse.json(targets())))
 *         .build();
 * server.start();
 * }</pre>
 */
public final class MetricsHttpServer
        implements AutoCloseable
{
    public static final String METRICS_PATH = "/metrics";
    public static final String HEALTH_PATH = "/healthz";
    public static final int MAX_REQUEST_BYTES = 16 * 1024;
    public static final int IDLE_SECONDS = 60;
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int MAX_CONNECTIONS = 64;
    public static final String CONNECTIONS_METRIC = "rackpilot_http_connections";
    public static final String REJECTED_CONNECTIONS_METRIC = "rackpilot_http_connections_rejected_total";
    public static final String REQUEST_TIMEOUTS_METRIC = "rackpilot_http_request_timeouts_total";

    private static final Logger log = Logger.getLogger(MetricsHttpServer.class.getName());

    private final InetSocketAddress listenAddress;
    private final MetricsHttpHandler handler;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final int maxConnections;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Counter rejectedConnections;
    private final Counter requestTimeouts;

    // guarded by this
    private EventLoopGroup group;
    // guarded by this
    private Channel serverChannel;
    // guarded by this
    private boolean closed;

    private MetricsHttpServer(InetSocketAddress listenAddress, Map<String, HttpRoute> routes, Metrics metrics, Duration requestTimeout, Duration idleTimeout, int maxConnections)
    {
        this.listenAddress = requireNonNull(listenAddress, "listenAddress is null");
        this.handler = new MetricsHttpHandler(routes);
        this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout is null");
        this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
        this.maxConnections = maxConnections;
        metrics.gauge(CONNECTIONS_METRIC, "Connections open to this HTTP endpoint (/metrics, /healthz).", Labels.empty(), openConnections::get);
        this.rejectedConnections = metrics.counter(REJECTED_CONNECTIONS_METRIC,
                "Connections to this HTTP endpoint closed at once because the limit of open connections was reached.", Labels.empty());
        this.requestTimeouts = metrics.counter(REQUEST_TIMEOUTS_METRIC,
                "Connections to this HTTP endpoint closed because a request did not arrive completely in time (answered 408).", Labels.empty());
    }

    public static Builder builder(InetSocketAddress listenAddress, Metrics metrics)
    {
        return new Builder(listenAddress, metrics);
    }

    /**
     * Binds the listen address and starts answering.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound (port taken, address not local)
     */
    public synchronized void start()
    {
        if (closed) {
            throw new IllegalStateException("the metrics HTTP server is closed");
        }
        if (serverChannel != null) {
            throw new IllegalStateException("the metrics HTTP server is already started on " + describe(address()));
        }
        EventLoopGroup newGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("rackpilot-metrics-http", true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(newGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(SocketChannel channel)
                    {
                        if (openConnections.incrementAndGet() > maxConnections) {
                            openConnections.decrementAndGet();
                            rejectedConnections.inc();
                            channel.close();
                            return;
                        }
                        channel.closeFuture().addListener(closed -> openConnections.decrementAndGet());
                        RequestDeadline deadline = new RequestDeadline(requestTimeout, requestTimeouts::inc);
                        channel.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS))
                                .addLast(deadline.bytes())
                                .addLast(new HttpServerCodec())
                                .addLast(deadline.requests())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(handler);
                    }
                });
        ChannelFuture bind = bootstrap.bind(listenAddress).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            newGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            Throwable cause = bind.cause();
            String message = "cannot serve metrics on " + describe(listenAddress) + ": " + cause.getMessage();
            if (cause instanceof IOException ioException) {
                throw new UncheckedIOException(message, ioException);
            }
            throw new IllegalStateException(message, cause);
        }
        group = newGroup;
        serverChannel = bind.channel();
        log.fine(() -> "serving metrics on " + describe(address()));
    }

    /**
     * The bound port (the real one when the listen address asked for port 0).
     */
    public synchronized int port()
    {
        return address().getPort();
    }

    /**
     * The bound address.
     */
    public synchronized InetSocketAddress address()
    {
        if (serverChannel == null) {
            throw new IllegalStateException("the metrics HTTP server is not started");
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Stops listening, closes open connections and stops the thread; returns within about two seconds.
     */
    @Override
    public synchronized void close()
    {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(20, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
    }

    private static String describe(InetSocketAddress address)
    {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * Whether the daemon is fit to serve, and why not.
     */
    public static final class Health
    {
        private static final Health HEALTHY = new Health(true, "ok");

        private final boolean healthy;
        private final String reason;

        private Health(boolean healthy, String reason)
        {
            this.healthy = healthy;
            this.reason = requireNonNull(reason, "reason is null");
        }

        public static Health healthy()
        {
            return HEALTHY;
        }

        public static Health unhealthy(String reason)
        {
            requireNonNull(reason, "reason is null");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("an unhealthy state needs a reason");
            }
            return new Health(false, reason);
        }

        public boolean isHealthy()
        {
            return healthy;
        }

        /**
         * Why the daemon is unhealthy; {@code ok} when it is healthy.
         */
        public String reason()
        {
            return reason;
        }

        @Override
        public boolean equals(Object other)
        {
            return other instanceof Health health && healthy == health.healthy && reason.equals(health.reason);
        }

        @Override
        public int hashCode()
        {
            return Boolean.hashCode(healthy) * 31 + reason.hashCode();
        }

        @Override
        public String toString()
        {
            return healthy ? "healthy" : "unhealthy: " + reason;
        }
    }

    public static final class Builder
    {
        private final InetSocketAddress listenAddress;
        private final Metrics metrics;
        private Supplier<Health> health = Health::healthy;
        private final List<HttpRoute> routes = new ArrayList<>();
        private Duration requestTimeout = REQUEST_TIMEOUT;
        private Duration idleTimeout = Duration.ofSeconds(IDLE_SECONDS);
        private int maxConnections = MAX_CONNECTIONS;

        private Builder(InetSocketAddress listenAddress, Metrics metrics)
        {
            this.listenAddress = requireNonNull(listenAddress, "listenAddress is null");
            this.metrics = requireNonNull(metrics, "metrics is null");
        }

        /**
         * The check behind {@code /healthz}; without one the server always answers healthy.
         */
        public Builder health(Supplier<Health> health)
        {
            this.health = requireNonNull(health, "health is null");
            return this;
        }

        public Builder route(HttpRoute route)
        {
            routes.add(requireNonNull(route, "route is null"));
            return this;
        }

        public Builder route(String path, Function<HttpRequestInfo, HttpResponse> handler)
        {
            return route(new HttpRoute(path, handler));
        }

        /**
         * How long a request may take to arrive completely (default {@link #REQUEST_TIMEOUT}); for tests.
         */
        Builder requestTimeout(Duration requestTimeout)
        {
            this.requestTimeout = positive(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * How long a connection may stay without traffic (default {@value #IDLE_SECONDS} s); for tests.
         */
        Builder idleTimeout(Duration idleTimeout)
        {
            this.idleTimeout = positive(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * How many connections may be open at once (default {@value #MAX_CONNECTIONS}); for tests.
         */
        Builder maxConnections(int maxConnections)
        {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
            this.maxConnections = maxConnections;
            return this;
        }

        private static Duration positive(Duration duration, String name)
        {
            requireNonNull(duration, name + " is null");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + duration);
            }
            return duration;
        }

        /**
         * @throws IllegalArgumentException when two routes share a path, or a route takes {@code /metrics} or {@code /healthz}
         */
        public MetricsHttpServer build()
        {
            Map<String, HttpRoute> byPath = new LinkedHashMap<>();
            byPath.put(METRICS_PATH, new HttpRoute(METRICS_PATH, new MetricsRoute(metrics)));
            byPath.put(HEALTH_PATH, new HttpRoute(HEALTH_PATH, new HealthRoute(health)));
            for (HttpRoute route : routes) {
                if (byPath.putIfAbsent(route.path(), route) != null) {
                    throw new IllegalArgumentException("the path " + route.path() + " is served twice");
                }
            }
            return new MetricsHttpServer(listenAddress, Map.copyOf(byPath), metrics, requestTimeout, idleTimeout, maxConnections);
        }
    }

    private record MetricsRoute(Metrics metrics)
            implements Function<HttpRequestInfo, HttpResponse>
    {
        @Override
        public HttpResponse apply(HttpRequestInfo request)
        {
            return new HttpResponse(200, PrometheusExposition.CONTENT_TYPE, PrometheusExposition.toBytes(metrics));
        }
    }

    private record HealthRoute(Supplier<Health> health)
            implements Function<HttpRequestInfo, HttpResponse>
    {
        @Override
        public HttpResponse apply(HttpRequestInfo request)
        {
            Health current;
            try {
                current = health.get();
            }
            catch (RuntimeException e) {
                log.log(Level.WARNING, "the health check failed", e);
                return HttpResponse.text(503, "health check failed: " + e + "\n");
            }
            if (current == null) {
                return HttpResponse.text(503, "health check gave no answer\n");
            }
            if (current.isHealthy()) {
                return HttpResponse.text(200, "ok\n");
            }
            return HttpResponse.text(503, current.reason() + "\n");
        }
    }
}
