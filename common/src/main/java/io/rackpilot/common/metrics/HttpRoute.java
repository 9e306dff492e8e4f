package io.rackpilot.common.metrics;

import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * An extra path served by {@link MetricsHttpServer}, for example the coordinator's {@code /sd/prometheus}.
 * The handler runs on the server's single event loop thread: it must be quick and must not block.
 * A handler that throws gets a 500 answer.
 */
public record HttpRoute(String path, Function<HttpRequestInfo, HttpResponse> handler)
{
    public HttpRoute
    {
        requireNonNull(path, "path is null");
        requireNonNull(handler, "handler is null");
        if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
            throw new IllegalArgumentException("route path '" + path + "' must start with / and hold no query or fragment");
        }
    }
}
