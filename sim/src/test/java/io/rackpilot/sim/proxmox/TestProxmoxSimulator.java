package io.rackpilot.sim.proxmox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestProxmoxSimulator
{
    private static final String TOKEN = "rackpilot@pve!test=secret-1";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path directory;

    private ProxmoxSimulator simulator;
    private SimulatorHttp http;

    @BeforeEach
    void start()
            throws Exception
    {
        simulator = ProxmoxSimulator.start("pve", Set.of(TOKEN), directory);
        simulator.addVm(300, Map.of("name", "test", "cores", "2", "memory", "2048", "hostpci0", "0000:07:00.0"), true);
        simulator.addPciMapping("gpu", "a GPU", List.of("node=pve,path=0000:06:00.0,id=10de:1eb8"));
        http = new SimulatorHttp(simulator, TOKEN);
    }

    @AfterEach
    void stop()
    {
        simulator.close();
    }

    private HttpResponse<String> send(String method, String path, String form, String token)
            throws Exception
    {
        return http.send(method, path, form, token);
    }

    private String digest(int vmid)
            throws Exception
    {
        return http.data("GET", "/nodes/pve/qemu/" + vmid + "/config", "").path("digest").asText();
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
    @Test
    void failsTheNextConfigWriteThatTouchesTheKey()
            throws Exception
    {
        simulator.addVm(301, Map.of("name", "stopped", "hostpci0", "mapping=gpu"), false);
        simulator.failNextConfigWrite(301, "hostpci", "hostpci1: PCI device '0000:06:00.0' already in use\n");
        String before = digest(301);

        // a write of other keys passes and leaves the failure armed
        assertThat(send("PUT", "/nodes/pve/qemu/301/config", "cores=4", TOKEN).statusCode()).isEqualTo(200);
        String afterCores = digest(301);
        assertThat(afterCores).isNotEqualTo(before);

        // "hostpci" matches every hostpciN: the write of hostpci1 and cores fails and changes nothing
        HttpResponse<String> failed = send("POST", "/nodes/pve/qemu/301/config", "hostpci1=mapping%3Dgpu&cores=8", TOKEN);
        assertThat(failed.statusCode()).isEqualTo(500);
        JsonNode error = SimulatorHttp.json(failed);
        assertThat(error.get("data").isNull()).isTrue();
        assertThat(error.path("message").asText()).isEqualTo("hostpci1: PCI device '0000:06:00.0' already in use\n");
        assertThat(simulator.vmConfig(301).orElseThrow()).containsEntry("cores", "4").doesNotContainKey("hostpci1");
        assertThat(digest(301)).isEqualTo(afterCores);

        // used once: the same write now passes
        assertThat(send("POST", "/nodes/pve/qemu/301/config", "hostpci1=mapping%3Dgpu", TOKEN).statusCode()).isEqualTo(200);
        assertThat(simulator.vmConfig(301).orElseThrow()).containsEntry("hostpci1", "mapping=gpu");

        // a key ending in a digit matches itself only, and a deletion matches too
        simulator.failNextConfigWrite(301, "hostpci1", "unable to detach\n");
        assertThat(send("PUT", "/nodes/pve/qemu/301/config", "delete=hostpci0", TOKEN).statusCode()).isEqualTo(200);
        assertThat(simulator.vmConfig(301).orElseThrow()).doesNotContainKey("hostpci0");
        HttpResponse<String> delete = send("PUT", "/nodes/pve/qemu/301/config", "delete=hostpci1", TOKEN);
        assertThat(delete.statusCode()).isEqualTo(500);
        assertThat(SimulatorHttp.json(delete).path("message").asText()).isEqualTo("unable to detach\n");
        assertThat(simulator.vmConfig(301).orElseThrow()).containsEntry("hostpci1", "mapping=gpu");

        // another VM's writes are not affected
        simulator.failNextConfigWrite(301, "hostpci", "no\n");
        assertThat(send("PUT", "/nodes/pve/qemu/300/config", "hostpci1=mapping%3Dgpu", TOKEN).statusCode()).isEqualTo(200);
        assertThat(simulator.vmPending(300)).containsEntry("hostpci1", Optional.of("mapping=gpu"));
    }

    @Test
    void failsTheNextStartOfOneVm()
            throws Exception
    {
        simulator.setTaskDelay(Duration.ZERO);
        simulator.addVm(301, Map.of("name", "stopped"), false);
        simulator.addVm(302, Map.of("name", "other"), false);
        simulator.failNextStart(301, "start failed: QEMU exited with code 1");

        // the stop of VM 300 and the start of VM 302 are not the failing task
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/300/status/stop", "").asText())).isEqualTo("OK");
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/302/status/start", "").asText())).isEqualTo("OK");
        assertThat(simulator.vmStatus(302)).contains("running");

        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/301/status/start", "").asText())).isEqualTo("start failed: QEMU exited with code 1");
        assertThat(simulator.vmStatus(301)).contains("stopped");

        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/301/status/start", "").asText())).isEqualTo("OK");
        assertThat(simulator.vmStatus(301)).contains("running");
    }

    @Test
    void aStartFailureLeavesPendingChangesPending()
            throws Exception
    {
        simulator.setTaskDelay(Duration.ZERO);
        assertThat(send("PUT", "/nodes/pve/qemu/300/config", "hostpci1=mapping%3Dgpu", TOKEN).statusCode()).isEqualTo(200);
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/300/status/stop", "").asText())).isEqualTo("OK");
        simulator.failNextStart(300, "start failed: QEMU exited with code 1");
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/300/status/start", "").asText())).isEqualTo("start failed: QEMU exited with code 1");
        assertThat(simulator.vmStatus(300)).contains("stopped");
        assertThat(simulator.vmPending(300)).containsEntry("hostpci1", Optional.of("mapping=gpu"));
        assertThat(simulator.vmConfig(300).orElseThrow()).doesNotContainKey("hostpci1");
    }

    @Test
    void editsTheConfigDirectly()
            throws Exception
    {
        String before = digest(300);
        assertThat(send("PUT", "/nodes/pve/qemu/300/config", "hostpci1=mapping%3Dgpu", TOKEN).statusCode()).isEqualTo(200);
        String pending = digest(300);

        // applied at once on a running VM, and the pending value of that key is dropped
        simulator.setConfig(300, "hostpci1", Optional.of("mapping=gpu,pcie=1"));
        assertThat(simulator.vmConfig(300).orElseThrow()).containsEntry("hostpci1", "mapping=gpu,pcie=1");
        assertThat(simulator.vmPending(300)).isEmpty();
        assertThat(simulator.passedThroughMappings(300)).containsExactly("gpu");
        String edited = digest(300);
        assertThat(edited).isNotEqualTo(before).isNotEqualTo(pending);
        HttpResponse<String> stale = send("PUT", "/nodes/pve/qemu/300/config", "cores=4&digest=" + pending, TOKEN);
        assertThat(stale.statusCode()).isEqualTo(500);

        simulator.setConfig(300, "hostpci1", Optional.empty());
        assertThat(simulator.vmConfig(300).orElseThrow()).doesNotContainKey("hostpci1");
        assertThat(http.data("GET", "/nodes/pve/qemu/300/config", "").has("hostpci1")).isFalse();
        assertThat(digest(300)).isNotEqualTo(edited);
        assertThatThrownBy(() -> simulator.setConfig(999, "cores", Optional.of("1"))).hasMessage("no VM 999 in the simulator");
    }

    @Test
    void listsTheMappingsARunningVmHolds()
    {
        simulator.addVm(301, Map.of("hostpci3", "mapping=second,pcie=1", "hostpci1", "mapping=first", "hostpci2", "0000:07:00.0"), true);
        assertThat(simulator.passedThroughMappings(301)).containsExactly("first", "second");
        // a raw host address is not a mapping
        assertThat(simulator.passedThroughMappings(300)).isEmpty();
        simulator.setVmStatus(301, "stopped");
        assertThat(simulator.passedThroughMappings(301)).isEmpty();
        simulator.setVmStatus(301, "paused");
        assertThat(simulator.passedThroughMappings(301)).isEmpty();
    }

    @Test
    void refusesToStartAVmWithADeviceThatARunningVmHolds()
            throws Exception
    {
        simulator.setTaskDelay(Duration.ZERO);
        simulator.addPciMapping("card", "a card, every function", List.of("node=pve,path=0000:06:00,id=10de:1eb8"));
        simulator.addPciMapping("elsewhere", "another node's card", List.of("node=pve2,path=0000:06:00.0,id=10de:1eb8"));
        simulator.addVm(201, Map.of("name", "holder", "hostpci0", "mapping=card,pcie=1"), true);

        // a raw address of the same slot, pending: the start applies it
        simulator.addVm(202, Map.of("name", "raw"), false);
        simulator.setConfig(202, "hostpci0", Optional.of("06:00.0,pcie=1"));
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/202/status/start", "").asText()))
                .isEqualTo("PCI device '0000:06:00.0' already in use by VMID '201'");
        assertThat(simulator.vmStatus(202)).contains("stopped");

        // a mapping to a single function of the held slot, attached while stopped: pending is applied by the start
        simulator.addVm(203, Map.of("name", "mapped"), false);
        assertThat(send("PUT", "/nodes/pve/qemu/203/config", "hostpci1=mapping%3Dgpu", TOKEN).statusCode()).isEqualTo(200);
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/203/status/start", "").asText()))
                .isEqualTo("PCI device '0000:06:00.0' already in use by VMID '201'");
        assertThat(simulator.vmConfig(203).orElseThrow()).containsEntry("hostpci1", "mapping=gpu");

        // a slot mapping reports function 0; another node's entry holds nothing here
        simulator.addVm(204, Map.of("name", "slot", "hostpci0", "mapping=card"), false);
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/204/status/start", "").asText()))
                .isEqualTo("PCI device '0000:06:00.0' already in use by VMID '201'");
        simulator.addVm(205, Map.of("name", "other node", "hostpci0", "mapping=elsewhere"), false);
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/205/status/start", "").asText())).isEqualTo("OK");

        // a pending removal on the holder does not free the card; its stop does
        assertThat(send("PUT", "/nodes/pve/qemu/201/config", "delete=hostpci0", TOKEN).statusCode()).isEqualTo(200);
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/204/status/start", "").asText()))
                .isEqualTo("PCI device '0000:06:00.0' already in use by VMID '201'");
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/201/status/stop", "").asText())).isEqualTo("OK");
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/204/status/start", "").asText())).isEqualTo("OK");
        assertThat(simulator.vmStatus(204)).contains("running");
        // and now the old holder cannot take it back while 204 runs (its removal is still pending, the start applies it)
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/201/status/start", "").asText())).isEqualTo("OK");
        simulator.setVmStatus(201, "stopped");
        simulator.setConfig(201, "hostpci0", Optional.of("mapping=card"));
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/201/status/start", "").asText()))
                .isEqualTo("PCI device '0000:06:00.0' already in use by VMID '204'");
    }

    @Test
    void refusesToStartAVmWithPciExpressPassthroughOnAMachineThatIsNotQ35()
            throws Exception
    {
        simulator.setTaskDelay(Duration.ZERO);
        simulator.addPciMapping("card", "a card", List.of("node=pve,path=0000:06:00,id=10de:1eb8"));
        simulator.addVm(301, Map.of("name", "i440fx", "hostpci0", "mapping=card,pcie=1"), false);
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/301/status/start", "").asText())).isEqualTo("q35 machine model is not enabled");
        assertThat(simulator.vmStatus(301)).contains("stopped");

        simulator.setConfig(301, "machine", Optional.of("pc-q35-8.1"));
        assertThat(exitStatus(http.data("POST", "/nodes/pve/qemu/301/status/start", "").asText())).isEqualTo("OK");
    }

    private String exitStatus(String upid)
            throws Exception
    {
        JsonNode task = http.data("GET", "/nodes/pve/tasks/" + java.net.URLEncoder.encode(upid, java.nio.charset.StandardCharsets.UTF_8) + "/status", "");
        assertThat(task.path("status").asText()).isEqualTo("stopped");
        return task.path("exitstatus").asText();
    }
}
