package io.rackpilot.plan;

import io.rackpilot.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPlanLoader
{
    private static final String HEADER = """
            apiVersion: rackpilot.io/v1
            kind: HomelabPlan
            metadata:
              name: lab
            """;

    // line 5 onwards
    private static final String SPEC = """
            spec:
              host:
                name: pve
                address: 192.168.1.127
              vms:
                - vmid: 101
                  name: gateway
                  cores: 2
                  memory: 2GiB
                  role: gateway
                - vmid: 200
                  name: master
                  cores: 4
                  memory: 8GiB
                  role: kubernetes-control-plane
                  kubernetes:
                    nodeName: master
                - vmid: 201
                  name: worker-1
                  cores: 4
                  memory: 8GiB
                  role: kubernetes-worker
                  kubernetes:
                    nodeName: worker-1
            """;

    @TempDir
    Path directory;

    @Test
    void readsAMinimalPlanWithDefaults()
    {
        HomelabPlan plan = parse(HEADER + SPEC);

        assertThat(plan.spec().host().cpu()).isEmpty();
        assertThat(plan.spec().host().memory()).isEmpty();
        assertThat(plan.spec().host().storage()).isEmpty();
        assertThat(plan.spec().networks()).isEmpty();
        assertThat(plan.spec().nfs().exports()).isEmpty();
        assertThat(plan.spec().gpus()).isEmpty();
        assertThat(plan.spec().gpuNodePolicy()).isEqualTo(GpuNodePolicy.NONE);
        assertThat(plan.vm(101).orElseThrow().networks()).isEmpty();
        assertThat(plan.vm(101).orElseThrow().kubernetes()).isEmpty();
        assertThat(plan.kubernetesVms()).extracting(VirtualMachine::vmid).containsExactly(200, 201);
    }

    @Test
    void kubernetesVmsAreInVmidOrderWhateverTheFileOrder()
    {
        String reordered = HEADER + """
                spec:
                  host: {name: pve, address: 10.0.0.1}
                  vms:
                    - {vmid: 204, name: d, cores: 1, memory: 1GiB, role: kubernetes-worker, kubernetes: {nodeName: d}}
                    - {vmid: 102, name: c, cores: 1, memory: 1GiB, role: development}
                    - {vmid: 200, name: a, cores: 1, memory: 1GiB, role: kubernetes-control-plane, kubernetes: {nodeName: a}}
                """;
        assertThat(parse(reordered).kubernetesVms()).extracting(VirtualMachine::vmid).containsExactly(200, 204);
    }

    @Test
    void unknownKeyInAVmNamesItsLineAndPath()
    {
        String plan = HEADER + SPEC + """
                    - vmid: 202
                      name: worker-2
                      corse: 4
                      memory: 8GiB
                      role: kubernetes-worker
                      kubernetes:
                        nodeName: worker-2
                """;
        assertThatThrownBy(() -> parse(plan))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("plan.yaml:31:7: spec.vms[3].corse: unknown key 'corse', did you mean 'cores'? (known keys: vmid, name, cores, memory, networks, ip, role, kubernetes, smbiosUuid)")
                .satisfies(failure -> {
                    ConfigException exception = (ConfigException) failure;
                    assertThat(exception.line()).isEqualTo(31);
                    assertThat(exception.fieldPath()).isEqualTo("spec.vms[3].corse");
                });
    }

    @Test
    void wrongApiVersionOrKindIsReportedFirst()
    {
        assertFailure(HEADER.replace("rackpilot.io/v1", "rackpilot.io/v2") + SPEC,
                "plan.yaml:1:13: apiVersion: expected rackpilot.io/v1, got \"rackpilot.io/v2\"");
        assertFailure(HEADER.replace("kind: HomelabPlan", "kind: Deployment") + SPEC,
                "plan.yaml:2:7: kind: expected HomelabPlan, got \"Deployment\"");
        assertFailure(HEADER.replace("apiVersion: rackpilot.io/v1\n", "") + SPEC,
                "plan.yaml:1:1: missing required key 'apiVersion'");
        assertFailure("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                spec:
                  replicas: 3
                """, "plan.yaml:1:13: apiVersion: expected rackpilot.io/v1, got \"apps/v1\"");
        assertFailure("", "plan.yaml:1:1: missing required key 'apiVersion'");
    }

    @Test
    void refusedValuesNameTheirLine()
    {
        assertFailure(HEADER + SPEC.replace("cores: 2", "cores: two"),
                "plan.yaml:12:14: spec.vms[0].cores: expected an integer, got \"two\"");
        assertFailure(HEADER + SPEC.replace("memory: 2GiB", "memory: 2048"),
                "plan.yaml:13:15: spec.vms[0].memory: must be at least 16MiB, got 2KiB (a bare number is bytes: write 16GiB)");
        assertFailure(HEADER + SPEC.replace("vmid: 101", "vmid: 99"),
                "plan.yaml:10:13: spec.vms[0].vmid: must be between 100 and 999999999, got 99");
        assertFailure(HEADER + SPEC.replace("vmid: 201", "vmid: 200"),
                "plan.yaml:22:13: spec.vms[2].vmid: 200 is already used by vms[1]");
        assertFailure(HEADER + SPEC.replace("nodeName: worker-1", "nodeName: master"),
                "plan.yaml:28:19: spec.vms[2].kubernetes.nodeName: \"master\" is already used by vms[1]");
        assertFailure(HEADER + SPEC.replace("role: gateway", "role: router"),
                "plan.yaml:14:13: spec.vms[0].role: expected one of gateway, development, home-automation, kubernetes-control-plane, "
                        + "kubernetes-worker, registry, storage, other, got \"router\"");
        assertFailure(HEADER + SPEC.replace("role: kubernetes-worker", "role: development"),
                "plan.yaml:27:7: spec.vms[2].kubernetes: only a VM with role kubernetes-control-plane or kubernetes-worker is a Kubernetes node, this one is development");
        assertFailure(HEADER + SPEC.replace("""
                      kubernetes:
                        nodeName: worker-1
                """, ""),
                "plan.yaml:26:13: spec.vms[2].role: kubernetes-worker is a Kubernetes role, so the VM needs a kubernetes block with its nodeName");
        assertFailure(HEADER + SPEC.replace("      name: worker-1\n", ""),
                "plan.yaml:22:7: spec.vms[2]: missing required key 'name'");
        assertFailure(HEADER + SPEC.replace("    address: 192.168.1.127\n", ""),
                "plan.yaml:7:5: spec.host: missing required key 'address'");
    }

    @Test
    void checksGpuAddresses()
    {
        String gpus = """
                  gpus:
                    - id: t4
                      host: pve
                      pciAddress: 06:00.0
                      vendorDevice: 10DE:1EB8
                      mapping: tesla-t4
                      vm: 201
                      pcie: false
                """;
        HomelabPlan plan = parse(HEADER + SPEC + gpus);
        assertThat(plan.gpu("t4").orElseThrow()).isEqualTo(new Gpu("t4", "pve", "0000:06:00.0", "10de:1eb8", "tesla-t4", OptionalInt.of(201), false));

        assertFailure(HEADER + SPEC + gpus.replace("06:00.0", "6:0.0"),
                "plan.yaml:32:19: spec.gpus[0].pciAddress: expected a PCI address such as 0000:06:00.0, got \"6:0.0\"");
        assertFailure(HEADER + SPEC + gpus.replace("10DE:1EB8", "nvidia"),
                "plan.yaml:33:21: spec.gpus[0].vendorDevice: expected a PCI vendor:device id such as 10de:1eb8, got \"nvidia\"");
        assertFailure(HEADER + SPEC + gpus.replace("pcie: false", "pcie: yes please"),
                "plan.yaml:36:13: spec.gpus[0].pcie: expected true or false, got \"yes please\"");
        assertFailure(HEADER + SPEC + gpus.replace("      pcie: false\n", ""),
                "plan.yaml:30:7: spec.gpus[0]: missing required key 'pcie'");
        assertFailure(HEADER + SPEC + gpus.replace("pcie: false", "pcie:"),
                "plan.yaml:36:12: spec.gpus[0].pcie: expected true or false, got an empty value");
    }

    @Test
    void checksNetworksAndExports()
    {
        String networks = """
                  networks:
                    - name: kubernetes
                      bridge: vmbr1
                      vlan: 20
                      cidr: 10.0.20.0/24
                  nfs:
                    exports:
                      - path: /srv/nfs
                        clients:
                          - spec: 10.0.20.0/24
                            options: [rw, sync, anonuid=1000]
                """;
        HomelabPlan plan = parse(HEADER + SPEC + networks);
        assertThat(plan.network("kubernetes").orElseThrow().vlan()).isEqualTo(OptionalInt.of(20));
        assertThat(plan.spec().nfs().exports()).extracting(NfsExport::exportsLine).containsExactly("/srv/nfs 10.0.20.0/24(rw,sync,anonuid=1000)");

        assertFailure(HEADER + SPEC + networks.replace("vlan: 20", "vlan: 4095"),
                "plan.yaml:32:13: spec.networks[0].vlan: a VLAN tag must be between 1 and 4094, got 4095");
        assertFailure(HEADER + SPEC + networks.replace("cidr: 10.0.20.0/24", "cidr: 10.0.20.0"),
                "plan.yaml:33:13: spec.networks[0].cidr: expected a subnet such as 10.0.20.0/24, got \"10.0.20.0\"");
        assertFailure(HEADER + SPEC + networks.replace("path: /srv/nfs", "path: srv/nfs"),
                "plan.yaml:36:15: spec.nfs.exports[0].path: expected an absolute path without spaces, got \"srv/nfs\"");
        assertFailure(HEADER + SPEC + networks.replace("anonuid=1000", "\"no root squash\""),
                "plan.yaml:39:33: spec.nfs.exports[0].clients[0].options[2]: expected an export option such as rw or anonuid=1000, got \"no root squash\"");
    }

    @Test
    void loadsFromAFile()
            throws IOException
    {
        Path file = directory.resolve("homelab.yaml");
        Files.writeString(file, HEADER + SPEC);
        assertThat(PlanLoader.load(file).name()).isEqualTo("lab");

        Files.writeString(file, HEADER.replace("HomelabPlan", "HomeLabPlan") + SPEC);
        assertThatThrownBy(() -> PlanLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ":2:7: kind: expected HomelabPlan, got \"HomeLabPlan\"");

        Path missing = directory.resolve("absent.yaml");
        assertThatThrownBy(() -> PlanLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": cannot read: file does not exist");
    }

    @Test
    void planBuiltInCodeIsCheckedToo()
    {
        PlanSpec spec = new PlanSpec(new Host("pve", "10.0.0.1", null, null, null), null, List.of(), null, null, null);
        assertThat(new HomelabPlan(new PlanMetadata("lab"), spec).kubernetesVms()).isEmpty();
        assertThatThrownBy(() -> new HomelabPlan("v1", HomelabPlan.KIND, new PlanMetadata("lab"), spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("apiVersion: expected rackpilot.io/v1, got \"v1\"");
    }

    private static HomelabPlan parse(String yaml)
    {
        return PlanLoader.parse(yaml, "plan.yaml");
    }

    private static void assertFailure(String yaml, String message)
    {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }
}
