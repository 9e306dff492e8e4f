package io.rackpilot.common.metrics;

import io.rackpilot.common.metrics.MetricsHttpServer.Health;
import io.rackpilot.common.testing.HttpGet;
import io.rackpilot.common.testing.Promtool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestMetricsHttpServer
{
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final Metrics metrics = new Metrics();
    private final List<MetricsHttpServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers()
    {
        servers.forEach(MetricsHttpServer::close);
    }

    @Test
    void servesMetrics()
    {
        metrics.counter("rackpilot_commands_total", "Commands.", Labels.of("action", "agent.ping")).inc(4);
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        HttpGet.Response response = HttpGet.get(uri(server, "/metrics"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).isEqualTo("""
                # HELP rackpilot_commands_total Commands.
                # TYPE rackpilot_commands_total counter
                rackpilot_commands_total{action="agent.ping"} 4.0
                # HELP rackpilot_http_connections Connections open to this HTTP endpoint (/metrics, /healthz).
                # TYPE rackpilot_http_connections gauge
                rackpilot_http_connections 1.0
                # HELP rackpilot_http_connections_rejected_total Connections to this HTTP endpoint closed at once because the limit of open connections was reached.
                # TYPE rackpilot_http_connections_rejected_total counter
                rackpilot_http_connections_rejected_total 0.0
                # HELP rackpilot_http_request_timeouts_total Connections to this HTTP endpoint closed because a request did not arrive completely in time (answered 408).
                # TYPE rackpilot_http_request_timeouts_total counter
                rackpilot_http_request_timeouts_total 0.0
                """);
        assertThat(HttpGet.get(uri(server, "/metrics?name[]=x")).body()).isEqualTo(response.body());
        Promtool.checkMetrics(response.body());
    }

    @Test
    void aFailingGaugeDoesNotBreakThePage()
    {
        quietly(Metrics.class, () -> {
            metrics.gauge("rackpilot_broken", "Throws.", Labels.empty(), () -> {
                throw new IllegalStateException("sensor gone");
            });
            metrics.gauge("rackpilot_fine", "Works.", Labels.empty(), () -> 1);
            MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

            HttpGet.Response response = HttpGet.get(uri(server, "/metrics"));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("rackpilot_fine 1.0").doesNotContain("rackpilot_broken");
        });
    }

    @Test
    void headGivesTheLengthWithoutTheBody()
    {
        metrics.gauge("rackpilot_fine", "Works.", Labels.empty(), () -> 1);
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));
        int length = HttpGet.get(uri(server, "/metrics")).body().getBytes(StandardCharsets.UTF_8).length;

        HttpGet.Response response = HttpGet.request("HEAD", uri(server, "/metrics"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("content-length")).contains(String.valueOf(length));
        assertThat(response.body()).isEmpty();
    }

    @Test
    void healthzAnswersOkWhenHealthy()
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).health(Health::healthy));

        HttpGet.Response response = HttpGet.get(uri(server, "/healthz"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
        assertThat(response.header("content-type")).contains("text/plain; charset=utf-8");
    }

    @Test
    void healthzFollowsTheHealthCheck()
    {
        AtomicReference<Health> health = new AtomicReference<>(Health.unhealthy("no coordinator since 12:00"));
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).health(health::get));

        HttpGet.Response unhealthy = HttpGet.get(uri(server, "/healthz"));
        health.set(Health.healthy());
        HttpGet.Response healthy = HttpGet.get(uri(server, "/healthz"));

        assertThat(unhealthy.status()).isEqualTo(503);
        assertThat(unhealthy.body()).isEqualTo("no coordinator since 12:00\n");
        assertThat(healthy.status()).isEqualTo(200);
    }

    @Test
    void aThrowingHealthCheckIsUnhealthy()
    {
        quietly(MetricsHttpServer.class, () -> {
            MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).health(() -> {
                throw new IllegalStateException("store closed");
            }));

            HttpGet.Response response = HttpGet.get(uri(server, "/healthz"));

            assertThat(response.status()).isEqualTo(503);
            assertThat(response.body()).contains("store closed");
        });
    }

    @Test
    void healthyWithoutACheck()
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        assertThat(HttpGet.get(uri(server, "/healthz")).status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAreNotFound()
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        assertThat(HttpGet.get(uri(server, "/")).status()).isEqualTo(404);
        assertThat(HttpGet.get(uri(server, "/metrics/")).status()).isEqualTo(404);
        assertThat(HttpGet.get(uri(server, "/nope")).status()).isEqualTo(404);
    }

    @Test
    void onlyGetAndHeadAreAllowed()
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        for (String method : List.of("POST", "PUT", "DELETE")) {
            HttpGet.Response response = HttpGet.request(method, uri(server, "/metrics"));
            assertThat(response.status()).as(method).isEqualTo(405);
            assertThat(response.header("allow")).contains("GET, HEAD");
        }
    }

    @Test
    void servesExtraRoutes()
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics)
                .route(new HttpRoute("/sd/prometheus", request -> HttpResponse.json(
                        "[{\"targets\":[\"10.0.10.5:9452\"],\"labels\":{\"role\":\"" + request.queryParameter("role").orElse("any") + "\"}}]")))
                .route("/echo", request -> HttpResponse.text(200, request.method() + " " + request.path() + " " + request.header("X-Test").orElse("-"))));

        HttpGet.Response discovery = HttpGet.get(uri(server, "/sd/prometheus?role=node"));
        HttpGet.Response echo = HttpGet.get(uri(server, "/echo?a=1"));

        assertThat(discovery.status()).isEqualTo(200);
        assertThat(discovery.header("content-type")).contains("application/json");
        assertThat(discovery.body()).isEqualTo("[{\"targets\":[\"10.0.10.5:9452\"],\"labels\":{\"role\":\"node\"}}]");
        assertThat(echo.body()).isEqualTo("GET /echo -");
    }

    @Test
    void aFailingRouteAnswers500AndTheServerGoesOn()
    {
        quietly(MetricsHttpHandler.class, () -> {
            MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics)
                    .route("/boom", request -> {
                        throw new IllegalStateException("boom");
                    })
                    .route("/nothing", request -> null));

            assertThat(HttpGet.get(uri(server, "/boom")).status()).isEqualTo(500);
            assertThat(HttpGet.get(uri(server, "/nothing")).status()).isEqualTo(500);
            assertThat(HttpGet.get(uri(server, "/healthz")).status()).isEqualTo(200);
        });
    }

    @Test
    void refusesRoutesThatTakeAPathTwice()
    {
        assertThatThrownBy(() -> MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).route("/metrics", request -> HttpResponse.text(200, "")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the path /metrics is served twice");
        assertThatThrownBy(() -> MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics)
                .route("/sd", request -> HttpResponse.text(200, ""))
                .route("/sd", request -> HttpResponse.text(200, ""))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the path /sd is served twice");
        assertThatThrownBy(() -> new HttpRoute("sd", request -> HttpResponse.text(200, "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with /");
    }

    @Test
    void keepsTheConnectionAliveAcrossRequests()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(5000);
            OutputStream output = socket.getOutputStream();
            InputStream input = socket.getInputStream();

            output.write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String first = readResponse(input);
            output.write("GET /nope HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String second = readResponse(input);
            output.write("GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String third = readResponse(input);

            assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("connection: keep-alive").endsWith("ok\n");
            assertThat(second).startsWith("HTTP/1.1 404 Not Found\r\n");
            assertThat(third).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("connection: close");
            assertThat(input.read()).as("the server closes after Connection: close").isEqualTo(-1);
        }
    }

    @Test
    void closesAfterAnHttp10Request()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /healthz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(readResponse(socket.getInputStream())).endsWith("ok\n");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void refusesAnOversizedRequest()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(5000);
            int length = MetricsHttpServer.MAX_REQUEST_BYTES + 1;
            socket.getOutputStream().write(("POST /metrics HTTP/1.1\r\nHost: test\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(new byte[length]);

            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 413 ");
        }
    }

    @Test
    void bindsAnEphemeralPort()
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        assertThat(server.port()).isPositive();
        assertThat(server.address().getAddress()).isEqualTo(InetAddress.getLoopbackAddress());
        assertThat(server.address().getPort()).isEqualTo(server.port());
    }

    @Test
    void aTakenPortGivesAnErrorNamingTheAddress()
            throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MetricsHttpServer server = MetricsHttpServer.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()), metrics).build();
            servers.add(server);

            assertThatThrownBy(server::start)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .hasMessageContaining("in use")
                    .hasCauseInstanceOf(BindException.class);
        }
    }

    @Test
    void closeReleasesThePort()
    {
        MetricsHttpServer first = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));
        int port = first.port();
        long start = System.nanoTime();
        first.close();
        long closeMillis = (System.nanoTime() - start) / 1_000_000;

        MetricsHttpServer second = started(MetricsHttpServer.builder(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), metrics));

        assertThat(second.port()).isEqualTo(port);
        assertThat(HttpGet.get(uri(second, "/healthz")).status()).isEqualTo(200);
        assertThat(closeMillis).as("close() is quick").isLessThan(5000);
    }

    @Test
    void closeEndsOpenConnections()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            readResponse(socket.getInputStream());

            server.close();

            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void lifecycleMistakesAreRefused()
    {
        MetricsHttpServer server = MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).build();
        servers.add(server);

        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class).hasMessage("the metrics HTTP server is not started");
        server.start();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("the metrics HTTP server is already started on 127.0.0.1:");
        server.close();
        server.close();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class).hasMessage("the metrics HTTP server is closed");
    }

    @Test
    void aClientTricklingItsHeadersIsCutOffAtTheDeadline()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).requestTimeout(Duration.ofMillis(500)));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            String answer = trickleUntilClosed(socket, "GET /metrics HTTP/1.1\r\nHost: test\r\nX-Slow: ");

            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout\r\n").containsIgnoringCase("connection: close");
        }
        assertThat(HttpGet.get(uri(server, "/metrics")).body()).contains(MetricsHttpServer.REQUEST_TIMEOUTS_METRIC + " 1.0");
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheDeadline()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).requestTimeout(Duration.ofMillis(300)));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);

            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 408 ");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void theNextRequestOnAKeptAliveConnectionHasADeadlineToo()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics)
                .requestTimeout(Duration.ofMillis(500))
                .idleTimeout(Duration.ofMinutes(5)));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200 OK\r\n");

            String answer = trickleUntilClosed(socket, "GET /metrics HTTP/1.1\r\nHost: test\r\nX-Slow: ");

            assertThat(answer).startsWith("HTTP/1.1 408 ");
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosed()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics)
                .requestTimeout(Duration.ofMinutes(5))
                .idleTimeout(Duration.ofMillis(300)));

        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(socket.getInputStream())).containsIgnoringCase("connection: keep-alive");

            assertThat(socket.getInputStream().read()).as("closed without an answer once idle").isEqualTo(-1);
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnceAndCounted()
            throws IOException
    {
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics)
                .maxConnections(2)
                .requestTimeout(Duration.ofMinutes(5)));

        try (Socket first = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            first.setSoTimeout(10_000);
            try (Socket second = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                second.setSoTimeout(10_000);
                // both answered, so both are open on the server's side
                assertThat(exchange(first, "/healthz")).startsWith("HTTP/1.1 200 ");
                assertThat(exchange(second, "/healthz")).startsWith("HTTP/1.1 200 ");

                try (Socket third = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    third.setSoTimeout(10_000);
                    assertThat(third.getInputStream().read()).as("the third connection is closed at once").isEqualTo(-1);
                }

                assertThat(exchange(first, "/metrics"))
                        .contains(MetricsHttpServer.REJECTED_CONNECTIONS_METRIC + " 1.0")
                        .contains(MetricsHttpServer.CONNECTIONS_METRIC + " 2.0");
            }

            // the second one's place is free again once the server has seen it close
            String answer = null;
            for (int attempt = 0; attempt < 200 && answer == null; attempt++) {
                try (Socket next = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    next.setSoTimeout(10_000);
                    answer = exchange(next, "/healthz");
                }
                catch (IOException refused) {
                    sleep(Duration.ofMillis(20));
                }
            }
            assertThat(answer).as("a connection is served once one of the two closed").startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void scrapesSucceedWhileSlowClientsHoldConnections()
            throws IOException
    {
        metrics.gauge("rackpilot_fine", "Works.", Labels.empty(), () -> 1);
        MetricsHttpServer server = started(MetricsHttpServer.builder(ANY_LOOPBACK_PORT, metrics).requestTimeout(Duration.ofMinutes(5)));
        int slowClients = 16;
        List<Socket> slow = new ArrayList<>();
        try {
            for (int client = 0; client < slowClients; client++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                slow.add(socket);
                socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: test\r\nX-Slow: a".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }

            HttpGet.Response scrape = HttpGet.get(uri(server, "/metrics"));

            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.body())
                    .contains("rackpilot_fine 1.0")
                    .contains(MetricsHttpServer.CONNECTIONS_METRIC + " " + (slowClients + 1) + ".0");
            for (Socket socket : slow) {
                socket.setSoTimeout(50);
                assertThatThrownBy(() -> socket.getInputStream().read()).as("the slow clients are still connected").isInstanceOf(SocketTimeoutException.class);
            }
        }
        finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    /**
     * Sends {@code start}, then one more header byte at a time, until the server answers or closes;
     * returns what it answered.
     */
    private static String trickleUntilClosed(Socket socket, String start)
            throws IOException
    {
        socket.setSoTimeout(100);
        OutputStream output = socket.getOutputStream();
        InputStream input = socket.getInputStream();
        output.write(start.getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        // 100 ms a byte: up to a minute, far beyond any deadline a test sets
        for (int sent = 0; sent < 600; sent++) {
            try {
                output.write('a');
                output.flush();
            }
            catch (IOException closed) {
                return answer.toString(StandardCharsets.US_ASCII) + readRest(input);
            }
            try {
                int next = input.read();
                if (next < 0) {
                    return answer.toString(StandardCharsets.US_ASCII);
                }
                answer.write(next);
                return answer.toString(StandardCharsets.US_ASCII) + readRest(input);
            }
            catch (SocketTimeoutException stillOpen) {
                // the server is still reading; send the next byte
            }
        }
        throw new AssertionError("the server kept reading a trickled header for a minute");
    }

    private static String readRest(InputStream input)
    {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        try {
            for (int next = input.read(); next >= 0; next = input.read()) {
                rest.write(next);
            }
        }
        catch (IOException endOfConnection) {
            // a reset or timeout ends what there is to read
        }
        return rest.toString(StandardCharsets.US_ASCII);
    }

    private static String exchange(Socket socket, String path)
            throws IOException
    {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return readResponse(socket.getInputStream());
    }

    private static void sleep(Duration duration)
    {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private MetricsHttpServer started(MetricsHttpServer.Builder builder)
    {
        MetricsHttpServer server = builder.build();
        servers.add(server);
        server.start();
        return server;
    }

    private static URI uri(MetricsHttpServer server, String pathAndQuery)
    {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    /**
     * One response with a Content-Length body, headers and body as text.
     */
    private static String readResponse(InputStream input)
            throws IOException
    {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int next = input.read();
            if (next < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(next);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return headers + new String(input.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void quietly(Class<?> loggingClass, Runnable action)
    {
        Logger logger = Logger.getLogger(loggingClass.getName());
        Level level = logger.getLevel();
        logger.setLevel(Level.OFF);
        try {
            action.run();
        }
        finally {
            logger.setLevel(level);
        }
    }
}
