package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.math.RoundingMode;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class TestPods
{
    @Test
    void amountsAreWholeNumbersRoundedAsAsked()
    {
        assertThat(Pods.wholeAmount(new Quantity("1"), RoundingMode.CEILING)).isEqualTo(1);
        assertThat(Pods.wholeAmount(new Quantity("500m"), RoundingMode.CEILING)).isEqualTo(1);
        assertThat(Pods.wholeAmount(new Quantity("500m"), RoundingMode.FLOOR)).isZero();
        assertThat(Pods.wholeAmount(new Quantity("2Ki"), RoundingMode.FLOOR)).isEqualTo(2048);
    }

    @Test
    void quantitiesNoApiServerSendsCountAsNothingOrTheMost()
    {
        // found by TestKubernetesJsonFuzzing: these threw IllegalArgumentException, ArithmeticException or NullPointerException out of the collector
        assertThat(Pods.wholeAmount(null, RoundingMode.CEILING)).isZero();
        assertThat(Pods.wholeAmount(new Quantity("abc"), RoundingMode.CEILING)).isZero();
        assertThat(Pods.wholeAmount(new Quantity("-3"), RoundingMode.CEILING)).isZero();
        assertThat(Pods.wholeAmount(new Quantity("99999999999999999999"), RoundingMode.CEILING)).isEqualTo(Long.MAX_VALUE);
        assertThat(Pods.wholeAmount(new Quantity("1e400"), RoundingMode.FLOOR)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void containersThatAreMissingHoldNothing()
    {
        Pod pod = new PodBuilder()
                .withNewMetadata().withNamespace("ml").withName("trainer").endMetadata()
                .withNewSpec()
                .withContainers(Arrays.asList(null, new ContainerBuilder().withName("c").withNewResources().addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().build()))
                .endSpec()
                .build();
        assertThat(Pods.amountOf(pod, "nvidia.com/gpu")).isEqualTo(1);
    }
}
