package io.rackpilot.plan.validation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestPlanValidator
{
    private static final Path EXAMPLE = Path.of("../docs/examples/homelab.yaml");

    // a valid plan with no warnings; the tests below change numbered lines of it
    private static final String PLAN = """
            apiVersion: rackpilot.io/v1
            kind: HomelabPlan
            metadata:
              name: lab
            spec:
              host:
                name: pve
                address: 192.168.1.127
                memory: 64GiB
              networks:
                - name: physical
                  bridge: vmbr0
                  cidr: 192.168.1.0/24
                - name: kubernetes
                  bridge: vmbr1
                  vlan: 20
                  cidr: 10.0.20.0/24
              vms:
                - vmid: 101
                  name: gateway
                  cores: 2
                  memory: 2GiB
                  networks:
                    - bridge: vmbr0
                    - bridge: vmbr1
                      vlan: 20
                  role: gateway
                - vmid: 201
                  name: worker
                  cores: 4
                  memory: 8GiB
                  networks:
                    - bridge: vmbr1
                      vlan: 20
                  ip: 10.0.20.21
                  role: kubernetes-worker
                  kubernetes:
                    nodeName: worker
              gpus:
                - id: tesla-t4
                  host: pve
                  pciAddress: "0000:06:00.0"
                  vendorDevice: "10de:1eb8"
                  mapping: tesla-t4
                  vm: 201
                  pcie: true
              nfs:
                exports:
                  - path: /srv/nfs
                    clients:
                      - spec: 10.0.20.0/24
                        options: [rw]
              gpuNodePolicy:
                taints:
                  - key: nvidia.com/gpu
                    value: "true"
                    effect: PreferNoSchedule
                labels:
                  nvidia.com/gpu.present: "true"
            """;

    @TempDir
    Path directory;

    @Test
    void theExamplePlanIsValidWithOnlyItsMemoryOverCommit()
            throws IOException
    {
        PlanValidation validation = PlanValidator.validate(EXAMPLE);

        assertThat(validation.valid()).isTrue();
        assertThat(validation.errors()).isEmpty();
        assertThat(validation.plan()).isPresent();
        assertThat(validation.plan().orElseThrow().vms()).hasSize(9);
        List<String> lines = Files.readAllLines(EXAMPLE);
        int memoryLine = lines.indexOf(lines.stream().filter(line -> line.strip().startsWith("memory: 160GiB")).findFirst().orElseThrow()) + 1;
        assertThat(validation.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.severity()).isEqualTo(PlanFinding.Severity.WARNING);
            assertThat(warning.line()).isEqualTo(memoryLine);
            assertThat(warning.field()).isEqualTo("spec.host.memory");
            assertThat(warning.message()).isEqualTo("the VMs are given 196GiB of memory, more than the host's 160GiB (over-committed by 36GiB)");
            assertThat(warning).hasToString(EXAMPLE + ":" + memoryLine + ": warning: spec.host.memory: the VMs are given 196GiB of memory, more than the host's 160GiB (over-committed by 36GiB)");
        });
        assertThat(validation.findings()).isEqualTo(validation.warnings());
    }

    @Test
    void theBasePlanHasNoFindings()
    {
        PlanValidation validation = validate(PLAN);

        assertThat(validation.findings()).isEmpty();
        assertThat(validation.valid()).isTrue();
        assertThat(validation.plan().orElseThrow().name()).isEqualTo("lab");
    }

    @Test
    void anIpOutsideTheNetworkOfItsInterface()
    {
        PlanValidation validation = validate(replaceLine(PLAN, 35, "      ip: 10.0.30.5"));

        assertThat(validation.valid()).isFalse();
        assertThat(validation.plan()).isEmpty();
        PlanFinding error = onlyError(validation);
        assertThat(error.line()).isEqualTo(35);
        assertThat(error.field()).isEqualTo("spec.vms[1].ip");
        assertThat(error).hasToString("lab.yaml:35: spec.vms[1].ip: 10.0.30.5 is not inside 10.0.20.0/24, the network of its interface net0 (vmbr1 vlan 20)");
    }

    @Test
    void anIpMayLieInAnyOfTheVmsNetworks()
    {
        String gatewayWithIp = insertAfter(PLAN, 26, "      ip: 192.168.1.1");
        assertThat(validate(gatewayWithIp).findings()).isEmpty();

        PlanFinding error = onlyError(validate(insertAfter(PLAN, 26, "      ip: 10.0.10.1")));
        assertThat(error.line()).isEqualTo(27);
        assertThat(error.field()).isEqualTo("spec.vms[0].ip");
        assertThat(error.message()).isEqualTo("10.0.10.1 is not inside any network of its interfaces: "
                + "192.168.1.0/24, the network of its interface net0 (vmbr0 untagged); 10.0.20.0/24, the network of its interface net1 (vmbr1 vlan 20)");
    }

    @Test
    void ipv6AddressesAndNetworks()
    {
        String ipv6 = replaceLine(replaceLine(replaceLine(PLAN, 17, "      cidr: fd00:20::/64"), 35, "      ip: fd00:20::21"), 51, "          - spec: \"fd00:20::/64\"");
        assertThat(validate(ipv6).findings()).isEmpty();

        PlanFinding error = onlyError(validate(replaceLine(ipv6, 35, "      ip: fd00:21::21")));
        assertThat(error.line()).isEqualTo(35);
        assertThat(error.message()).isEqualTo("fd00:21::21 is not inside fd00:20::/64, the network of its interface net0 (vmbr1 vlan 20)");
    }

    @Test
    void anInterfaceOnAnUndeclaredBridge()
    {
        PlanFinding error = onlyError(validate(replaceLine(PLAN, 24, "        - bridge: vmbr2")));

        assertThat(error.line()).isEqualTo(24);
        assertThat(error.field()).isEqualTo("spec.vms[0].networks[0]");
        assertThat(error.message()).isEqualTo("interface net0 of VM 101 (gateway) is on vmbr2 untagged, but no network in spec.networks is on bridge vmbr2 (the bridges are vmbr0, vmbr1)");
    }

    @Test
    void anInterfaceOnAnUndeclaredVlan()
    {
        PlanValidation validation = validate(replaceLine(PLAN, 34, "          vlan: 30"));

        PlanFinding error = onlyError(validation);
        assertThat(error.line()).isEqualTo(33);
        assertThat(error.field()).isEqualTo("spec.vms[1].networks[0]");
        assertThat(error.message()).isEqualTo("interface net0 of VM 201 (worker) is on vmbr1 vlan 30, but no network in spec.networks is (vmbr1 carries vlan 20)");
    }

    @Test
    void aGpuGivenToAMissingVm()
    {
        PlanFinding error = onlyError(validate(replaceLine(PLAN, 45, "      vm: 999")));

        assertThat(error.line()).isEqualTo(45);
        assertThat(error.field()).isEqualTo("spec.gpus[0].vm");
        assertThat(error.message()).isEqualTo("GPU tesla-t4 is given to VM 999, but no VM in spec.vms has that vmid");
    }

    @Test
    void aGpuInAnotherHost()
    {
        PlanFinding error = onlyError(validate(replaceLine(PLAN, 41, "      host: pve2")));

        assertThat(error.line()).isEqualTo(41);
        assertThat(error.field()).isEqualTo("spec.gpus[0].host");
        assertThat(error.message()).isEqualTo("GPU tesla-t4 is in host pve2, but the plan's host (spec.host.name) is pve");
    }

    @Test
    void twoGpusAtOnePciAddressIsReportedAtTheSecond()
    {
        String plan = insertAfter(PLAN, 46,
                "    - id: other",
                "      host: pve",
                "      pciAddress: \"06:00.0\"",
                "      vendorDevice: \"10de:1eb8\"",
                "      mapping: other",
                "      pcie: false");

        PlanFinding error = onlyError(validate(plan));
        assertThat(error.line()).isEqualTo(49);
        assertThat(error.field()).isEqualTo("spec.gpus[1].pciAddress");
        assertThat(error.message()).contains("already used by gpus[0]");
        assertThat(error.toString()).startsWith("lab.yaml:49: spec.gpus[1].pciAddress: ");
    }

    @Test
    void twoGpusWithOneMappingIsReportedAtTheSecond()
    {
        String plan = insertAfter(PLAN, 46,
                "    - id: other",
                "      host: pve",
                "      pciAddress: \"0000:07:00.0\"",
                "      vendorDevice: \"10de:1eb8\"",
                "      mapping: tesla-t4",
                "      pcie: false");

        PlanFinding error = onlyError(validate(plan));
        assertThat(error.line()).isEqualTo(51);
        assertThat(error.field()).isEqualTo("spec.gpus[1].mapping");
        assertThat(error.message()).isEqualTo("mapping tesla-t4 is already the mapping of spec.gpus[0] (tesla-t4): a card can be given to one VM only");
    }

    @Test
    void aPcieGpuOnAVmThatIsNotAKubernetesNodeIsAWarning()
    {
        PlanValidation validation = validate(replaceLine(PLAN, 45, "      vm: 101"));

        assertThat(validation.valid()).isTrue();
        assertThat(validation.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.line()).isEqualTo(45);
            assertThat(warning.field()).isEqualTo("spec.gpus[0].vm");
            assertThat(warning).hasToString("lab.yaml:45: warning: spec.gpus[0].vm: GPU tesla-t4 is given to VM 101 (gateway), which is not a Kubernetes node, so Kubernetes cannot use it");
        });
        assertThat(validate(replaceLine(replaceLine(PLAN, 45, "      vm: 101"), 46, "      pcie: false")).findings()).isEmpty();
    }

    @Test
    void taintKeysMustBeQualifiedNames()
    {
        PlanFinding emptyName = onlyError(validate(replaceLine(PLAN, 55, "      - key: nvidia.com/")));
        assertThat(emptyName.line()).isEqualTo(55);
        assertThat(emptyName.field()).isEqualTo("spec.gpuNodePolicy.taints[0].key");
        assertThat(emptyName.message()).isEqualTo("\"nvidia.com/\" is not a valid taint key: the name after '/' is empty");

        PlanFinding leadingDash = onlyError(validate(replaceLine(PLAN, 55, "      - key: -bad")));
        assertThat(leadingDash.line()).isEqualTo(55);
        assertThat(leadingDash.field()).isEqualTo("spec.gpuNodePolicy.taints[0].key");
        assertThat(leadingDash.message()).startsWith("\"-bad\" is not a valid taint key: the name must start and end with a letter or digit");
    }

    @Test
    void taintValuesAreAtMost63Characters()
    {
        String value = "v".repeat(64);
        PlanFinding error = onlyError(validate(replaceLine(PLAN, 56, "        value: " + value)));

        assertThat(error.line()).isEqualTo(56);
        assertThat(error.field()).isEqualTo("spec.gpuNodePolicy.taints[0].value");
        assertThat(error.message()).isEqualTo("\"" + value + "\" is not a valid taint value: it is 64 characters long, more than 63");
        assertThat(validate(replaceLine(PLAN, 56, "        value: " + "v".repeat(63))).findings()).isEmpty();
    }

    @Test
    void twoTaintsWithOneKeyAndEffect()
    {
        String plan = insertAfter(PLAN, 57,
                "      - key: nvidia.com/gpu",
                "        value: \"false\"",
                "        effect: PreferNoSchedule",
                "      - key: nvidia.com/gpu",
                "        effect: NoSchedule");

        PlanFinding error = onlyError(validate(plan));
        assertThat(error.line()).isEqualTo(58);
        assertThat(error.field()).isEqualTo("spec.gpuNodePolicy.taints[1]");
        assertThat(error.message()).isEqualTo("a taint with key nvidia.com/gpu and effect PreferNoSchedule is already spec.gpuNodePolicy.taints[0]: a node has one taint per key and effect");
    }

    @Test
    void labelKeysAndValues()
    {
        PlanFinding key = onlyError(validate(replaceLine(PLAN, 59, "      example.com/-gpu: \"true\"")));
        assertThat(key.line()).isEqualTo(59);
        assertThat(key.field()).isEqualTo("spec.gpuNodePolicy.labels[\"example.com/-gpu\"]");
        assertThat(key.message()).startsWith("\"example.com/-gpu\" is not a valid label key: the name after '/' must start and end with a letter or digit");

        PlanFinding value = onlyError(validate(replaceLine(PLAN, 59, "      nvidia.com/gpu.present: \"yes please\"")));
        assertThat(value.line()).isEqualTo(59);
        assertThat(value.field()).isEqualTo("spec.gpuNodePolicy.labels[\"nvidia.com/gpu.present\"]");
        assertThat(value.message()).startsWith("\"yes please\" is not a valid label value");
    }

    @Test
    void twoExportsOfOnePath()
    {
        String plan = insertAfter(PLAN, 52,
                "      - path: /srv/nfs",
                "        clients:",
                "          - spec: 10.0.20.0/24");

        PlanFinding error = onlyError(validate(plan));
        assertThat(error.line()).isEqualTo(53);
        assertThat(error.field()).isEqualTo("spec.nfs.exports[1].path");
        assertThat(error.message()).contains("already exported by exports[0]");
    }

    @Test
    void anNfsExportTheHostAgentWouldRefuseIsAnError()
    {
        PlanFinding dots = onlyError(validate(replaceLine(PLAN, 49, "      - path: /srv/nfs/../etc")));
        assertThat(dots.line()).isEqualTo(49);
        assertThat(dots.field()).isEqualTo("spec.nfs.exports[0].path");
        // the host-agent's own words (NfsExportRules is the rule nfs.exports.apply checks)
        assertThat(dots.message()).isEqualTo("path '/srv/nfs/../etc' has a '..' segment");

        assertThat(onlyError(validate(replaceLine(PLAN, 49, "      - path: /srv/nfs/"))).message())
                .isEqualTo("path '/srv/nfs/' is not normalised (empty segment or trailing '/')");

        PlanFinding options = onlyError(validate(replaceLine(PLAN, 52, "            options: [rw, ro]")));
        assertThat(options.field()).isEqualTo("spec.nfs.exports[0].clients[0].options[1]");
        assertThat(options.message()).isEqualTo("option 'ro' contradicts 'rw' (spec.nfs.exports[0].clients[0].options[0])");
    }

    @Test
    void anNfsClientSubnetOutsideThePlansNetworksIsAWarning()
    {
        PlanValidation validation = validate(replaceLine(PLAN, 51, "          - spec: 10.0.30.0/24"));

        assertThat(validation.valid()).isTrue();
        assertThat(validation.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.line()).isEqualTo(51);
            assertThat(warning.field()).isEqualTo("spec.nfs.exports[0].clients[0].spec");
            assertThat(warning.message()).isEqualTo("no network in the plan is 10.0.30.0/24 or contains it (the networks are 192.168.1.0/24, 10.0.20.0/24)");
        });
        assertThat(validate(replaceLine(PLAN, 51, "          - spec: 10.0.20.128/25")).findings()).isEmpty();
        assertThat(validate(replaceLine(PLAN, 51, "          - spec: \"*.lab\"")).findings()).isEmpty();
        assertThat(validate(replaceLine(PLAN, 51, "          - spec: 10.0.20.7")).findings()).isEmpty();
    }

    @Test
    void everyErrorIsReportedInLineOrder()
    {
        String plan = PLAN;
        plan = replaceLine(plan, 55, "      - key: nvidia.com/");
        plan = replaceLine(plan, 45, "      vm: 999");
        plan = replaceLine(plan, 35, "      ip: 10.0.30.5");
        plan = replaceLine(plan, 24, "        - bridge: vmbr2");

        PlanValidation validation = validate(plan);

        assertThat(validation.plan()).isEmpty();
        assertThat(validation.errors()).extracting(PlanFinding::line).containsExactly(24, 35, 45, 55);
        assertThat(validation.errors()).extracting(PlanFinding::field)
                .containsExactly("spec.vms[0].networks[0]", "spec.vms[1].ip", "spec.gpus[0].vm", "spec.gpuNodePolicy.taints[0].key");
        assertThat(validation.warnings()).isEmpty();
    }

    @Test
    void errorsAndWarningsTogether()
    {
        String plan = replaceLine(replaceLine(PLAN, 9, "    memory: 8GiB"), 35, "      ip: 10.0.30.5");

        PlanValidation validation = validate(plan);

        assertThat(validation.valid()).isFalse();
        assertThat(validation.findings()).extracting(PlanFinding::toString).containsExactly(
                "lab.yaml:9: warning: spec.host.memory: the VMs are given 10GiB of memory, more than the host's 8GiB (over-committed by 2GiB)",
                "lab.yaml:35: spec.vms[1].ip: 10.0.30.5 is not inside 10.0.20.0/24, the network of its interface net0 (vmbr1 vlan 20)");
    }

    @Test
    void aShapeErrorIsOneErrorWithItsLine()
    {
        PlanValidation validation = validate(replaceLine(PLAN, 28, "    - vmid: abc"));

        assertThat(validation.plan()).isEmpty();
        assertThat(validation.warnings()).isEmpty();
        PlanFinding error = onlyError(validation);
        assertThat(error.line()).isEqualTo(28);
        assertThat(error.field()).isEqualTo("spec.vms[1].vmid");
        assertThat(error).hasToString("lab.yaml:28: spec.vms[1].vmid: expected an integer, got \"abc\"");
    }

    @Test
    void invalidYamlIsOneError()
    {
        PlanFinding error = onlyError(validate(replaceLine(PLAN, 52, "            options: [rw")));

        assertThat(error.line()).isGreaterThanOrEqualTo(52);
        assertThat(error.message()).startsWith("invalid YAML");
    }

    @Test
    void vmCoresMoreThanFourTimesTheHostThreadsIsAWarning()
    {
        PlanValidation validation = validate(replaceLine(PLAN, 9, "    cpu: {model: small, cores: 1, threads: 1}"));

        assertThat(validation.valid()).isTrue();
        assertThat(validation.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.line()).isEqualTo(9);
            assertThat(warning.field()).isEqualTo("spec.host.cpu.threads");
            assertThat(warning.message()).isEqualTo("the VMs are given 6 cores, more than 4 times the host's 1 threads (4)");
        });
        assertThat(validate(replaceLine(PLAN, 9, "    cpu: {model: small, cores: 1, threads: 2}")).findings()).isEmpty();
    }

    @Test
    void withoutHostMemoryThereIsNothingToCompare()
    {
        assertThat(validate(replaceLine(PLAN, 9, "    # memory not stated")).findings()).isEmpty();
    }

    @Test
    void memoryTooLargeToAddUpIsAWarningNotACrash()
    {
        // found by TestPlanValidatorFuzzing: the sum overflowed and Math.addExact threw ArithmeticException
        PlanValidation validation = validate("""
                apiVersion: rackpilot.io/v1
                kind: HomelabPlan
                metadata: {name: a}
                spec:
                  host: {name: pve, address: 192.168.1.127, memory: 1GiB}
                  vms:
                    - {vmid: 100, name: a, cores: 1, memory: 8000PiB, role: gateway}
                    - {vmid: 101, name: b, cores: 1, memory: 8000PiB, role: gateway}
                """);

        assertThat(validation.valid()).isTrue();
        assertThat(validation.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.line()).isEqualTo(5);
            assertThat(warning.field()).isEqualTo("spec.host.memory");
            assertThat(warning.message()).isEqualTo("the VMs are given more than 9223372036854775807 bytes of memory together, more than the host's 1GiB");
        });
    }

    @Test
    void aKubernetesNodeWithNeitherUuidNorIpIsAWarning()
    {
        PlanValidation validation = validate(replaceLine(PLAN, 35, "      # no ip"));

        assertThat(validation.valid()).isTrue();
        assertThat(validation.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.line()).isEqualTo(28);
            assertThat(warning.field()).isEqualTo("spec.vms[1]");
            assertThat(warning.message()).isEqualTo("Kubernetes node worker has neither smbiosUuid nor ip, so the coordinator can match its agent to VM 201 only by name");
        });
        String withUuid = replaceLine(PLAN, 35, "      smbiosUuid: 4d2b7e10-5a1c-4c8e-9f00-000000000201");
        assertThat(validate(withUuid).findings()).isEmpty();
    }

    @Test
    void readsAFileAndNamesItAsGiven()
            throws IOException
    {
        Path file = directory.resolve("lab.yaml");
        Files.writeString(file, replaceLine(PLAN, 35, "      ip: 10.0.30.5"));

        PlanValidation validation = PlanValidator.validate(file);

        assertThat(onlyError(validation)).hasToString(file + ":35: spec.vms[1].ip: 10.0.30.5 is not inside 10.0.20.0/24, the network of its interface net0 (vmbr1 vlan 20)");
    }

    @Test
    void aMissingFileIsOneErrorWithoutALine()
    {
        Path missing = directory.resolve("missing.yaml");

        PlanFinding error = onlyError(PlanValidator.validate(missing));

        assertThat(error).hasToString(missing + ": cannot read: file does not exist");
        assertThat(error.line()).isZero();
    }

    private static PlanValidation validate(String yaml)
    {
        return PlanValidator.validate(yaml, "lab.yaml");
    }

    private static PlanFinding onlyError(PlanValidation validation)
    {
        assertThat(validation.errors()).as("errors of %s", validation).hasSize(1);
        assertThat(validation.valid()).isFalse();
        assertThat(validation.plan()).isEmpty();
        PlanFinding error = validation.errors().get(0);
        assertThat(error.severity()).isEqualTo(PlanFinding.Severity.ERROR);
        assertThat(error.sourceName()).isNotEmpty();
        return error;
    }

    /**
     * The text with its 1-based line {@code number} replaced, after checking that line is the one meant.
     */
    static String replaceLine(String text, int number, String replacement)
    {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        lines.set(number - 1, replacement);
        return String.join("\n", lines);
    }

    static String insertAfter(String text, int number, String... inserted)
    {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        lines.addAll(number, List.of(inserted));
        return String.join("\n", lines);
    }
}
