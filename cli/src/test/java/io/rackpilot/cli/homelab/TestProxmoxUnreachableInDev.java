package io.rackpilot.cli.homelab;

import com.fasterxml.jackson.databind.JsonNode;
import io.rackpilot.cli.dev.DevHomelab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Proxmox API goes down under a running {@code rackctl dev} homelab (the simulator answers
 * every request with 500): what cannot be read is not drift. {@code plan diff} and
 * {@code gpu status} say the VMs are not compared, why and since when; no VM is missing, the card
 * is not "moved by hand", and nothing is moved, tainted or untainted because of it.
 */
class TestProxmoxUnreachableInDev
{
    private static final Path PLAN = Path.of("../docs/examples/homelab.yaml");

    @TempDir
    Path home;

    private DevHomelab dev;
    private Map<String, String> environment;

    @BeforeEach
    void setUp()
            throws Exception
    {
        dev = DevHomelab.start(PLAN, 0, 0, home.resolve(".config/rackpilot/dev"), Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        environment = Map.of("HOME", home.toString(), "RACKPILOT_COORDINATOR", "127.0.0.1:" + dev.coordinator().grpcPort());
        TestHomelab.awaitCondition("the homelab in sync", Duration.ofSeconds(60), () -> rackctl("plan", "diff").exitCode() == 0
                && status().path("state").asText().equals("ok")
                && dev.coordinator().placements().settled().getOrDefault("tesla-t4", 0) == 201
                && Stream.of("k8s-node1", "k8s-node2", "k8s-node3").allMatch(this::kubernetesFound));
    }

    @AfterEach
    void tearDown()
    {
        dev.close();
    }

    @Test
    void anUnreachableProxmoxApiIsNotComparedAndNothingActsOnIt()
    {
        Instant before = Instant.now();
        dev.proxmox().failNextRequests(Integer.MAX_VALUE);
        refreshHost();
        TestHomelab.awaitCondition("pve reports the API error", Duration.ofSeconds(60), () -> !inventory("pve").at("/proxmox/error").asText().isEmpty());
        JsonNode proxmox = inventory("pve").get("proxmox");
        assertThat(proxmox.get("error").asText()).contains("HTTP 500");
        Instant since = Instant.parse(proxmox.get("errorSince").asText());
        assertThat(since).isAfterOrEqualTo(before.minusSeconds(1));
        assertThat(proxmox.has("vms") && proxmox.get("vms").size() > 0).isFalse();
        assertThat(rackctl("inventory", "pve").out()).contains("Proxmox:    node pve (API error since " + since + ": ").contains("; VMs unknown)");

        TestHomelab.RackctlResult diff = rackctl("plan", "diff");
        assertThat(diff.exitCode()).as(diff.out() + diff.err()).isZero();
        assertThat(diff.out()).doesNotContain("vm-missing").doesNotContain("gpu-assignment").doesNotContain("moved by hand")
                .contains("not compared: VMs: pve cannot read the Proxmox API since " + since)
                .contains("not compared: GPU tesla-t4: which VM holds it is not known: pve cannot read the Proxmox API since " + since);
        JsonNode json = TestHomelab.json(rackctl("plan", "diff", "-o", "json").out());
        assertThat(json.get("items")).isEmpty();
        assertThat(json.get("unknown").toString()).contains("HTTP 500");

        JsonNode status = status();
        assertThat(status.get("state").asText()).isEqualTo("unknown");
        assertThat(status.get("detail").asText()).contains("pve cannot read the Proxmox API since " + since).contains("HTTP 500");
        assertThat(status.path("vmid").asInt()).as("no VM is known to hold it").isZero();
        TestHomelab.RackctlResult table = rackctl("gpu", "status");
        assertThat(table.out()).doesNotContain("drift").doesNotContain("moved by hand");

        // A move cannot start without knowing where the card is; the refusal says why.
        TestHomelab.RackctlResult move = rackctl("gpu", "move", "tesla-t4", "--to", "202", "--dry-run");
        assertThat(move.exitCode()).isEqualTo(2);
        assertThat(move.err()).contains("pve cannot read the Proxmox API since " + since);

        // Nothing was acted on: no move, the card where it was, the taint still on k8s-node1.
        assertThat(dev.coordinator().moves().list()).isEmpty();
        assertThat(dev.coordinator().placements().settled()).containsEntry("tesla-t4", 201);
        assertThat(dev.kubernetes().node("k8s-node1").orElseThrow().at("/spec/taints").toString()).contains("nvidia.com/gpu");

        // The API comes back: compared again, in sync, still nothing moved.
        dev.proxmox().failNextRequests(0);
        refreshHost();
        TestHomelab.awaitCondition("back in sync", Duration.ofSeconds(60), () -> inventory("pve").at("/proxmox/error").asText().isEmpty()
                && status().path("state").asText().equals("ok"));
        TestHomelab.RackctlResult again = rackctl("plan", "diff");
        assertThat(again.exitCode()).as(again.out()).isZero();
        assertThat(again.out()).doesNotContain("not compared: VMs").doesNotContain("not compared: GPU");
        assertThat(inventory("pve").get("proxmox").has("errorSince")).isFalse();
        assertThat(dev.coordinator().moves().list()).isEmpty();
    }

    private void refreshHost()
    {
        TestHomelab.RackctlResult refresh = rackctl("exec", "pve", "inventory.refresh", "--wait");
        assertThat(refresh.exitCode()).as(refresh.out() + refresh.err()).isZero();
    }

    private JsonNode inventory(String agent)
    {
        TestHomelab.RackctlResult inventory = rackctl("inventory", agent, "-o", "json");
        return inventory.exitCode() == 0 ? TestHomelab.json(inventory.out()) : TestHomelab.json("{}");
    }

    private JsonNode status()
    {
        return TestHomelab.json(rackctl("gpu", "status", "-o", "json").out()).path(0);
    }

    private boolean kubernetesFound(String node)
    {
        return inventory(node).at("/kubernetes/state").asText().equals("found");
    }

    private TestHomelab.RackctlResult rackctl(String... arguments)
    {
        return TestHomelab.rackctl(environment, arguments);
    }
}
