package io.rackpilot.plan;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPlanText
{
    private static final Path EXAMPLE = Path.of("../docs/examples/homelab.yaml");

    private static final String GPUS = """
            apiVersion: rackpilot.io/v1
            kind: HomelabPlan
            metadata:
              name: lab
            spec:
              host: {name: pve, address: 10.0.0.1}
              vms:
                - {vmid: 201, name: a, cores: 1, memory: 1GiB, role: other}
                - {vmid: 202, name: b, cores: 1, memory: 1GiB, role: other}
              gpus:
                - id: first       # the first card
                  host: pve
                  pciAddress: "0000:06:00.0"
                  vendorDevice: "10de:1eb8"
                  mapping: first
                  pcie: true
                - host: pve
                  id: "second"
                  pciAddress: "0000:07:00.0"
                  vendorDevice: "10de:1eb8"
                  mapping: second
                  pcie: true
                - vm: 201         # given to a
                  id: third
                  host: pve
                  pciAddress: "0000:08:00.0"
                  vendorDevice: "10de:1eb8"
                  mapping: third
                  pcie: true
                - {id: fourth, host: pve, pciAddress: "0000:09:00.0", vendorDevice: "10de:1eb8", mapping: fourth, vm: 202, pcie: false}
                - {id: fifth, host: pve, pciAddress: "0000:0a:00.0", vendorDevice: "10de:1eb8", mapping: fifth, pcie: false}
            """;

    @Test
    void movingTheExamplesGpuChangesOnlyItsVmLine()
            throws IOException
    {
        String example = Files.readString(EXAMPLE);

        String moved = PlanText.withGpuAssignment(example, "tesla-t4", 202);

        assertThat(changedLines(example, moved)).containsExactly("190: `      vm: 201` -> `      vm: 202`");
        assertThat(PlanLoader.parse(moved, "moved").gpu("tesla-t4").orElseThrow().vm()).isEqualTo(OptionalInt.of(202));
        assertThat(PlanText.withGpuAssignment(moved, "tesla-t4", 201)).isEqualTo(example);
        assertThat(PlanText.withGpuAssignment(example, "tesla-t4", 201)).isEqualTo(example);
    }

    @Test
    void unassigningAndReassigningTheExamplesGpu()
            throws IOException
    {
        String example = Files.readString(EXAMPLE);

        String unassigned = PlanText.withoutGpuAssignment(example, "tesla-t4");

        assertThat(unassigned).isEqualTo(example.replace("      vm: 201\n", ""));
        assertThat(PlanLoader.parse(unassigned, "unassigned").gpu("tesla-t4").orElseThrow().vm()).isEmpty();
        assertThat(PlanText.withoutGpuAssignment(unassigned, "tesla-t4")).isEqualTo(unassigned);

        String reassigned = PlanText.withGpuAssignment(unassigned, "tesla-t4", 201);

        assertThat(reassigned).isEqualTo(example.replace("      vm: 201\n", "").replace("    - id: tesla-t4\n", "    - id: tesla-t4\n      vm: 201\n"));
        assertThat(PlanLoader.parse(reassigned, "reassigned")).isEqualTo(PlanLoader.parse(example, "example"));
    }

    @Test
    void insertsAVmLineAfterTheIdLineWithTheItemsIndentation()
    {
        String first = PlanText.withGpuAssignment(GPUS, "first", 202);
        assertThat(first).isEqualTo(GPUS.replace("    - id: first       # the first card\n", "    - id: first       # the first card\n      vm: 202\n"));
        assertThat(PlanLoader.parse(first, "first").gpu("first").orElseThrow().vm()).isEqualTo(OptionalInt.of(202));

        String second = PlanText.withGpuAssignment(GPUS, "second", 201);
        assertThat(changedLines(GPUS, second)).isEmpty();
        assertThat(second).isEqualTo(GPUS.replace("      id: \"second\"\n", "      id: \"second\"\n      vm: 201\n"));
        assertThat(PlanLoader.parse(second, "second").gpu("second").orElseThrow().vm()).isEqualTo(OptionalInt.of(201));
    }

    @Test
    void changesTheVmWhereverTheKeyIsWritten()
    {
        String third = PlanText.withGpuAssignment(GPUS, "third", 202);
        assertThat(changedLines(GPUS, third)).containsExactly("23: `    - vm: 201         # given to a` -> `    - vm: 202         # given to a`");

        String fourth = PlanText.withGpuAssignment(GPUS, "fourth", 201);
        assertThat(changedLines(GPUS, fourth)).singleElement().asString().contains("mapping: fourth, vm: 201, pcie: false}");
        assertThat(PlanLoader.parse(fourth, "fourth").gpu("fourth").orElseThrow().vm()).isEqualTo(OptionalInt.of(201));

        String fifth = PlanText.withGpuAssignment(GPUS, "fifth", 202);
        assertThat(changedLines(GPUS, fifth)).singleElement().asString().contains("{id: fifth, vm: 202, host: pve,");
        assertThat(PlanLoader.parse(fifth, "fifth").gpu("fifth").orElseThrow().vm()).isEqualTo(OptionalInt.of(202));
    }

    @Test
    void removesTheVmWhereverTheKeyIsWritten()
    {
        String third = PlanText.withoutGpuAssignment(GPUS, "third");
        assertThat(changedLines(GPUS, third)).containsExactly("23: `    - vm: 201         # given to a` -> `    -`");
        assertThat(PlanLoader.parse(third, "third").gpu("third").orElseThrow().vm()).isEmpty();

        String fourth = PlanText.withoutGpuAssignment(GPUS, "fourth");
        assertThat(changedLines(GPUS, fourth)).singleElement().asString().contains("mapping: fourth, pcie: false}");
        assertThat(PlanLoader.parse(fourth, "fourth").gpu("fourth").orElseThrow().vm()).isEmpty();

        assertThat(PlanText.withoutGpuAssignment(GPUS, "fifth")).isEqualTo(GPUS);
    }

    @Test
    void keepsWindowsLineEndings()
    {
        String windows = GPUS.replace("\n", "\r\n");

        String first = PlanText.withGpuAssignment(windows, "first", 202);

        assertThat(first).isEqualTo(windows.replace("# the first card\r\n", "# the first card\r\n      vm: 202\r\n"));
        assertThat(PlanText.withoutGpuAssignment(first, "first")).isEqualTo(windows);
    }

    @Test
    void anUnknownGpuIsRefusedByName()
    {
        assertThatThrownBy(() -> PlanText.withGpuAssignment(GPUS, "quadro", 201))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the plan has no GPU with id quadro in spec.gpus");
        assertThatThrownBy(() -> PlanText.withoutGpuAssignment(GPUS, "quadro"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quadro");
        assertThatThrownBy(() -> PlanText.withGpuAssignment("a: [", "quadro", 201))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quadro");
    }

    /**
     * The lines that differ, for texts with the same number of lines; empty when the counts differ.
     */
    private static List<String> changedLines(String before, String after)
    {
        String[] beforeLines = before.split("\n", -1);
        String[] afterLines = after.split("\n", -1);
        List<String> changed = new ArrayList<>();
        if (beforeLines.length != afterLines.length) {
            return changed;
        }
        for (int index = 0; index < beforeLines.length; index++) {
            if (!beforeLines[index].equals(afterLines[index])) {
                changed.add((index + 1) + ": `" + beforeLines[index] + "` -> `" + afterLines[index] + "`");
            }
        }
        return changed;
    }
}
