package io.rackpilot.hostagent.proxmox;

import com.google.protobuf.Duration;
import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.PciMappingEnsureAction;
import io.rackpilot.proto.v1.PciPassthroughAttachAction;
import io.rackpilot.proto.v1.PciPassthroughDetachAction;
import io.rackpilot.proto.v1.ProxmoxInfo;
import io.rackpilot.proto.v1.ProxmoxVm;
import io.rackpilot.proto.v1.VmShutdownAction;
import io.rackpilot.proto.v1.VmStartAction;
import io.rackpilot.proto.v1.VmStopAction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestProxmoxHandlers
{
    @TempDir
    Path directory;

    private SimulatedProxmox proxmox;
    private ProxmoxClient client;
    private final List<String> preflightChecks = new ArrayList<>();

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

    private PciPassthroughAttachHandler attachHandler()
    {
        return new PciPassthroughAttachHandler(client, address -> preflightChecks.add(address));
    }

    private static PreparedAction.Applied run(ActionHandler handler, Action action)
            throws ActionException, InterruptedException
    {
        PreparedAction prepared = handler.prepare(action);
        if (prepared.alreadyInPlace()) {
            return new PreparedAction.Applied(false, prepared.summary(), prepared.preview());
        }
        return prepared.apply();
    }

    private static Action attach(PciPassthroughAttachAction.Builder attach)
    {
        return Action.newBuilder().setPciPassthroughAttach(attach).build();
    }

    private static Action detach(PciPassthroughDetachAction.Builder detach)
    {
        return Action.newBuilder().setPciPassthroughDetach(detach).build();
    }

    @Test
    void movesTheMappedGpuBetweenStoppedVms()
            throws Exception
    {
        proxmox.simulator.setVmStatus(201, "stopped");
        proxmox.simulator.setVmStatus(202, "stopped");

        PreparedAction.Applied detached = run(new PciPassthroughDetachHandler(client), detach(PciPassthroughDetachAction.newBuilder().setVmid(201).setMapping("tesla-t4")));
        assertThat(detached.changed()).isTrue();
        assertThat(detached.result().getPciPassthroughDetach().getSlot()).isEqualTo(0);
        assertThat(detached.result().getPciPassthroughDetach().getValue()).isEqualTo("mapping=tesla-t4,pcie=1");
        assertThat(detached.result().getPciPassthroughDetach().getRestartNeeded()).isFalse();
        assertThat(proxmox.simulator.vmConfig(201).orElseThrow()).doesNotContainKey("hostpci0");

        PreparedAction.Applied attached = run(attachHandler(), attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4").setPcie(true)));
        assertThat(attached.changed()).isTrue();
        assertThat(attached.result().getPciPassthroughAttach().getRestartNeeded()).isFalse();
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        // the mapping passes the whole slot (every function of the card)
        assertThat(preflightChecks).containsExactly("0000:06:00");

        // Idempotent both ways.
        assertThat(run(attachHandler(), attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4").setPcie(true))).changed()).isFalse();
        assertThat(run(new PciPassthroughDetachHandler(client), detach(PciPassthroughDetachAction.newBuilder().setVmid(201).setMapping("tesla-t4"))).changed()).isFalse();
    }

    @Test
    void aChangeOnARunningVmIsPendingUntilStopAndStart()
            throws Exception
    {
        proxmox.simulator.setVmStatus(201, "stopped");
        run(new PciPassthroughDetachHandler(client), detach(PciPassthroughDetachAction.newBuilder().setVmid(201).setMapping("tesla-t4")));

        PreparedAction.Applied attached = run(attachHandler(), attach(PciPassthroughAttachAction.newBuilder().setVmid(203).setMapping("tesla-t4").setPcie(true)));
        assertThat(attached.result().getPciPassthroughAttach().getRestartNeeded()).isTrue();
        assertThat(proxmox.simulator.vmConfig(203).orElseThrow()).doesNotContainKey("hostpci0");
        assertThat(proxmox.simulator.vmPending(203)).containsEntry("hostpci0", Optional.of("mapping=tesla-t4,pcie=1"));

        Inventory.Builder inventory = Inventory.newBuilder();
        new ProxmoxCollector(client).collect(inventory);
        ProxmoxVm vm203 = inventory.getProxmox().getVmsList().stream().filter(vm -> vm.getVmid() == 203).findFirst().orElseThrow();
        assertThat(vm203.getPendingList()).containsExactly("hostpci0");

        // Attaching again while it is pending changes nothing and still says a restart is needed.
        PreparedAction again = attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(203).setMapping("tesla-t4").setPcie(true)));
        assertThat(again.alreadyInPlace()).isTrue();
        assertThat(again.preview().getPciPassthroughAttach().getRestartNeeded()).isTrue();

        run(new VmPowerHandler(client, VmPowerHandler.Operation.STOP), Action.newBuilder().setVmStop(VmStopAction.newBuilder().setVmid(203)).build());
        assertThat(proxmox.simulator.vmConfig(203).orElseThrow()).doesNotContainKey("hostpci0");
        run(new VmPowerHandler(client, VmPowerHandler.Operation.START), Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(203)).build());
        assertThat(proxmox.simulator.vmConfig(203).orElseThrow()).containsEntry("hostpci0", "mapping=tesla-t4,pcie=1");
        assertThat(proxmox.simulator.vmPending(203)).isEmpty();
    }

    @Test
    void aRawAddressIsRefusedForAnApiToken()
            throws Exception
    {
        proxmox.simulator.setVmStatus(201, "stopped");
        Map<String, String> before = proxmox.simulator.vmConfig(202).orElseThrow();
        // prepare runs for a dry run and a real run alike: both are refused, as Proxmox refuses every token
        int requests = proxmox.simulator.requestCount();
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setAddress("0000:06:00.0").setPcie(true))))
                .isInstanceOfSatisfying(ActionException.class, error -> assertThat(error.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessage("Proxmox refuses to set hostpci0=0000:06:00.0,pcie=1 on VM 202: a raw host PCI address can be set or removed only by root@pam with a password,"
                        + " never with an API token. Use a PCI resource mapping instead (pci.mapping.ensure, then attach with mapping=ID)."
                        + " Proxmox says: only root can set 'hostpci0' config for non-mapped devices");
        assertThat(proxmox.simulator.requestCount()).as("only reads were sent").isGreaterThan(requests);
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow()).isEqualTo(before);

        // Proxmox' own answer, had it been asked, is the same refusal
        assertThatThrownBy(() -> client.updateConfig(202, Map.of("hostpci0", "0000:06:00.0,pcie=1"), List.of(), Optional.empty()))
                .isInstanceOfSatisfying(ProxmoxException.class, error -> assertThat(error.isRawPciRefusal()).isTrue())
                .hasMessageContaining("only root can set 'hostpci0' config for non-mapped devices");

        // removing a raw address (root put it there) is refused the same way, before anything is written
        proxmox.simulator.setConfig(204, "hostpci1", Optional.of("0000:07:00.0"));
        assertThatThrownBy(() -> new PciPassthroughDetachHandler(client).prepare(detach(PciPassthroughDetachAction.newBuilder().setVmid(204).setSlot(1))))
                .isInstanceOfSatisfying(ActionException.class, error -> assertThat(error.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessageStartingWith("Proxmox refuses to remove hostpci1 on VM 204: a raw host PCI address can be set or removed only by root@pam")
                .hasMessageEndingWith("Proxmox says: only root can set 'hostpci1' config for non-mapped devices");
        assertThat(proxmox.simulator.vmConfig(204).orElseThrow()).containsEntry("hostpci1", "0000:07:00.0");
    }

    @Test
    void pcieOnAVmThatIsNotQ35IsRefused()
            throws Exception
    {
        proxmox.simulator.setVmStatus(201, "stopped");
        run(new PciPassthroughDetachHandler(client), detach(PciPassthroughDetachAction.newBuilder().setVmid(201).setMapping("tesla-t4")));
        proxmox.simulator.setVmStatus(204, "stopped");
        proxmox.simulator.setConfig(204, "machine", Optional.empty());

        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(204).setMapping("tesla-t4").setPcie(true))))
                .isInstanceOfSatisfying(ActionException.class, error -> assertThat(error.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessage("pcie: VM 204 has machine type i440fx (Proxmox' default), but pcie=1 (PCI Express passthrough) needs a q35 machine:"
                        + " Proxmox would refuse to start it (q35 machine model is not enabled). Set `qm set 204 --machine q35` (the guest sees new hardware) or attach without pcie");
        proxmox.simulator.setConfig(204, "machine", Optional.of("pc-i440fx-8.1"));
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(204).setMapping("tesla-t4").setPcie(true))))
                .hasMessageStartingWith("pcie: VM 204 has machine type pc-i440fx-8.1, but pcie=1");
        assertThat(proxmox.simulator.vmConfig(204).orElseThrow()).doesNotContainKey("hostpci0");

        // without pcie it goes; on a q35 machine with pcie too
        assertThat(run(attachHandler(), attach(PciPassthroughAttachAction.newBuilder().setVmid(204).setMapping("tesla-t4"))).changed()).isTrue();
        proxmox.simulator.setConfig(204, "hostpci0", Optional.empty());
        proxmox.simulator.setConfig(204, "machine", Optional.of("pc-q35-8.1,viommu=intel"));
        assertThat(run(attachHandler(), attach(PciPassthroughAttachAction.newBuilder().setVmid(204).setMapping("tesla-t4").setPcie(true))).changed()).isTrue();
    }

    @Test
    void aDeviceHeldByAnotherRunningVmIsRefused()
    {
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4"))))
                .isInstanceOfSatisfying(ActionException.class, error -> assertThat(error.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessageContaining("mapping: mapping tesla-t4 is held by running VM 201 (k8s-node1) at hostpci0");
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow()).doesNotContainKey("hostpci0");
    }

    @Test
    void aCardWhoseRemovalIsPendingIsStillHeldByTheRunningVm()
            throws Exception
    {
        proxmox.simulator.setVmStatus(202, "stopped");
        PreparedAction.Applied detached = run(new PciPassthroughDetachHandler(client), detach(PciPassthroughDetachAction.newBuilder().setVmid(201).setMapping("tesla-t4")));
        assertThat(detached.result().getPciPassthroughDetach().getRestartNeeded()).isTrue();

        // Proxmox itself would refuse to start VM 202 with the card: VM 201 still runs with it
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4").setPcie(true))))
                .isInstanceOfSatisfying(ActionException.class, error -> assertThat(error.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessage("mapping: mapping tesla-t4 is still held by running VM 201 (k8s-node1) at hostpci0: its removal is pending until VM 201 is stopped,"
                        + " and Proxmox refuses to start another VM with it until then; shut VM 201 down first");
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow()).doesNotContainKey("hostpci0");

        // the inventory shows the running holder, its removal pending
        Inventory.Builder inventory = Inventory.newBuilder();
        new ProxmoxCollector(client).collect(inventory);
        ProxmoxVm vm201 = inventory.getProxmox().getVmsList().stream().filter(vm -> vm.getVmid() == 201).findFirst().orElseThrow();
        assertThat(vm201.getPendingList()).containsExactly("hostpci0");
        assertThat(vm201.getHostpciList()).singleElement().satisfies(hostpci -> {
            assertThat(hostpci.getSlot()).isEqualTo(0);
            assertThat(hostpci.getMapping()).isEqualTo("tesla-t4");
            assertThat(hostpci.getAddressesList()).containsExactly("0000:06:00");
            assertThat(hostpci.getRemovalPending()).isTrue();
        });

        // once VM 201 has stopped it holds nothing, and the card can go to VM 202
        run(new VmPowerHandler(client, VmPowerHandler.Operation.STOP), Action.newBuilder().setVmStop(VmStopAction.newBuilder().setVmid(201)).build());
        Inventory.Builder stopped = Inventory.newBuilder();
        new ProxmoxCollector(client).collect(stopped);
        assertThat(stopped.getProxmox().getVmsList().stream().filter(vm -> vm.getVmid() == 201).findFirst().orElseThrow().getHostpciList()).isEmpty();
        assertThat(run(attachHandler(), attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4").setPcie(true))).changed()).isTrue();
    }

    @Test
    void aConcurrentEditIsRetriedWithTheNewDigest()
            throws Exception
    {
        proxmox.simulator.setVmStatus(201, "stopped");
        proxmox.simulator.setVmStatus(202, "stopped");
        run(new PciPassthroughDetachHandler(client), detach(PciPassthroughDetachAction.newBuilder().setVmid(201).setSlot(0)));

        proxmox.simulator.editBeforeNextWrite(202, "description", "edited by someone else");
        PreparedAction.Applied attached = run(attachHandler(), attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4").setPcie(true).setXVga(true).setRombar(false)));
        assertThat(attached.changed()).isTrue();
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow())
                .containsEntry("hostpci0", "mapping=tesla-t4,pcie=1,rombar=0,x-vga=1")
                .containsEntry("description", "edited by someone else");
    }

    @Test
    void badInputIsRejectedNamingTheField()
    {
        Map<String, String> before = proxmox.simulator.vmConfig(202).orElseThrow();
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(99).setMapping("tesla-t4"))))
                .hasMessageStartingWith("vmid: must be between 100 and 999999999, got 99");
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(777).setMapping("tesla-t4"))))
                .hasMessageStartingWith("vmid: no VM 777 on Proxmox node pve");
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("quadro"))))
                .isInstanceOfSatisfying(ActionException.class, error -> assertThat(error.kind()).isEqualTo(ActionException.Kind.REJECTED))
                .hasMessageStartingWith("mapping: no PCI mapping \"quadro\"");
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4").setAddress("0000:06:00.0"))))
                .hasMessageStartingWith("mapping, address: give exactly one");
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setAddress("0000:09:00.0"))))
                .hasMessageStartingWith("address: no PCI device 0000:09:00.0");
        assertThatThrownBy(() -> attachHandler().prepare(attach(PciPassthroughAttachAction.newBuilder().setVmid(202).setMapping("tesla-t4").setSlot(16))))
                .hasMessageStartingWith("slot: must be between 0 and 15");
        assertThatThrownBy(() -> new VmPowerHandler(client, VmPowerHandler.Operation.START).prepare(Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(1_000_000_000)).build()))
                .hasMessageStartingWith("vmid: must be between 100 and 999999999");
        assertThatThrownBy(() -> new VmPowerHandler(client, VmPowerHandler.Operation.STOP).prepare(Action.newBuilder().setVmStop(VmStopAction.newBuilder().setVmid(555)).build()))
                .hasMessageStartingWith("vmid: no VM 555");
        assertThat(proxmox.simulator.vmConfig(202).orElseThrow()).isEqualTo(before);
        assertThat(preflightChecks).isEmpty();
    }

    @Test
    void powerActions()
            throws Exception
    {
        VmPowerHandler start = new VmPowerHandler(client, VmPowerHandler.Operation.START);
        PreparedAction.Applied alreadyRunning = run(start, Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(202)).build());
        assertThat(alreadyRunning.changed()).isFalse();
        assertThat(alreadyRunning.result().getVmStart().getStatusBefore()).isEqualTo("running");

        VmPowerHandler shutdown = new VmPowerHandler(client, VmPowerHandler.Operation.SHUTDOWN);
        proxmox.simulator.setIgnoresShutdown(202, true);
        Action forced = Action.newBuilder().setVmShutdown(VmShutdownAction.newBuilder().setVmid(202).setTimeout(Duration.newBuilder().setSeconds(1)).setForceStop(true)).build();
        PreparedAction.Applied stopped = run(shutdown, forced);
        assertThat(stopped.changed()).isTrue();
        assertThat(stopped.result().getVmShutdown().getStatusAfter()).isEqualTo("stopped");
        assertThat(stopped.result().getVmShutdown().getUpid()).contains(":qmshutdown:202:");
        assertThat(run(shutdown, forced).changed()).isFalse();

        proxmox.simulator.setIgnoresShutdown(203, true);
        Action unforced = Action.newBuilder().setVmShutdown(VmShutdownAction.newBuilder().setVmid(203).setTimeout(Duration.newBuilder().setSeconds(1))).build();
        assertThatThrownBy(() -> run(shutdown, unforced))
                .isInstanceOfSatisfying(ActionException.class, error -> assertThat(error.kind()).isEqualTo(ActionException.Kind.FAILED))
                .hasMessageContaining("VM quit/powerdown failed - got timeout")
                .hasMessageContaining("VM now running");

        proxmox.simulator.failNextTask("start failed: QEMU exited with code 1");
        assertThatThrownBy(() -> run(start, Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(202)).build()))
                .hasMessageContaining("start of VM 202 failed")
                .hasMessageContaining("start failed: QEMU exited with code 1");
        assertThat(proxmox.simulator.vmStatus(202)).contains("stopped");

        // Changed behind the client's back: the handler reads the status, it does not remember it.
        proxmox.simulator.setVmStatus(202, "running");
        assertThat(start.prepare(Action.newBuilder().setVmStart(VmStartAction.newBuilder().setVmid(202)).build()).alreadyInPlace()).isTrue();
    }

    @Test
    void ensuresPciMappings()
            throws Exception
    {
        PciMappingEnsureHandler handler = new PciMappingEnsureHandler(client);
        Action same = Action.newBuilder().setPciMappingEnsure(PciMappingEnsureAction.newBuilder().setId("tesla-t4").setNode("pve").setPath("06:00").setVendorDevice("10de:1eb8")).build();
        assertThat(run(handler, same).changed()).isFalse();
        // the mapping passes every function of the slot; one function is another mapping
        Action oneFunction = Action.newBuilder().setPciMappingEnsure(PciMappingEnsureAction.newBuilder().setId("tesla-t4").setNode("pve").setPath("06:00.0").setVendorDevice("10de:1eb8")).build();
        assertThat(handler.prepare(oneFunction).alreadyInPlace()).isFalse();
        assertThatThrownBy(() -> handler.prepare(Action.newBuilder().setPciMappingEnsure(PciMappingEnsureAction.newBuilder().setId("x").setPath("0000:09:00").setVendorDevice("10de:1eb8")).build()))
                .hasMessageContaining("path: no PCI device 0000:09:00 on Proxmox node pve");

        Action created = Action.newBuilder().setPciMappingEnsure(PciMappingEnsureAction.newBuilder().setId("t4-copy").setPath("0000:06:00.0").setVendorDevice("10de:1eb8").setDescription("second")).build();
        PreparedAction.Applied applied = run(handler, created);
        assertThat(applied.changed()).isTrue();
        assertThat(applied.result().getPciMappingEnsure().getCreated()).isTrue();
        assertThat(client.pciMappings()).extracting(ProxmoxPciMapping::id).containsExactly("t4-copy", "tesla-t4");
        assertThat(run(handler, created).changed()).isFalse();

        Action described = Action.newBuilder().setPciMappingEnsure(PciMappingEnsureAction.newBuilder().setId("t4-copy").setPath("0000:06:00.0").setVendorDevice("10de:1eb8").setDescription("renamed")).build();
        ActionResult updated = run(handler, described).result();
        assertThat(updated.getPciMappingEnsure().getUpdated()).isTrue();

        assertThatThrownBy(() -> handler.prepare(Action.newBuilder().setPciMappingEnsure(PciMappingEnsureAction.newBuilder().setId("x").setPath("0000:06:00.0").setVendorDevice("10de:ffff")).build()))
                .hasMessageStartingWith("vendor_device: the device at 0000:06:00.0 is 10de:1eb8");
        assertThatThrownBy(() -> handler.prepare(Action.newBuilder().setPciMappingEnsure(PciMappingEnsureAction.newBuilder().setId("1bad").setPath("0000:06:00.0").setVendorDevice("10de:1eb8")).build()))
                .hasMessageStartingWith("id: expected a mapping id");
    }

    @Test
    void collectsTheInventory()
            throws Exception
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        new ProxmoxCollector(client).collect(inventory);
        ProxmoxInfo info = inventory.getProxmox();
        assertThat(info.getError()).isEmpty();
        assertThat(info.getNode()).isEqualTo("pve");
        assertThat(info.getVmsList()).hasSize(9);
        ProxmoxVm worker = info.getVmsList().stream().filter(vm -> vm.getVmid() == 201).findFirst().orElseThrow();
        assertThat(worker.getStatus()).isEqualTo("running");
        assertThat(worker.getCores()).isEqualTo(16);
        assertThat(worker.getMemoryBytes()).isEqualTo(32L << 30);
        assertThat(worker.getSmbiosUuid()).isEqualTo("4d2b7e10-5a1c-4c8e-9f00-000000000201");
        assertThat(worker.getMachine()).isEqualTo("q35");
        assertThat(worker.getNetworkDevicesList()).singleElement().satisfies(net -> {
            assertThat(net.getBridge()).isEqualTo("vmbr1");
            assertThat(net.getVlan()).isEqualTo(20);
        });
        assertThat(worker.getHostpciList()).singleElement().satisfies(hostPci -> {
            assertThat(hostPci.getMapping()).isEqualTo("tesla-t4");
            assertThat(hostPci.getAddressesList()).containsExactly("0000:06:00");
            assertThat(hostPci.getPcie()).isTrue();
        });
        ProxmoxVm gateway = info.getVmsList().get(0);
        // not a Kubernetes node: the simulator leaves Proxmox' default machine
        assertThat(gateway.getMachine()).isEmpty();
        assertThat(gateway.getNetworkDevicesList()).hasSize(3);
        assertThat(gateway.getNetworkDevicesList().get(0).hasVlan()).isFalse();
        assertThat(info.getPciMappingsList()).singleElement().satisfies(mapping -> assertThat(mapping.getEntries(0).getPath()).isEqualTo("0000:06:00"));

        proxmox.simulator.failNextRequests(100);
        Inventory.Builder failed = Inventory.newBuilder();
        new ProxmoxCollector(client).collect(failed);
        assertThat(failed.getProxmox().getError()).contains("HTTP 500");
        assertThat(failed.getProxmox().getVmsList()).isEmpty();
        proxmox.simulator.failNextRequests(0);
    }
}
