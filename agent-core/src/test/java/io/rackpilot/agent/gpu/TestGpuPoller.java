package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.Gpu;
import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestGpuPoller
{
    private static final Duration INTERVAL = Duration.ofMillis(50);
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    private final ScriptedGpuSource source = new ScriptedGpuSource();
    private final BlockingQueue<Published> published = new LinkedBlockingQueue<>();
    private final List<Observation> observations = new CopyOnWriteArrayList<>();
    private final GpuPoller poller = new GpuPoller(
            source,
            INTERVAL,
            TIMEOUT,
            gpus -> published.add(new Published(gpus, System.nanoTime())),
            (success, durationNanos) -> observations.add(new Observation(success, durationNanos)),
            Clock.systemUTC());

    private record Published(Gpus gpus, long nanoTime) {}

    private record Observation(boolean success, long durationNanos) {}

    @AfterEach
    void close()
    {
        source.release();
        poller.close();
    }

    @Test
    void pollsOnItsOwnDaemonThreadEveryInterval()
            throws InterruptedException
    {
        assertThat(poller.latest().getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_UNSPECIFIED);
        Gpus gpus = available(gpu("GPU-a", GpuHealth.GPU_HEALTH_HEALTHY));
        source.answer(gpus);
        long start = System.nanoTime();
        poller.start();
        for (int poll = 0; poll < 4; poll++) {
            assertThat(next().gpus()).isEqualTo(gpus);
        }
        long elapsed = System.nanoTime() - start;
        // four polls, the first at once: at least three intervals
        assertThat(elapsed).isGreaterThanOrEqualTo(3 * INTERVAL.toNanos());
        assertThat(source.pollThreads()).allSatisfy(thread -> assertThat(thread).isEqualTo("rackpilot-gpu (daemon)"));
        assertThat(poller.latest()).isEqualTo(gpus);
        assertThat(observations).allSatisfy(observation -> assertThat(observation.success()).isTrue());
    }

    @Test
    void aHungPollIsReportedAfterTheTimeoutAndNoOtherPollStartsUntilItReturns()
            throws InterruptedException
    {
        Gpus before = available(gpu("GPU-a", GpuHealth.GPU_HEALTH_HEALTHY), gpu("GPU-b", GpuHealth.GPU_HEALTH_LOST));
        source.answer(before);
        poller.start();
        assertThat(next().gpus()).isEqualTo(before);

        source.hang();
        Published hung;
        do {
            hung = next();
        }
        while (hung.gpus().getNvml().getState() != NvmlStatus.State.STATE_ERROR);
        long hungAfter = hung.nanoTime() - source.lastPollStart();
        String message = "an NVML call has not returned for 300 ms";
        assertThat(hung.gpus().getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_ERROR);
        assertThat(hung.gpus().getNvml().getMessage()).isEqualTo(message);
        assertThat(hung.gpus().getNvml().getDriverVersion()).isEqualTo("550.54.15");
        assertThat(hung.gpus().getItemsList()).containsExactly(
                gpu("GPU-a", GpuHealth.GPU_HEALTH_ERROR).toBuilder().setHealthDetail(message).build(),
                gpu("GPU-b", GpuHealth.GPU_HEALTH_LOST));
        // the poller's clock starts when it hands the poll over, the source's a moment later
        assertThat(hungAfter).isBetween(TIMEOUT.minusMillis(20).toNanos(), TIMEOUT.toNanos() + Duration.ofMillis(500).toNanos());
        assertThat(poller.latest()).isEqualTo(hung.gpus());
        int hungObservation = observations.size() - 1;
        assertThat(observations.get(hungObservation)).isEqualTo(new Observation(false, TIMEOUT.toNanos()));

        // many intervals later: still the one hung poll, nothing else published
        int polls = source.polls();
        assertThat(published.poll(10 * INTERVAL.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        assertThat(source.polls()).isEqualTo(polls);
        assertThat(source.finishedPolls()).isEqualTo(polls - 1);

        Gpus after = available(gpu("GPU-a", GpuHealth.GPU_HEALTH_HEALTHY));
        source.answer(after);
        source.release();
        Published returned = next();
        assertThat(returned.gpus()).isEqualTo(after);
        Observation returnedObservation = observations.get(hungObservation + 1);
        assertThat(returnedObservation.success()).isTrue();
        assertThat(returnedObservation.durationNanos()).isGreaterThan(10 * INTERVAL.toNanos());
        // and polling goes on, the next poll an interval after the hung one returned
        Published following = next();
        assertThat(following.gpus()).isEqualTo(after);
        assertThat(following.nanoTime() - returned.nanoTime()).isGreaterThanOrEqualTo(INTERVAL.toNanos() - Duration.ofMillis(5).toNanos());
        assertThat(source.polls()).isGreaterThan(polls);
    }

    @Test
    void aFailingSourceIsAnErrorAndPollingGoesOn()
            throws InterruptedException
    {
        source.fail(new IllegalStateException("boom"));
        poller.start();
        Gpus failed = next().gpus();
        assertThat(failed.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_ERROR);
        assertThat(failed.getNvml().getMessage()).isEqualTo("reading the GPUs failed: java.lang.IllegalStateException: boom");
        assertThat(observations.get(0).success()).isFalse();

        source.fail(null);
        Gpus gpus = available(gpu("GPU-a", GpuHealth.GPU_HEALTH_HEALTHY));
        source.answer(gpus);
        Published recovered;
        do {
            recovered = next();
        }
        while (recovered.gpus().getNvml().getState() == NvmlStatus.State.STATE_ERROR);
        assertThat(recovered.gpus()).isEqualTo(gpus);
    }

    @Test
    void anAbsentLibraryIsASuccessfulPoll()
            throws InterruptedException
    {
        source.answer(Gpus.newBuilder().setNvml(NvmlStatus.newBuilder().setState(NvmlStatus.State.STATE_ABSENT)).build());
        poller.start();
        next();
        assertThat(observations.get(0).success()).isTrue();
    }

    @Test
    void aFailingListenerDoesNotStopPolling()
            throws InterruptedException
    {
        BlockingQueue<Gpus> seen = new LinkedBlockingQueue<>();
        try (GpuPoller failing = new GpuPoller(source, INTERVAL, TIMEOUT, gpus -> {
            seen.add(gpus);
            throw new IllegalStateException("listener broke");
        }, GpuPollObserver.NONE, Clock.systemUTC())) {
            failing.start();
            for (int poll = 0; poll < 3; poll++) {
                assertThat(seen.poll(5, TimeUnit.SECONDS)).isNotNull();
            }
        }
    }

    @Test
    void closeStopsPollingAndClosesTheSourceOnTheGpuThread()
            throws InterruptedException
    {
        poller.start();
        next();
        poller.close();
        assertThat(source.closingThread()).isEqualTo("rackpilot-gpu");
        int polls = source.polls();
        published.clear();
        assertThat(published.poll(5 * INTERVAL.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        assertThat(source.polls()).isEqualTo(polls);
    }

    @Test
    void closeDoesNotWaitLongerThanTheTimeoutForAHungPoll()
            throws InterruptedException
    {
        source.hang();
        poller.start();
        while (source.polls() == 0) {
            Thread.sleep(5);
        }
        long start = System.nanoTime();
        poller.close();
        assertThat(System.nanoTime() - start).isLessThan(TIMEOUT.toNanos() + Duration.ofMillis(500).toNanos());
        assertThat(source.closingThread()).isNull();
        source.release();
        for (int wait = 0; wait < 500 && source.closingThread() == null; wait++) {
            Thread.sleep(10);
        }
        assertThat(source.closingThread()).isEqualTo("rackpilot-gpu");
    }

    @Test
    void startsOnlyOnce()
    {
        poller.start();
        assertThatThrownBy(poller::start).isInstanceOf(IllegalStateException.class).hasMessage("the GPU poller is already started");
        poller.close();
        assertThatThrownBy(poller::start).isInstanceOf(IllegalStateException.class).hasMessage("the GPU poller is closed");
    }

    @Test
    void rejectsNonPositiveDurations()
    {
        assertThatThrownBy(() -> new GpuPoller(source, Duration.ZERO, TIMEOUT, gpus -> {}, GpuPollObserver.NONE, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interval must be positive, got PT0S");
        assertThatThrownBy(() -> new GpuPoller(source, INTERVAL, Duration.ofSeconds(-1), gpus -> {}, GpuPollObserver.NONE, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be positive, got PT-1S");
    }

    @Test
    void durationsAreWordedInSecondsWhenWhole()
    {
        assertThat(GpuPoller.describe(Duration.ofSeconds(3))).isEqualTo("3 s");
        assertThat(GpuPoller.describe(Duration.ofMillis(1500))).isEqualTo("1500 ms");
    }

    private Published next()
            throws InterruptedException
    {
        Published next = published.poll(5, TimeUnit.SECONDS);
        assertThat(next).as("a poll result within 5 s").isNotNull();
        return next;
    }

    private static Gpus available(Gpu... gpus)
    {
        return Gpus.newBuilder()
                .setNvml(NvmlStatus.newBuilder()
                        .setState(NvmlStatus.State.STATE_AVAILABLE)
                        .setLibrary("libnvidia-ml.so.1")
                        .setDriverVersion("550.54.15"))
                .addAllItems(List.of(gpus))
                .build();
    }

    private static Gpu gpu(String uuid, GpuHealth health)
    {
        return Gpu.newBuilder()
                .setUuid(uuid)
                .setName("Tesla T4")
                .setHealth(health)
                .setTemperatureCelsius(40)
                .build();
    }
}
