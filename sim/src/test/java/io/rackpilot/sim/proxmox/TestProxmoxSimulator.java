package io.rackpilot.sim.proxmox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.common.tls.PemFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

final class TestProxmoxSimulator
{
    private static final String TOKEN = "rackpilot@pve!test=secret-1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path directory;

    private ProxmoxSimulator simulator;
    private HttpClient http;

    @BeforeEach
    void start()
            throws Exception
    {
        simulator = ProxmoxSimulator.start("pve", Set.of(TOKEN), directory);
        simulator.addVm(300, Map.of("name", "test", "cores", "2", "memory", "2048", "hostpci0", "0000:07:00.0"), true);
        simulator.addPciMapping("gpu", "a GPU", List.of("node=pve,path=0000:06:00.0,id=10de:1eb8"));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.readCertificate(simulator.caCertificate()));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(context).build();
    }

    @AfterEach
    void stop()
    {
        simulator.close();
    }

    private HttpResponse<String> send(String method, String path, String form, String token)
            throws Exception
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

    @Test
    void speaksTheEnvelopeAndErrorShapes()
            throws Exception
    {
        HttpResponse<String> unauthorised = send("GET", "/nodes/pve/qemu", "", "rackpilot@pve!test=wrong");
        assertThat(unauthorised.statusCode()).isEqualTo(401);

        JsonNode list = MAPPER.readTree(send("GET", "/nodes/pve/qemu", "", TOKEN).body());
        assertThat(list.path("data").get(0).path("vmid").asInt()).isEqualTo(300);
        assertThat(list.path("data").get(0).path("maxmem").asLong()).isEqualTo(2048L << 20);

        HttpResponse<String> badVmid = send("GET", "/nodes/pve/qemu/42/config", "", TOKEN);
        assertThat(badVmid.statusCode()).isEqualTo(400);
        JsonNode error = MAPPER.readTree(badVmid.body());
        assertThat(error.get("data").isNull()).isTrue();
        assertThat(error.path("message").asText()).isEqualTo("Parameter verification failed.\n");
        assertThat(error.path("errors").path("vmid").asText()).contains("minimum value of 100");

        HttpResponse<String> missing = send("GET", "/nodes/pve/qemu/999/config", "", TOKEN);
        assertThat(missing.statusCode()).isEqualTo(500);
        assertThat(MAPPER.readTree(missing.body()).path("message").asText()).contains("qemu-server/999.conf' does not exist");
    }

    @Test
    void guardsConfigWithDigestAndKeepsHostPciPendingOnARunningVm()
            throws Exception
    {
        String digest = MAPPER.readTree(send("GET", "/nodes/pve/qemu/300/config", "", TOKEN).body()).path("data").path("digest").asText();
        assertThat(send("PUT", "/nodes/pve/qemu/300/config", "hostpci1=mapping%3Dgpu%2Cpcie%3D1&digest=" + digest, TOKEN).statusCode()).isEqualTo(200);
        assertThat(simulator.vmConfig(300).orElseThrow()).doesNotContainKey("hostpci1");
        JsonNode pending = MAPPER.readTree(send("GET", "/nodes/pve/qemu/300/pending", "", TOKEN).body()).path("data");
        assertThat(pending.toString()).contains("{\"key\":\"hostpci1\",\"pending\":\"mapping=gpu,pcie=1\"}");
        // GET config answers with pending values applied, as Proxmox does without current=1.
        assertThat(MAPPER.readTree(send("GET", "/nodes/pve/qemu/300/config", "", TOKEN).body()).path("data").path("hostpci1").asText()).isEqualTo("mapping=gpu,pcie=1");
        assertThat(MAPPER.readTree(send("GET", "/nodes/pve/qemu/300/config?current=1", "", TOKEN).body()).path("data").has("hostpci1")).isFalse();

        HttpResponse<String> stale = send("PUT", "/nodes/pve/qemu/300/config", "cores=4&digest=" + digest, TOKEN);
        assertThat(stale.statusCode()).isEqualTo(500);
        assertThat(MAPPER.readTree(stale.body()).path("message").asText()).startsWith("detected modified configuration");

        HttpResponse<String> raw = send("PUT", "/nodes/pve/qemu/300/config", "delete=hostpci0", TOKEN);
        assertThat(raw.statusCode()).isEqualTo(403);
        assertThat(MAPPER.readTree(raw.body()).path("message").asText()).isEqualTo("only root can set 'hostpci0' config for non-mapped devices\n");
        assertThat(simulator.vmConfig(300).orElseThrow()).containsEntry("hostpci0", "0000:07:00.0");

        HttpResponse<String> unknownMapping = send("PUT", "/nodes/pve/qemu/300/config", "hostpci2=mapping%3Dnone", TOKEN);
        assertThat(unknownMapping.statusCode()).isEqualTo(400);
        assertThat(MAPPER.readTree(unknownMapping.body()).path("errors").path("hostpci2").asText()).contains("'none' does not exist");
    }

    @Test
    void runsTasksThatEndLater()
            throws Exception
    {
        simulator.setTaskDelay(java.time.Duration.ofMillis(200));
        String upid = MAPPER.readTree(send("POST", "/nodes/pve/qemu/300/status/start", "", TOKEN).body()).path("data").asText();
        assertThat(upid).startsWith("UPID:pve:").contains(":qmstart:300:rackpilot@pve!test:");
        String path = "/nodes/pve/tasks/" + java.net.URLEncoder.encode(upid, java.nio.charset.StandardCharsets.UTF_8) + "/status";
        assertThat(MAPPER.readTree(send("GET", path, "", TOKEN).body()).path("data").path("status").asText()).isEqualTo("running");
        Thread.sleep(400);
        JsonNode done = MAPPER.readTree(send("GET", path, "", TOKEN).body()).path("data");
        assertThat(done.path("status").asText()).isEqualTo("stopped");
        assertThat(done.path("exitstatus").asText()).isEqualTo("VM 300 already running");
    }
}
