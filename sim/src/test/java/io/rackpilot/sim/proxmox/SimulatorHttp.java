package io.rackpilot.sim.proxmox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.common.tls.PemFiles;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import static java.util.Objects.requireNonNull;

/**
 * Plain HTTPS requests to a {@link ProxmoxSimulator} with an API token, trusting its CA, for tests.
 */
public final class SimulatorHttp
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ProxmoxSimulator simulator;
    private final String token;
    private final HttpClient http;

    public SimulatorHttp(ProxmoxSimulator simulator, String token)
            throws IOException, GeneralSecurityException
    {
        this.simulator = requireNonNull(simulator, "simulator is null");
        this.token = requireNonNull(token, "token is null");
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.readCertificate(simulator.caCertificate()));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        this.http = HttpClient.newBuilder().sslContext(context).build();
    }

    public HttpResponse<String> send(String method, String path, String form)
            throws IOException, InterruptedException
    {
        return send(method, path, form, token);
    }

    public HttpResponse<String> send(String method, String path, String form, String token)
            throws IOException, InterruptedException
    {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.apiUrl() + path)).header("Authorization", "PVEAPIToken=" + token);
        if (method.equals("GET")) {
            request.GET();
        }
        else {
            request.header("Content-Type", "application/x-www-form-urlencoded").method(method, HttpRequest.BodyPublishers.ofString(form));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The answer's {@code data}, after checking that the status is 200.
     */
    public JsonNode data(String method, String path, String form)
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = send(method, path, form);
        if (response.statusCode() != 200) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return MAPPER.readTree(response.body()).path("data");
    }

    public static JsonNode json(HttpResponse<String> response)
            throws IOException
    {
        return MAPPER.readTree(response.body());
    }
}
