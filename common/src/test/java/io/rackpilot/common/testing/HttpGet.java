package io.rackpilot.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Fetches a URL for a test, without a proxy: status, headers and body.
 */
public final class HttpGet
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private HttpGet() {}

    public static Response get(String url)
    {
        return request("GET", URI.create(url));
    }

    public static Response get(URI uri)
    {
        return request("GET", uri);
    }

    /**
     * Any method without a request body (HEAD, DELETE, or POST with an empty body).
     */
    public static Response request(String method, URI uri)
    {
        requireNonNull(method, "method is null");
        requireNonNull(uri, "uri is null");
        HttpRequest request = HttpRequest.newBuilder(uri)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(TIMEOUT)
                .build();
        try {
            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().map(), response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + uri, e);
        }
    }

    /**
     * @param headers by lower-case name, as java.net.http gives them
     */
    public record Response(int status, Map<String, List<String>> headers, String body)
    {
        public Response
        {
            headers = Map.copyOf(headers);
            requireNonNull(body, "body is null");
        }

        public Optional<String> header(String name)
        {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .flatMap(entry -> entry.getValue().stream())
                    .findFirst();
        }
    }
}
