package io.rackpilot.plan;

import io.rackpilot.common.config.DataSize;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/examples/homelab.yaml} is the seed's homelab, complete.
 */
class TestExamplePlan
{
    private static final Path EXAMPLE = Path.of("../docs/examples/homelab.yaml");

    private final HomelabPlan plan = PlanLoader.load(EXAMPLE);

    @Test
    void describesTheR730()
    {
        assertThat(plan.apiVersion()).isEqualTo("rackpilot.io/v1");
        assertThat(plan.kind()).isEqualTo("HomelabPlan");
        assertThat(plan.name()).isEqualTo("homelab");
        Host host = plan.spec().host();
        assertThat(host.name()).isEqualTo("pve");
        assertThat(host.address()).isEqualTo("192.168.1.127");
        assertThat(host.cpu()).contains(new Cpu("Intel Xeon E5-2699 v4", 22, 44));
        assertThat(host.memory()).contains(DataSize.ofGibibytes(160));
        assertThat(host.storage()).containsExactly(
                new Storage("ssd-1", StorageMedium.SSD, DataSize.parse("1.1TB")),
                new Storage("ssd-2", StorageMedium.SSD, DataSize.parse("931GB")),
                new Storage("hdd-1", StorageMedium.HDD, DataSize.parse("10.7TB")));
    }

    @Test
    void hasTheThreeNetworks()
    {
        assertThat(plan.spec().networks()).containsExactly(
                new Network("physical", "vmbr0", OptionalInt.empty(), "192.168.1.0/24", Optional.of("Physical devices and the Proxmox host (192.168.1.127)")),
                new Network("management", "vmbr1", OptionalInt.of(10), "10.0.10.0/24", Optional.of("Infrastructure VMs and devvm")),
                new Network("kubernetes", "vmbr1", OptionalInt.of(20), "10.0.20.0/24", Optional.of("Kubernetes cluster nodes and services")));
    }

    @Test
    void hasTheNineVmsWithTheirSizesNetworksAndRoles()
    {
        assertThat(plan.vms()).extracting(VirtualMachine::vmid).containsExactly(101, 102, 103, 200, 201, 202, 203, 204, 220);
        assertThat(plan.vms()).extracting(VirtualMachine::name)
                .containsExactly("pfsense", "devvm", "home-assistant", "k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4", "docker-registry");
        assertThat(plan.vms()).extracting(VirtualMachine::cores).containsExactly(8, 16, 8, 8, 16, 8, 8, 8, 4);
        assertThat(plan.vms()).extracting(vm -> vm.memory().toString())
                .containsExactly("16GiB", "8GiB", "8GiB", "32GiB", "32GiB", "32GiB", "32GiB", "32GiB", "4GiB");
        assertThat(plan.vms()).extracting(vm -> vm.networks().toString())
                .containsExactly("[vmbr0, vmbr1:vlan10, vmbr1:vlan20]", "[vmbr1:vlan10]", "[vmbr0]",
                        "[vmbr1:vlan20]", "[vmbr1:vlan20]", "[vmbr1:vlan20]", "[vmbr1:vlan20]", "[vmbr1:vlan20]", "[vmbr1:vlan20]");
        assertThat(plan.vms()).extracting(VirtualMachine::role).containsExactly(
                VirtualMachineRole.GATEWAY, VirtualMachineRole.DEVELOPMENT, VirtualMachineRole.HOME_AUTOMATION,
                VirtualMachineRole.KUBERNETES_CONTROL_PLANE, VirtualMachineRole.KUBERNETES_WORKER, VirtualMachineRole.KUBERNETES_WORKER,
                VirtualMachineRole.KUBERNETES_WORKER, VirtualMachineRole.KUBERNETES_WORKER, VirtualMachineRole.REGISTRY);
        assertThat(plan.vm(200).orElseThrow().ip()).contains("10.0.20.100");
        assertThat(plan.vm(220).orElseThrow().ip()).contains("10.0.20.10");
        assertThat(plan.vms()).filteredOn(vm -> vm.ip().isPresent()).extracting(VirtualMachine::vmid).containsExactly(200, 220);
        assertThat(plan.vm(9000)).as("the decommissioned truenas VM is not managed").isEmpty();
        assertThat(plan.vmNamed("truenas")).isEmpty();
    }

    @Test
    void hasFiveKubernetesNodesEachWithItsOwnUuid()
    {
        List<VirtualMachine> nodes = plan.kubernetesVms();
        assertThat(nodes).extracting(VirtualMachine::vmid).containsExactly(200, 201, 202, 203, 204);
        assertThat(nodes).extracting(vm -> vm.nodeName().orElseThrow())
                .containsExactly("k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4");
        assertThat(nodes).allSatisfy(vm -> assertThat(vm.smbiosUuid()).isPresent());
        assertThat(nodes).extracting(vm -> vm.smbiosUuid().orElseThrow()).doesNotHaveDuplicates();
        assertThat(plan.vm(201).orElseThrow().smbiosUuid()).contains("4d2b7e10-5a1c-4c8e-9f00-000000000201");
        assertThat(plan.kubernetesNode("k8s-node3").map(VirtualMachine::vmid)).contains(203);
        assertThat(plan.vms()).filteredOn(vm -> !vm.isKubernetesNode()).allSatisfy(vm -> assertThat(vm.smbiosUuid()).isEmpty());
    }

    @Test
    void exportsBothNfsSharesToTheKubernetesVlan()
    {
        assertThat(plan.spec().nfs().exports()).extracting(NfsExport::exportsLine).containsExactly(
                "/srv/nfs 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)",
                "/srv/nfs-ssd 10.0.20.0/24(rw,sync,no_subtree_check,no_root_squash)");
    }

    @Test
    void givesTheTeslaT4ToVm201ThroughAMapping()
    {
        Gpu gpu = plan.gpu("tesla-t4").orElseThrow();
        assertThat(gpu).isEqualTo(new Gpu("tesla-t4", "pve", "0000:06:00.0", "10de:1eb8", "tesla-t4", OptionalInt.of(201), true));
        assertThat(plan.gpusOf(201)).containsExactly(gpu);
        assertThat(plan.gpusOf(202)).isEmpty();
    }

    @Test
    void taintsAndLabelsGpuNodes()
    {
        GpuNodePolicy policy = plan.spec().gpuNodePolicy();
        assertThat(policy.taints()).extracting(Taint::toString).containsExactly("nvidia.com/gpu=true:PreferNoSchedule");
        assertThat(policy.labels()).containsExactly(Map.entry("nvidia.com/gpu.present", "true"));
    }
}
