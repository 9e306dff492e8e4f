package io.rackpilot.nodeagent.kubernetes;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.rackpilot.agent.inventory.SystemUuidSource;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of how the node-agent reads the Kubernetes API's JSON with Jazzer (see
 * docs/testing.md), through the real fabric8 client and {@link OwnNode} and
 * {@link KubernetesCollector} against a loopback HTTP server that answers with the input. The
 * input is text: sections separated by a line {@code %%}, each the body of one answer, optionally
 * preceded by a line {@code status NNN} (200 to 499 with a body), in this order: the list of
 * Nodes ({@code GET /api/v1/nodes}), one Node ({@code GET /api/v1/nodes/NAME}) and the pods on
 * the Node ({@code GET /api/v1/pods}). This machine's SMBIOS UUID is
 * {@code 4d2b7e10-5a1c-4c8e-9f00-000000000201}. Whatever the API server says, the collector never
 * throws and its section says what it found or why it found nothing. Regression inputs:
 * {@code src/test/resources/io/rackpilot/nodeagent/kubernetes/TestKubernetesJsonFuzzingInputs/readKubernetesAnswers}.
 */
final class TestKubernetesJsonFuzzing
{
    private static final String SYSTEM_UUID = "4d2b7e10-5a1c-4c8e-9f00-000000000201";
    private static final Pattern STATUS = Pattern.compile("status ([0-9]{3})\n");
    private static final AtomicReference<List<Answer>> ANSWERS = new AtomicReference<>(List.of());

    private static HttpServer server;
    private static Path directory;
    private static KubernetesConnection connection;
    private static SystemUuidSource uuidSource;

    @BeforeAll
    static void startServer()
            throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", TestKubernetesJsonFuzzing::answer);
        server.start();
        directory = Files.createTempDirectory("kubernetes-fuzzing");
        Path uuidFile = Files.writeString(directory.resolve("product_uuid"), SYSTEM_UUID + "\n");
        uuidSource = new SystemUuidSource(directory.resolve("sys"), Optional.of(uuidFile));
        Config config = new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0)
                .withRequestTimeout(5000)
                .withConnectionTimeout(5000)
                .build();
        connection = KubernetesConnection.of(new KubernetesApi(
                new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory()).build(),
                Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stopServer()
            throws IOException
    {
        connection.close();
        server.stop(0);
        Files.deleteIfExists(directory.resolve("product_uuid"));
        Files.deleteIfExists(directory);
    }

    @FuzzTest(maxDuration = "30s")
    void readKubernetesAnswers(byte[] input)
    {
        String[] sections = new String(input, StandardCharsets.UTF_8).split("\n%%\n", -1);
        ANSWERS.set(List.of(
                Answer.of(sections.length > 0 ? sections[0] : ""),
                Answer.of(sections.length > 1 ? sections[1] : ""),
                Answer.of(sections.length > 2 ? sections[2] : "")));

        OwnNode ownNode = new OwnNode(connection, Optional.empty(), uuidSource, Set::of);
        KubernetesNodeInfo info = new KubernetesCollector(ownNode, "nvidia.com/gpu", observed -> {}).observe();
        if (info.getState() == KubernetesNodeInfo.State.STATE_FOUND) {
            assertThat(info.getNodeName()).isNotEmpty();
        }
        else {
            assertThat(info.getProblem()).isNotBlank();
        }
        // a second look goes to the Node by name when the first found it
        KubernetesNodeInfo again = new KubernetesCollector(ownNode, "nvidia.com/gpu", observed -> {}).observe();
        if (again.getState() != KubernetesNodeInfo.State.STATE_FOUND) {
            assertThat(again.getProblem()).isNotBlank();
        }
    }

    private static void answer(HttpExchange exchange)
            throws IOException
    {
        String path = exchange.getRequestURI().getPath();
        Answer answer;
        if (path.equals("/api/v1/nodes")) {
            answer = ANSWERS.get().get(0);
        }
        else if (path.startsWith("/api/v1/nodes/")) {
            answer = ANSWERS.get().get(1);
        }
        else if (path.equals("/api/v1/pods")) {
            answer = ANSWERS.get().get(2);
        }
        else {
            answer = new Answer(404, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}");
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream output = exchange.getResponseBody()) {
            output.write(body);
        }
    }

    private record Answer(int status, String body)
    {
        static Answer of(String section)
        {
            Matcher status = STATUS.matcher(section);
            if (status.lookingAt()) {
                int code = Integer.parseInt(status.group(1));
                boolean withBody = code >= 200 && code < 500 && code != 204 && code != 304;
                return new Answer(withBody ? code : 200, section.substring(status.end()));
            }
            return new Answer(200, section);
        }
    }
}
