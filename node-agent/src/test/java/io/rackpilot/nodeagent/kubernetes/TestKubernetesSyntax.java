package io.rackpilot.nodeagent.kubernetes;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestKubernetesSyntax
{
    @Test
    void qualifiedNames()
    {
        assertThat(KubernetesSyntax.qualifiedNameProblem("nvidia.com/gpu")).isEmpty();
        assertThat(KubernetesSyntax.qualifiedNameProblem("nvidia.com/gpu.present")).isEmpty();
        assertThat(KubernetesSyntax.qualifiedNameProblem("node-role.kubernetes.io/control-plane")).isEmpty();
        assertThat(KubernetesSyntax.qualifiedNameProblem("gpu")).isEmpty();
        assertThat(KubernetesSyntax.qualifiedNameProblem("a/" + "n".repeat(63))).isEmpty();
        assertThat(KubernetesSyntax.qualifiedNameProblem("")).contains("must not be empty");
        assertThat(KubernetesSyntax.qualifiedNameProblem("/gpu")).contains("'/gpu': the prefix before '/' must not be empty");
        assertThat(KubernetesSyntax.qualifiedNameProblem("a/" + "n".repeat(64))).get().asString().contains("at most 63 characters, got 64");
        assertThat(KubernetesSyntax.qualifiedNameProblem("p".repeat(254) + "/x")).get().asString().contains("at most 253");
        assertThat(KubernetesSyntax.qualifiedNameProblem("nvidia.com/-gpu")).get().asString().contains("must start and end");
        assertThat(KubernetesSyntax.qualifiedNameProblem("nvidia.com/gpu/x")).get().asString().contains("must start and end");
        assertThat(KubernetesSyntax.qualifiedNameProblem("nvidia_com/gpu")).get().asString().contains("DNS subdomain");
    }

    @Test
    void labelValues()
    {
        assertThat(KubernetesSyntax.labelValueProblem("")).isEmpty();
        assertThat(KubernetesSyntax.labelValueProblem("true")).isEmpty();
        assertThat(KubernetesSyntax.labelValueProblem("Tesla-T4_16GB.v1")).isEmpty();
        assertThat(KubernetesSyntax.labelValueProblem("v".repeat(63))).isEmpty();
        assertThat(KubernetesSyntax.labelValueProblem("v".repeat(64))).get().asString().endsWith("must be at most 63 characters, got 64");
        assertThat(KubernetesSyntax.labelValueProblem("a b")).get().asString().contains("must start and end");
        assertThat(KubernetesSyntax.labelValueProblem("x.")).get().asString().contains("must start and end");
    }

    @Test
    void taintEffects()
    {
        assertThat(KubernetesSyntax.taintEffectProblem("NoSchedule")).isEmpty();
        assertThat(KubernetesSyntax.taintEffectProblem("PreferNoSchedule")).isEmpty();
        assertThat(KubernetesSyntax.taintEffectProblem("NoExecute")).isEmpty();
        assertThat(KubernetesSyntax.taintEffectProblem("noschedule")).contains("'noschedule' is not an effect: use NoSchedule, PreferNoSchedule or NoExecute");
    }
}
