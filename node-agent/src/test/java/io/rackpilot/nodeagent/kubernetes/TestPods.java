package io.rackpilot.nodeagent.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How much of an extended resource a pod holds: Kubernetes' effective request, and nothing once
 * the pod has finished.
 */
class TestPods
{
    private static final String GPU = "nvidia.com/gpu";

    @Test
    void appContainersAddUp()
    {
        Pod pod = pod("Running", List.of(), List.of(limit("a", 1), limit("b", 2), container("c")));
        assertThat(Pods.effectiveRequest(pod, GPU)).isEqualTo(3);
        assertThat(Pods.amountOf(pod, GPU)).isEqualTo(3);
        assertThat(Pods.amountOf(pod, "amd.com/gpu")).isZero();
    }

    @Test
    void theLargestInitContainerCountsWhenItIsMoreThanTheAppContainers()
    {
        // classic rule: max(sum of app containers, largest init container), not their sum
        assertThat(Pods.effectiveRequest(pod("Running", List.of(limit("init-1", 1), limit("init-2", 2)), List.of(limit("app", 1))), GPU)).isEqualTo(2);
        assertThat(Pods.effectiveRequest(pod("Running", List.of(limit("init", 1)), List.of(limit("app", 1), limit("app-2", 1))), GPU)).isEqualTo(2);
        assertThat(Pods.effectiveRequest(pod("Running", List.of(limit("cuda-validation", 1)), List.of(container("validator"))), GPU)).isEqualTo(1);
    }

    @Test
    void sidecarsAddToTheAppContainersAndToTheInitContainersAfterThem()
    {
        // a sidecar (restartPolicy: Always) runs beside the app containers: 1 + 1
        assertThat(Pods.effectiveRequest(pod("Running", List.of(sidecar("exporter", 1)), List.of(limit("app", 1))), GPU)).isEqualTo(2);
        // an init container after a sidecar runs beside it: max(1 + 0, 1 + 2) = 3
        assertThat(Pods.effectiveRequest(pod("Running", List.of(sidecar("exporter", 1), limit("warmup", 2)), List.of(container("app"))), GPU)).isEqualTo(3);
        // an init container before the sidecar does not: max(2, 1 + 0) = 2
        assertThat(Pods.effectiveRequest(pod("Running", List.of(limit("warmup", 2), sidecar("exporter", 1)), List.of(container("app"))), GPU)).isEqualTo(2);
    }

    @Test
    void aRequestWithoutALimitCountsAndSoDoesALimitWithoutARequest()
    {
        Container requestOnly = new ContainerBuilder().withName("a").withNewResources().withRequests(Map.of(GPU, new Quantity("1"))).endResources().build();
        Container limitOnly = new ContainerBuilder().withName("b").withNewResources().withLimits(Map.of(GPU, new Quantity("2"))).endResources().build();
        assertThat(Pods.effectiveRequest(pod("Running", List.of(), List.of(requestOnly, limitOnly)), GPU)).isEqualTo(3);
    }

    @Test
    void aFinishedPodHoldsNothing()
    {
        List<Container> validatorInit = List.of(limit("cuda-validation", 1));
        for (String phase : List.of("Succeeded", "Failed")) {
            Pod finished = pod(phase, validatorInit, List.of(container("nvidia-cuda-validator")));
            assertThat(Pods.isFinished(finished)).as(phase).isTrue();
            assertThat(Pods.amountOf(finished, GPU)).as(phase).isZero();
            assertThat(Pods.effectiveRequest(finished, GPU)).as("what it asked for stays readable").isEqualTo(1);
        }
        for (String phase : List.of("Pending", "Running", "Unknown", "")) {
            Pod live = pod(phase, validatorInit, List.of(container("nvidia-cuda-validator")));
            assertThat(Pods.isFinished(live)).as(phase).isFalse();
            assertThat(Pods.amountOf(live, GPU)).as(phase).isEqualTo(1);
        }
    }

    @Test
    void finishedGpuPodsAreNotChosenByAResourceDrainAndSaySo()
    {
        PodSelection selection = new PodSelection.RequestingResource(GPU);
        Pod finished = pod("Succeeded", List.of(limit("cuda-validation", 1)), List.of(container("validator")));
        Pod web = pod("Running", List.of(), List.of(container("web")));
        assertThat(selection.chooses(finished)).isFalse();
        assertThat(selection.whyNot(finished)).isEqualTo("finished (phase Succeeded): holds no nvidia.com/gpu");
        assertThat(selection.chooses(web)).isFalse();
        assertThat(selection.whyNot(web)).isEqualTo("does not request nvidia.com/gpu");
        assertThat(selection.chooses(pod("Running", List.of(limit("cuda-validation", 1)), List.of(container("validator"))))).isTrue();
    }

    private static Pod pod(String phase, List<Container> initContainers, List<Container> containers)
    {
        return new PodBuilder()
                .withNewMetadata().withNamespace("ml").withName("pod").endMetadata()
                .withNewSpec().withInitContainers(initContainers).withContainers(containers).endSpec()
                .withNewStatus().withPhase(phase.isEmpty() ? null : phase).endStatus()
                .build();
    }

    private static Container container(String name)
    {
        return new ContainerBuilder().withName(name).build();
    }

    private static Container limit(String name, int gpus)
    {
        return new ContainerBuilder().withName(name)
                .withNewResources().withLimits(Map.of(GPU, new Quantity(Integer.toString(gpus)))).withRequests(Map.of(GPU, new Quantity(Integer.toString(gpus)))).endResources()
                .build();
    }

    private static Container sidecar(String name, int gpus)
    {
        return new ContainerBuilder(limit(name, gpus)).withRestartPolicy("Always").build();
    }

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
