package io.rackpilot.common.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What a route sees of a request: method ({@code GET} or {@code HEAD}), the path without the query,
 * decoded query parameters, and headers by lower-case name (repeated headers joined with {@code ,}).
 */
public record HttpRequestInfo(String method, String path, Map<String, List<String>> queryParameters, Map<String, String> headers)
{
    public HttpRequestInfo
    {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        queryParameters = Map.copyOf(queryParameters);
        headers = Map.copyOf(headers);
    }

    /**
     * The first value of a query parameter.
     */
    public Optional<String> queryParameter(String name)
    {
        List<String> values = queryParameters.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public Optional<String> header(String name)
    {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
}
