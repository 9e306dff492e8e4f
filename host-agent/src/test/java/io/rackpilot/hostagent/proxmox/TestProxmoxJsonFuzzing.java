package io.rackpilot.hostagent.proxmox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.PemFiles;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.ProxmoxInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of how the host-agent reads the Proxmox VE API's JSON with Jazzer (see
 * docs/testing.md), through the real {@link ProxmoxClient} against a loopback HTTP server that
 * answers with the input. The input is text: sections separated by a line {@code %%}, each the
 * body of one endpoint's answer, optionally preceded by a line {@code status NNN} (200 to 499 with a body;
 * 5xx answers are retried with sleeps, which would only slow the fuzzer down), in this order:
 * {@code /cluster/mapping/pci}, {@code /nodes/pve/qemu}, {@code .../config},
 * {@code .../pending}, {@code .../status/current}, {@code .../tasks/UPID/status},
 * {@code /nodes/pve/hardware/pci}, and every POST. Each client call answers with its value, a
 * {@link ProxmoxException}, or an {@link IllegalArgumentException} that names a value Proxmox
 * would not write (never a bare number-format message); so do a VM config's accessors;
 * the inventory collector never throws and says why when it has no VMs. Regression inputs:
 * {@code src/test/resources/io/rackpilot/hostagent/proxmox/TestProxmoxJsonFuzzingInputs/readProxmoxAnswers}.
 */
final class TestProxmoxJsonFuzzing
{
    private static final Pattern STATUS = Pattern.compile("status ([0-9]{3})\n");
    private static final List<String> ENDPOINTS = List.of("mapping", "qemu", "config", "pending", "current", "task", "hardware", "post");

    private static final AtomicReference<Map<String, Answer>> ANSWERS = new AtomicReference<>(Map.of());
    private static HttpServer server;
    private static Path directory;
    private static ProxmoxClient client;

    @BeforeAll
    static void startServer()
            throws IOException
    {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", TestProxmoxJsonFuzzing::answer);
        server.start();
        directory = Files.createTempDirectory("proxmox-fuzzing");
        Path caFile = directory.resolve("pve-root-ca.pem");
        PemFiles.writeCertificates(caFile, List.of(CertificateAuthority.create("fuzzing", Duration.ofDays(1)).certificate()));
        URI apiUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api2/json");
        client = new ProxmoxClient(apiUrl, "pve", ProxmoxToken.parse("rackpilot@pve!agent=secret", "test"), caFile, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopServer()
            throws IOException
    {
        server.stop(0);
        Files.deleteIfExists(directory.resolve("pve-root-ca.pem"));
        Files.deleteIfExists(directory);
    }

    @FuzzTest(maxDuration = "30s")
    void readProxmoxAnswers(byte[] input)
            throws InterruptedException
    {
        String[] sections = new String(input, StandardCharsets.UTF_8).split("\n%%\n", -1);
        Map<String, Answer> answers = new java.util.HashMap<>();
        for (int index = 0; index < ENDPOINTS.size(); index++) {
            answers.put(ENDPOINTS.get(index), Answer.of(index < sections.length ? sections[index] : ""));
        }
        ANSWERS.set(Map.copyOf(answers));

        Inventory.Builder inventory = Inventory.newBuilder();
        new ProxmoxCollector(client).collect(inventory);
        ProxmoxInfo info = inventory.getProxmox();
        if (!info.getError().isEmpty()) {
            assertThat(info.getVmsList()).isEmpty();
            assertThat(info.getError()).isNotBlank();
        }

        call(() -> client.pciMappings());
        call(() -> client.listVms());
        call(() -> client.vmPending(201));
        call(() -> client.vmStatus(201));
        call(() -> client.taskStatus("UPID:pve:00001234:00005678:65000000:qmstart:201:root@pam:"));
        call(() -> client.hardwarePci());
        call(() -> client.start(201));
        call(() -> {
            VmConfig config = client.vmConfig(201);
            value(config::name);
            value(config::cores);
            value(config::memoryMebibytes);
            value(config::machineType);
            value(config::smbiosUuid);
            value(config::hostPci);
            value(config::networkDevices);
            value(config::firstFreeHostPciSlot);
            return config;
        });
    }

    private static void call(ClientCall call)
            throws InterruptedException
    {
        try {
            assertThat(call.run()).isNotNull();
        }
        catch (ProxmoxException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        catch (IllegalArgumentException e) {
            // a value Proxmox would not write (a PCI address, a mapping entry), named
            assertThat(e).isNotInstanceOf(NumberFormatException.class);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static void value(java.util.function.Supplier<?> accessor)
    {
        try {
            assertThat(accessor.get()).isNotNull();
        }
        catch (IllegalArgumentException e) {
            assertThat(e).isNotInstanceOf(NumberFormatException.class);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static void answer(HttpExchange exchange)
            throws IOException
    {
        String path = exchange.getRequestURI().getPath();
        String endpoint;
        if (!exchange.getRequestMethod().equals("GET")) {
            endpoint = "post";
        }
        else if (path.endsWith("/cluster/mapping/pci")) {
            endpoint = "mapping";
        }
        else if (path.endsWith("/qemu")) {
            endpoint = "qemu";
        }
        else if (path.endsWith("/config")) {
            endpoint = "config";
        }
        else if (path.endsWith("/pending")) {
            endpoint = "pending";
        }
        else if (path.endsWith("/status/current")) {
            endpoint = "current";
        }
        else if (path.contains("/tasks/")) {
            endpoint = "task";
        }
        else {
            endpoint = "hardware";
        }
        Answer answer = ANSWERS.get().get(endpoint);
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream output = exchange.getResponseBody()) {
            output.write(body);
        }
    }

    @FunctionalInterface
    private interface ClientCall
    {
        Object run()
                throws ProxmoxException, InterruptedException;
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
