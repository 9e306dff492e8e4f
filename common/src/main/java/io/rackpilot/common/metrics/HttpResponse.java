package io.rackpilot.common.metrics;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * A route's answer: status code, content type and body.
 */
public record HttpResponse(int status, String contentType, byte[] body)
{
    public static final String TEXT_PLAIN = "text/plain; charset=utf-8";
    public static final String APPLICATION_JSON = "application/json";

    public HttpResponse
    {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status " + status + " is outside 100..599");
        }
        requireNonNull(contentType, "contentType is null");
        body = body.clone();
    }

    public static HttpResponse text(int status, String text)
    {
        return new HttpResponse(status, TEXT_PLAIN, text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpResponse json(String json)
    {
        return new HttpResponse(200, APPLICATION_JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public byte[] body()
    {
        return body.clone();
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof HttpResponse response
                && status == response.status
                && contentType.equals(response.contentType)
                && Arrays.equals(body, response.body);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * status + contentType.hashCode()) + Arrays.hashCode(body);
    }

    @Override
    public String toString()
    {
        return "HttpResponse[status=" + status + ", contentType=" + contentType + ", body=" + body.length + " bytes]";
    }
}
