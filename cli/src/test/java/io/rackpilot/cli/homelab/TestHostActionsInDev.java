package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rackpilot.cli.dev.DevHomelab;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.PlanLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rackctl exec pve ...} end to end in dev mode: the host-agent drives the simulated Proxmox
 * VE API through the real client (HTTPS, token from a file) and reads the simulated host's sysfs.
 */
class TestHostActionsInDev
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private DevHomelab dev;
    private Map<String, String> environment;

    @BeforeEach
    void setUp()
            throws Exception
    {
        HomelabPlan plan = PlanLoader.load(Path.of("../docs/examples/homelab.yaml"));
        dev = DevHomelab.start(plan, 0, 0, home.resolve(".config/rackpilot/dev"), Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        environment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
        TestHomelab.awaitCondition("the host-agent reported its VMs", () -> {
            TestHomelab.RackctlResult inventory = rackctl("inventory", "pve", "-o", "json");
            return inventory.exitCode() == 0 && inventory.out().contains("\"k8s-node3\"");
        });
    }

    @AfterEach
    void tearDown()
    {
        dev.close();
    }

    @Test
    void vmsDevicesAndPowerActions()
            throws Exception
    {
        JsonNode inventory = JSON.readTree(rackctl("inventory", "pve", "-o", "json").out());
        assertThat(inventory.at("/proxmox/node").asText()).isEqualTo("pve");
        assertThat(inventory.at("/proxmox/vms")).hasSize(9);
        JsonNode node1 = vm(inventory, 201);
        assertThat(node1.get("smbiosUuid").asText()).isEqualTo("4d2b7e10-5a1c-4c8e-9f00-000000000201");
        assertThat(node1.at("/hostpci/0/mapping").asText()).isEqualTo("tesla-t4");
        assertThat(node1.at("/hostpci/0/addresses/0").asText()).isEqualTo("0000:06:00");
        assertThat(node1.at("/networkDevices/0/bridge").asText()).isEqualTo("vmbr1");
        assertThat(node1.at("/networkDevices/0/vlan").asInt()).isEqualTo(20);
        JsonNode t4 = inventory.at("/pciDevices/0");
        assertThat(t4.get("address").asText()).isEqualTo("0000:06:00.0");
        assertThat(t4.get("driver").asText()).isEqualTo("vfio-pci");
        assertThat(t4.get("vmid").asInt()).isEqualTo(201);
        assertThat(t4.get("mappings").get(0).asText()).isEqualTo("tesla-t4");

        String table = rackctl("inventory", "pve").out();
        assertThat(table).contains("Proxmox:    node pve").contains("k8s-node1").contains("hostpci0=mapping=tesla-t4,pcie=1")
                .contains("0000:06:00.0").contains("vfio-pci").contains("201 (hostpci0)").contains("tesla-t4");

        TestHomelab.RackctlResult shutdown = rackctl("exec", "pve", "vm.shutdown", "--set", "vmid=203", "--wait", "-o", "json");
        assertThat(shutdown.exitCode()).as(shutdown.err()).isZero();
        JsonNode record = JSON.readTree(shutdown.out());
        assertThat(record.at("/result/changed").asBoolean()).isTrue();
        assertThat(record.at("/result/result/vmShutdown/statusAfter").asText()).isEqualTo("stopped");
        JsonNode again = JSON.readTree(rackctl("exec", "pve", "vm.shutdown", "--set", "vmid=203", "--wait", "-o", "json").out());
        assertThat(again.get("state").asText()).isEqualTo("succeeded");
        assertThat(again.at("/result/changed").asBoolean()).as("already stopped").isFalse();
        assertThat(rackctl("exec", "pve", "vm.start", "--set", "vmid=203", "--dry-run", "--wait").out()).contains("dry run");

        TestHomelab.RackctlResult badVmid = rackctl("exec", "pve", "vm.start", "--set", "vmid=42", "--wait");
        assertThat(badVmid.exitCode()).isEqualTo(1);
        assertThat(badVmid.out()).contains("rejected").contains("vmid: must be between 100 and 999999999, got 42");
    }

    @Test
    void passthroughMovesTheMappingAndSaysARestartIsNeeded()
            throws Exception
    {
        JsonNode detach = JSON.readTree(rackctl("exec", "pve", "pci.passthrough.detach", "--set", "vmid=201", "--set", "mapping=tesla-t4", "--wait", "-o", "json").out());
        assertThat(detach.get("state").asText()).isEqualTo("succeeded");
        assertThat(detach.at("/result/result/pciPassthroughDetach/restartNeeded").asBoolean()).isTrue();

        TestHomelab.RackctlResult raw = rackctl("exec", "pve", "pci.passthrough.attach", "--set", "vmid=204", "--set", "address=0000:06:00.0", "--wait");
        assertThat(raw.exitCode()).isEqualTo(1);
        assertThat(raw.out()).contains("only root can set 'hostpci0' config for non-mapped devices").contains("Use a PCI resource mapping");

        // VM 201 runs with the card until it stops: its removal is pending, so nobody else may have it yet
        TestHomelab.RackctlResult stillHeld = rackctl("exec", "pve", "pci.passthrough.attach", "--set", "vmid=202", "--set", "mapping=tesla-t4", "--set", "pcie=true", "--wait");
        assertThat(stillHeld.exitCode()).isEqualTo(1);
        assertThat(stillHeld.out()).contains("is still held by running VM 201 (k8s-node1) at hostpci0: its removal is pending until VM 201 is stopped");
        assertThat(rackctl("exec", "pve", "vm.stop", "--set", "vmid=201", "--wait").exitCode()).isEqualTo(0);

        JsonNode attach = JSON.readTree(rackctl("exec", "pve", "pci.passthrough.attach", "--set", "vmid=202", "--set", "mapping=tesla-t4", "--set", "pcie=true", "--wait", "-o", "json").out());
        assertThat(attach.get("state").asText()).isEqualTo("succeeded");
        assertThat(attach.at("/result/result/pciPassthroughAttach/value").asText()).isEqualTo("mapping=tesla-t4,pcie=1");
        assertThat(attach.at("/result/result/pciPassthroughAttach/restartNeeded").asBoolean()).isTrue();
        JsonNode repeated = JSON.readTree(rackctl("exec", "pve", "pci.passthrough.attach", "--set", "vmid=202", "--set", "mapping=tesla-t4", "--set", "pcie=true", "--wait", "-o", "json").out());
        assertThat(repeated.at("/result/changed").asBoolean()).isFalse();

        TestHomelab.RackctlResult held = rackctl("exec", "pve", "pci.passthrough.attach", "--set", "vmid=204", "--set", "mapping=tesla-t4", "--wait");
        assertThat(held.exitCode()).isEqualTo(1);
        assertThat(held.out()).contains("is held by running VM 202 (k8s-node2)");

        JsonNode bind = JSON.readTree(rackctl("exec", "pve", "pci.driver.bind", "--set", "address=0000:06:00.0", "--set", "driver=vfio-pci", "--wait", "-o", "json").out());
        assertThat(bind.get("state").asText()).isEqualTo("succeeded");
        assertThat(bind.at("/result/changed").asBoolean()).as("already bound to vfio-pci").isFalse();
    }

    private TestHomelab.RackctlResult rackctl(String... arguments)
    {
        return TestHomelab.rackctl(environment, arguments);
    }

    private static JsonNode vm(JsonNode inventory, int vmid)
    {
        for (JsonNode vm : inventory.at("/proxmox/vms")) {
            if (vm.get("vmid").asInt() == vmid) {
                return vm;
            }
        }
        throw new AssertionError("no VM " + vmid);
    }
}
