package io.rackpilot.common.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import static java.util.Objects.requireNonNull;

/**
 * Writes {@link Metrics} in the Prometheus text format, version 0.0.4, with client_java's writer.
 */
public final class PrometheusExposition
{
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false)
            .build();

    private PrometheusExposition() {}

    public static void write(Metrics metrics, OutputStream output)
            throws IOException
    {
        requireNonNull(metrics, "metrics is null");
        requireNonNull(output, "output is null");
        // every name the facade accepts is a classic Prometheus name, so no escaping applies
        WRITER.write(output, metrics.snapshot(), EscapingScheme.UNDERSCORE_ESCAPING);
    }

    public static byte[] toBytes(Metrics metrics)
    {
        ByteArrayOutputStream output = new ByteArrayOutputStream(16 * 1024);
        try {
            write(metrics, output);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return output.toByteArray();
    }

    public static String toText(Metrics metrics)
    {
        return new String(toBytes(metrics), StandardCharsets.UTF_8);
    }
}
