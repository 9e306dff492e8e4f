package io.rackpilot.sim.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.sim.gpu.SimulatedGpuSource;
import io.rackpilot.sim.proxmox.ProxmoxSimulator;
import io.rackpilot.sim.proxmox.SimulatorHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

final class TestPassedThroughGpus
{
    private static final String TOKEN = "rackpilot@pve!test=secret-1";

    @TempDir
    Path directory;

    private HomelabPlan plan;
    private ProxmoxSimulator proxmox;
    private SimulatorHttp http;

    @BeforeEach
    void start()
            throws Exception
    {
        plan = PlanLoader.load(Path.of("..", "docs", "examples", "homelab.yaml"));
        proxmox = ProxmoxSimulator.fromPlan(plan, Set.of(TOKEN), directory);
        proxmox.setTaskDelay(Duration.ZERO);
        http = new SimulatorHttp(proxmox, TOKEN);
    }

    @AfterEach
    void stop()
    {
        proxmox.close();
    }

    @Test
    void eachPlannedCardComesWithItsAudioFunctionAndASlotMapping()
            throws Exception
    {
        JsonNode devices = http.data("GET", "/nodes/pve/hardware/pci", "");
        assertThat(devices.findValuesAsText("id")).containsExactly("0000:06:00.0", "0000:06:00.1");
        assertThat(devices.get(1).path("class").asText()).isEqualTo("0x040300");
        assertThat(devices.get(1).path("device").asText()).isEqualTo("0x10fa");
        assertThat(devices.get(1).path("iommugroup").asInt()).isEqualTo(devices.get(0).path("iommugroup").asInt());
        JsonNode mapping = http.data("GET", "/cluster/mapping/pci/tesla-t4", "");
        assertThat(mapping.path("map").get(0).asText()).isEqualTo("node=pve,path=0000:06:00,id=10de:1eb8,iommugroup=40");
    }

    @Test
    void kubernetesNodesAreQ35Machines()
    {
        assertThat(proxmox.vmConfig(201).orElseThrow()).containsEntry("machine", "q35");
        assertThat(proxmox.vmConfig(200).orElseThrow()).containsEntry("machine", "q35");
        // pfsense is not a Kubernetes node: Proxmox' default i440fx
        assertThat(proxmox.vmConfig(101).orElseThrow()).doesNotContainKey("machine");
    }

    @Test
    void theGpuFollowsTheCardFromVmToVm()
            throws Exception
    {
        SimulatedGpuSource node1 = new SimulatedGpuSource(new PassedThroughGpus(plan, proxmox, 201), Clock.systemUTC());
        SimulatedGpuSource node2 = new SimulatedGpuSource(new PassedThroughGpus(plan, proxmox, 202), Clock.systemUTC());
        List<Gpu> before = node1.poll().getItemsList();
        assertThat(before).singleElement().satisfies(gpu -> {
            assertThat(gpu.getName()).isEqualTo("Tesla T4");
            assertThat(gpu.getPciBusId()).isEqualTo("00000000:01:00.0");
        });
        String uuid = before.get(0).getUuid();
        assertThat(node2.poll().getItemsList()).isEmpty();

        // detach from 201 and attach to 202 while both run: both changes are pending
        assertThat(http.send("PUT", "/nodes/pve/qemu/201/config", "delete=hostpci0").statusCode()).isEqualTo(200);
        assertThat(http.send("PUT", "/nodes/pve/qemu/202/config", "hostpci0=mapping%3Dtesla-t4%2Cpcie%3D1").statusCode()).isEqualTo(200);
        assertThat(proxmox.passedThroughMappings(201)).containsExactly("tesla-t4");
        assertThat(proxmox.passedThroughMappings(202)).isEmpty();
        assertThat(uuids(node1.poll())).containsExactly(uuid);
        assertThat(uuids(node2.poll())).isEmpty();

        // a stopped VM's guest sees nothing; 202 still runs without the card
        task("/nodes/pve/qemu/201/status/shutdown");
        assertThat(uuids(node1.poll())).isEmpty();
        assertThat(uuids(node2.poll())).isEmpty();

        // 202's stop and start apply its pending attach: the same card, with its own UUID
        task("/nodes/pve/qemu/202/status/stop");
        assertThat(uuids(node2.poll())).isEmpty();
        task("/nodes/pve/qemu/202/status/start");
        assertThat(proxmox.passedThroughMappings(202)).containsExactly("tesla-t4");
        assertThat(uuids(node2.poll())).containsExactly(uuid);

        // 201 starts again with its pending detach applied
        task("/nodes/pve/qemu/201/status/start");
        assertThat(proxmox.vmConfig(201).orElseThrow()).doesNotContainKey("hostpci0");
        assertThat(uuids(node1.poll())).isEmpty();
    }

    @Test
    void aRebootAppliesAPendingAttach()
            throws Exception
    {
        PassedThroughGpus node2 = new PassedThroughGpus(plan, proxmox, 202);
        proxmox.setConfig(201, "hostpci0", java.util.Optional.empty());
        assertThat(http.send("PUT", "/nodes/pve/qemu/202/config", "hostpci0=mapping%3Dtesla-t4%2Cpcie%3D1").statusCode()).isEqualTo(200);
        assertThat(node2.get()).isEmpty();
        task("/nodes/pve/qemu/202/status/reboot");
        assertThat(node2.get()).extracting(io.rackpilot.plan.Gpu::id).containsExactly("tesla-t4");
        // a mapping the plan does not name is no card of this view
        proxmox.addPciMapping("other", "not planned", List.of("node=pve,path=0000:07:00.0"));
        proxmox.setConfig(202, "hostpci1", java.util.Optional.of("mapping=other"));
        assertThat(proxmox.passedThroughMappings(202)).containsExactly("tesla-t4", "other");
        assertThat(node2.get()).extracting(io.rackpilot.plan.Gpu::id).containsExactly("tesla-t4");
    }

    private void task(String path)
            throws Exception
    {
        String upid = http.data("POST", path, "").asText();
        String status = http.data("GET", "/nodes/pve/tasks/" + URLEncoder.encode(upid, StandardCharsets.UTF_8) + "/status", "").path("exitstatus").asText();
        assertThat(status).as(path).isEqualTo("OK");
    }

    private static List<String> uuids(Gpus gpus)
    {
        return gpus.getItemsList().stream().map(Gpu::getUuid).toList();
    }
}
