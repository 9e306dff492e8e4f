package io.rackpilot.plan;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestPlanLocations
{
    private static final String YAML = """
            # a comment
            spec:
              host:
                name: pve
              vms:
                - vmid: 101
                  ip: "10.0.20.5"   # quoted
                - {vmid: 102, name: b}
              labels:
                nvidia.com/gpu.present: "true"
              list:
                - one
                -
                  two
            """;

    private final PlanLocations locations = PlanLocations.of(YAML);

    @Test
    void locatesKeysAndListItems()
    {
        assertThat(locations.line("spec")).isEqualTo(2);
        assertThat(locations.line("spec.host.name")).isEqualTo(4);
        assertThat(locations.line("spec.vms")).isEqualTo(5);
        assertThat(locations.line("spec.vms[0]")).isEqualTo(6);
        assertThat(locations.line("spec.vms[0].vmid")).isEqualTo(6);
        assertThat(locations.line("spec.vms[0].ip")).isEqualTo(7);
        assertThat(locations.line("spec.vms[1]")).isEqualTo(8);
        assertThat(locations.line("spec.vms[1].name")).isEqualTo(8);
        assertThat(locations.line("spec.labels[\"nvidia.com/gpu.present\"]")).isEqualTo(10);
        assertThat(locations.line("spec.list[0]")).isEqualTo(12);
        assertThat(locations.line("spec.list[1]")).isEqualTo(14);
    }

    @Test
    void columnsAndOffsetsPointAtTheKey()
    {
        PlanLocations.Position ip = locations.position("spec.vms[0].ip").orElseThrow();
        assertThat(ip.column()).isEqualTo(7);
        assertThat(YAML.substring(ip.offset())).startsWith("ip: \"10.0.20.5\"");
        PlanLocations.Position name = locations.position("spec.vms[1].name").orElseThrow();
        assertThat(YAML.substring(name.offset())).startsWith("name: b}");
    }

    @Test
    void spansOfScalarValuesIncludeTheirQuotes()
    {
        PlanLocations.Span ip = locations.value("spec.vms[0].ip").orElseThrow();
        assertThat(YAML.substring(ip.start().offset(), ip.end().offset())).isEqualTo("\"10.0.20.5\"");
        PlanLocations.Span vmid = locations.value("spec.vms[1].vmid").orElseThrow();
        assertThat(YAML.substring(vmid.start().offset(), vmid.end().offset())).isEqualTo("102");
        assertThat(locations.value("spec.vms")).isEmpty();
    }

    @Test
    void offsetsCountJavaCharactersAfterCharactersOutsideTheBasicPlane()
    {
        String yaml = "a: \"\uD83D\uDE80 rocket\"   # \uD83D\uDE80\nb: 12\n";
        PlanLocations emoji = PlanLocations.of(yaml);
        PlanLocations.Span a = emoji.value("a").orElseThrow();
        assertThat(yaml.substring(a.start().offset(), a.end().offset())).isEqualTo("\"\uD83D\uDE80 rocket\"");
        PlanLocations.Span b = emoji.value("b").orElseThrow();
        assertThat(yaml.substring(b.start().offset(), b.end().offset())).isEqualTo("12");
    }

    @Test
    void anUnwrittenPathFallsBackToItsNearestWrittenParent()
    {
        assertThat(locations.position("spec.host.memory")).isEmpty();
        assertThat(locations.line("spec.host.memory")).isEqualTo(3);
        assertThat(locations.line("spec.vms[0].networks[2].vlan")).isEqualTo(6);
        assertThat(locations.line("spec.labels[\"other.io/x\"]")).isEqualTo(9);
        assertThat(locations.line("nowhere.at.all")).isZero();
    }

    @Test
    void parentsOfPaths()
    {
        assertThat(PlanLocations.parent("spec.vms[4].ip")).isEqualTo("spec.vms[4]");
        assertThat(PlanLocations.parent("spec.vms[4]")).isEqualTo("spec.vms");
        assertThat(PlanLocations.parent("spec")).isEmpty();
        assertThat(PlanLocations.parent("spec.labels[\"a.b/c[0]\"]")).isEqualTo("spec.labels");
        assertThat(PlanLocations.parent("spec.labels[\"a\\\"b\"].x")).isEqualTo("spec.labels[\"a\\\"b\"]");
    }

    @Test
    void rendersPathsAsConfigExceptionDoes()
    {
        assertThat(PlanLocations.render(List.of("spec", "vms", 3, "cores"))).isEqualTo("spec.vms[3].cores");
        assertThat(PlanLocations.render(List.of("spec", "gpuNodePolicy", "labels", "nvidia.com/gpu.present"))).isEqualTo("spec.gpuNodePolicy.labels[\"nvidia.com/gpu.present\"]");
    }

    @Test
    void invalidYamlIsLocatedAsFarAsItCouldBeRead()
    {
        PlanLocations broken = PlanLocations.of("a: 1\nb: [unclosed\n");
        assertThat(broken.line("a")).isEqualTo(1);
    }
}
