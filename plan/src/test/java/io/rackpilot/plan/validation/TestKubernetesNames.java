package io.rackpilot.plan.validation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestKubernetesNames
{
    @Test
    void acceptsQualifiedNames()
    {
        assertThat(KubernetesNames.qualifiedNameProblem("nvidia.com/gpu")).isEmpty();
        assertThat(KubernetesNames.qualifiedNameProblem("nvidia.com/gpu.present")).isEmpty();
        assertThat(KubernetesNames.qualifiedNameProblem("dedicated")).isEmpty();
        assertThat(KubernetesNames.qualifiedNameProblem("A_b-c.D9")).isEmpty();
        assertThat(KubernetesNames.qualifiedNameProblem("x".repeat(253) + "/" + "y".repeat(63))).isEmpty();
    }

    @Test
    void refusesBadQualifiedNames()
    {
        assertThat(KubernetesNames.qualifiedNameProblem("nvidia.com/")).contains("the name after '/' is empty");
        assertThat(KubernetesNames.qualifiedNameProblem("")).contains("the name is empty");
        assertThat(KubernetesNames.qualifiedNameProblem("/gpu")).contains("the prefix before '/' is empty");
        assertThat(KubernetesNames.qualifiedNameProblem("-bad")).hasValueSatisfying(problem -> assertThat(problem).startsWith("the name must start and end with a letter or digit"));
        assertThat(KubernetesNames.qualifiedNameProblem("bad-")).isPresent();
        assertThat(KubernetesNames.qualifiedNameProblem("a/b/c")).contains("a qualified name has at most one '/'");
        assertThat(KubernetesNames.qualifiedNameProblem("Nvidia.com/gpu")).hasValueSatisfying(problem -> assertThat(problem).contains("not a DNS subdomain"));
        assertThat(KubernetesNames.qualifiedNameProblem("x".repeat(254) + "/gpu")).hasValueSatisfying(problem -> assertThat(problem).contains("254 characters long, more than 253"));
        assertThat(KubernetesNames.qualifiedNameProblem("g".repeat(64))).contains("the name is 64 characters long, more than 63");
        assertThat(KubernetesNames.qualifiedNameProblem("has space")).isPresent();
    }

    @Test
    void labelValues()
    {
        assertThat(KubernetesNames.labelValueProblem("")).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("true")).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("v".repeat(63))).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("v".repeat(64))).contains("it is 64 characters long, more than 63");
        assertThat(KubernetesNames.labelValueProblem("a/b")).isPresent();
        assertThat(KubernetesNames.labelValueProblem("_x")).isPresent();
        assertThat(KubernetesNames.labelValueProblem("x.")).isPresent();
    }
}
