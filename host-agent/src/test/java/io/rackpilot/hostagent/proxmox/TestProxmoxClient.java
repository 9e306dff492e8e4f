package io.rackpilot.hostagent.proxmox;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

final class TestProxmoxClient
{
    @TempDir
    Path directory;

    private SimulatedProxmox proxmox;
    private ProxmoxClient client;

    @BeforeEach
    void start()
            throws IOException
    {
        proxmox = new SimulatedProxmox(directory);
        client = proxmox.client;
    }

    @AfterEach
    void stop()
    {
        proxmox.close();
    }

    @Test
    void listsThePlannedVms()
            throws Exception
    {
        List<VmSummary> vms = client.listVms();
        assertThat(vms).extracting(VmSummary::vmid).containsExactly(101, 102, 103, 200, 201, 202, 203, 204, 220);
        VmSummary worker = vms.get(4);
        assertThat(worker.name()).isEqualTo("k8s-node1");
        assertThat(worker.running()).isTrue();
        assertThat(worker.cpus()).isEqualTo(16);
        assertThat(worker.maxMemoryBytes()).isEqualTo(32L << 30);

        VmConfig config = client.vmConfig(201);
        assertThat(config.digest()).hasSize(40);
        assertThat(config.memoryMebibytes()).hasValue(32768);
        assertThat(config.smbiosUuid()).contains("4d2b7e10-5a1c-4c8e-9f00-000000000201");
        assertThat(config.hostPci().get(0).mapping()).contains("tesla-t4");
        assertThat(config.networkDevices().get(0).bridge()).isEqualTo("vmbr1");
        assertThat(config.networkDevices().get(0).vlan()).hasValue(20);
        assertThat(client.vmStatus(201)).isEqualTo("running");

        assertThat(client.pciMappings()).singleElement().satisfies(mapping -> {
            assertThat(mapping.id()).isEqualTo("tesla-t4");
            assertThat(mapping.entryFor("pve").orElseThrow().addresses()).containsExactly("0000:06:00");
            assertThat(mapping.entryFor("pve").orElseThrow().id()).isEqualTo("10de:1eb8");
        });
        // the card and its HD audio function
        assertThat(client.hardwarePci()).extracting(HardwarePciDevice::address, HardwarePciDevice::vendorDevice)
                .containsExactly(tuple("0000:06:00.0", "10de:1eb8"), tuple("0000:06:00.1", "10de:10fa"));
    }

    @Test
    void retriesReadsAfterA5xxButNeverAfterA4xx()
            throws Exception
    {
        proxmox.simulator.failNextRequests(1);
        int before = proxmox.simulator.requestCount();
        assertThat(client.listVms()).hasSize(9);
        assertThat(proxmox.simulator.requestCount() - before).isEqualTo(2);

        int beforeBadRequest = proxmox.simulator.requestCount();
        assertThatThrownBy(() -> client.vmConfig(99))
                .isInstanceOfSatisfying(ProxmoxException.class, error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.errors()).containsKey("vmid");
                });
        assertThat(proxmox.simulator.requestCount() - beforeBadRequest).isEqualTo(1);

        proxmox.simulator.failNextRequests(10);
        assertThatThrownBy(() -> client.listVms()).isInstanceOfSatisfying(ProxmoxException.class, error -> assertThat(error.status()).isEqualTo(500));
        proxmox.simulator.failNextRequests(0);
    }

    @Test
    void digestGuardsConfigWrites()
            throws Exception
    {
        VmConfig config = client.vmConfig(202);
        client.updateConfig(202, Map.of("cores", "10"), List.of(), Optional.of(config.digest()));
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow()).containsEntry("cores", "10");
        assertThatThrownBy(() -> client.updateConfig(202, Map.of("cores", "12"), List.of(), Optional.of(config.digest())))
                .isInstanceOfSatisfying(ProxmoxException.class, error -> assertThat(error.isDigestConflict()).isTrue());
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow()).containsEntry("cores", "10");
    }

    @Test
    void followsTasksToTheirEnd()
            throws Exception
    {
        String upid = client.shutdown(202, Duration.ofSeconds(5), false);
        assertThat(upid).startsWith("UPID:pve:").contains(":qmshutdown:202:rackpilot@pve!host-agent:");
        assertThat(client.awaitTask(upid, Duration.ofSeconds(5)).succeeded()).isTrue();
        assertThat(client.vmStatus(202)).isEqualTo("stopped");

        proxmox.simulator.failNextTask("start failed: QEMU exited with code 1");
        TaskStatus failed = client.awaitTask(client.start(202), Duration.ofSeconds(5));
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.exitStatus()).contains("start failed: QEMU exited with code 1");
        assertThat(client.vmStatus(202)).isEqualTo("stopped");
    }

    @Test
    void refusesAWrongTokenAndAnUntrustedServer()
            throws Exception
    {
        Path wrongToken = Files.writeString(directory.resolve("wrong"), "rackpilot@pve!host-agent=not-the-secret");
        ProxmoxClient wrong = new ProxmoxClient(proxmox.simulator.apiUrl(), "pve", ProxmoxToken.read(wrongToken), proxmox.simulator.caCertificate(), Duration.ofSeconds(5));
        assertThatThrownBy(wrong::listVms)
                .isInstanceOfSatisfying(ProxmoxException.class, error -> assertThat(error.status()).isEqualTo(401))
                .hasMessageNotContaining("not-the-secret")
                .hasMessage("Proxmox API HTTP 401: GET /nodes/pve/qemu: authentication failure: Proxmox did not accept the API token rackpilot@pve!host-agent"
                        + " from the Proxmox API token file " + wrongToken + "; check that it holds the whole token, USER@REALM!TOKENID=SECRET,"
                        + " and that the token exists on Proxmox and has not expired (Datacenter, Permissions, API Tokens)");

        Path otherCa = directory.resolve("other");
        Files.createDirectories(otherCa);
        try (io.rackpilot.sim.proxmox.ProxmoxSimulator other = io.rackpilot.sim.proxmox.ProxmoxSimulator.start("pve", java.util.Set.of(SimulatedProxmox.TOKEN), otherCa)) {
            ProxmoxClient untrusting = new ProxmoxClient(other.apiUrl(), "pve", ProxmoxToken.parse(SimulatedProxmox.TOKEN, "test"), proxmox.simulator.caCertificate(), Duration.ofSeconds(5));
            assertThatThrownBy(untrusting::listVms).isInstanceOfSatisfying(ProxmoxException.class, error -> assertThat(error.status()).isEqualTo(0))
                    .hasMessage("Proxmox API unreachable: GET /nodes/pve/qemu: the TLS certificate of the Proxmox API at " + other.apiUrl().getAuthority()
                            + " was not signed by a CA in the CA file " + proxmox.simulator.caCertificate()
                            + "; set proxmox.caFile to the CA that signed it (on a Proxmox host /etc/pve/pve-root-ca.pem)")
                    .hasMessageNotContaining("PKIX");
        }
        assertThatThrownBy(() -> ProxmoxClient.trusting(directory.resolve("no-such-ca.pem"))).hasMessageContaining("no-such-ca.pem");
    }

    @Test
    void anErrorWithoutAMessageSaysSoAndAPermissionErrorNamesTheToken()
            throws Exception
    {
        // a read is tried four times on a 5xx
        failNextRequests(4);
        assertThatThrownBy(() -> client.vmConfig(201))
                .isInstanceOfSatisfying(ProxmoxException.class, error -> assertThat(error.status()).isEqualTo(500))
                .hasMessage("Proxmox API HTTP 500: GET /nodes/pve/qemu/201/config: the API gave no reason (see the Proxmox host's log: journalctl -u pveproxy -u pvedaemon)")
                .hasMessageNotContaining("null");

        proxmox.simulator.failNextRequest(403, Optional.of("Permission check failed (/vms/201, VM.Config.HW)\n"));
        assertThatThrownBy(() -> client.updateConfig(201, Map.of("cores", "4"), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(ProxmoxException.class, error -> assertThat(error.status()).isEqualTo(403))
                .hasMessage("Proxmox API HTTP 403: PUT /nodes/pve/qemu/201/config: Permission check failed (/vms/201, VM.Config.HW): the API token rackpilot@pve!host-agent"
                        + " lacks a privilege for this; check the token's privileges (and, with privilege separation, its user's) on the path named");
    }

    @Test
    void theCollectorLogsEachChangeOfTheApisStateOnce()
            throws Exception
    {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(ProxmoxCollector.class.getName());
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler()
        {
            @Override
            public void publish(java.util.logging.LogRecord record)
            {
                logged.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        try {
            ProxmoxCollector collector = new ProxmoxCollector(client);
            failNextRequests(4);
            io.rackpilot.proto.v1.Inventory.Builder failed = io.rackpilot.proto.v1.Inventory.newBuilder();
            collector.collect(failed);
            assertThat(failed.getProxmox().getError()).startsWith("Proxmox API HTTP 500: GET /cluster/mapping/pci: the API gave no reason");
            failNextRequests(4);
            collector.collect(io.rackpilot.proto.v1.Inventory.newBuilder());
            collector.collect(io.rackpilot.proto.v1.Inventory.newBuilder());
            assertThat(logged).containsExactly(
                    "WARNING cannot read the VMs of Proxmox node pve: " + failed.getProxmox().getError(),
                    "INFO the Proxmox API of node pve answers again");
        }
        finally {
            logger.removeHandler(handler);
        }
    }

    private void failNextRequests(int count)
    {
        for (int index = 0; index < count; index++) {
            proxmox.simulator.failNextRequest(500, Optional.empty());
        }
    }
}
