package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.GpuHealth;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

final class TestNvmlGpuSource
{
    @TempDir
    Path directory;

    @Test
    void noLibraryIsAbsentAtEveryPoll()
    {
        NvmlGpuSource source = new NvmlGpuSource(Optional.of(directory.resolve("libnvidia-ml.so.1")), Map.of());
        for (int poll = 0; poll < 2; poll++) {
            Gpus gpus = source.poll();
            assertThat(gpus.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_ABSENT);
            assertThat(gpus.getItemsList()).isEmpty();
        }
        assertThat(source.lastPollCallCount()).isZero();
        source.close();
    }

    @Test
    void aLibraryThatAppearsLaterIsFound()
            throws IOException
    {
        FakeNvml fake = FakeNvml.current().script("count = 1\n");
        Path library = directory.resolve("libnvidia-ml.so.1");
        NvmlGpuSource source = new NvmlGpuSource(Optional.empty(), Map.of(NvmlLoader.LIBRARY_ENVIRONMENT_VARIABLE, library.toString()));
        assertThat(source.poll().getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_ABSENT);
        Files.copy(fake.library(), library);
        Gpus gpus = source.poll();
        assertThat(gpus.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
        assertThat(gpus.getNvml().getLibrary()).isEqualTo(library.toString());
        assertThat(gpus.getItemsList()).hasSize(1);
        assertThat(source.lastPollCallCount()).isGreaterThan(10);
        source.close();
    }

    @Test
    void aHungNvmlCallIsReportedAndPollingRecoversWhenItReturns()
            throws InterruptedException
    {
        Duration interval = Duration.ofMillis(100);
        Duration timeout = Duration.ofMillis(300);
        FakeNvml fake = FakeNvml.current().script("count = 1\n");
        TimedSource source = new TimedSource(fake.source());
        BlockingQueue<Gpus> published = new LinkedBlockingQueue<>();
        AtomicLong publishedAt = new AtomicLong();
        try (GpuPoller poller = new GpuPoller(source, interval, timeout, gpus -> {
            publishedAt.set(System.nanoTime());
            published.add(gpus);
        }, GpuPollObserver.NONE, Clock.systemUTC())) {
            poller.start();
            Gpus first = next(published);
            assertThat(first.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
            assertThat(first.getItems(0).getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);

            fake.script("""
                    count = 1
                    gpu.0.sleep.nvmlDeviceGetTemperature = 1500
                    """);
            Gpus hung;
            do {
                hung = next(published);
            }
            while (hung.getNvml().getState() != NvmlStatus.State.STATE_ERROR);
            long reportedAfter = publishedAt.get() - source.lastStart();
            assertThat(hung.getNvml().getMessage()).isEqualTo("an NVML call has not returned for 300 ms");
            assertThat(hung.getItems(0).getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_ERROR);
            assertThat(hung.getItems(0).getUuid()).isEqualTo(first.getItems(0).getUuid());
            assertThat(reportedAfter).isBetween(timeout.toNanos(), timeout.plusMillis(500).toNanos());

            int polls = source.polls();
            assertThat(published.poll(600, TimeUnit.MILLISECONDS)).isNull();
            assertThat(source.polls()).as("no poll starts while one hangs").isEqualTo(polls);

            fake.script("count = 1\n");
            Gpus returned = next(published);
            assertThat(returned.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
            assertThat(returned.getItems(0).getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_HEALTHY);
            Gpus after = next(published);
            assertThat(after.getNvml().getState()).isEqualTo(NvmlStatus.State.STATE_AVAILABLE);
            assertThat(source.polls()).isGreaterThan(polls);
        }
    }

    @Test
    void theScriptNextToTheLibraryWhenTheVariableIsNotSet()
            throws IOException, InterruptedException
    {
        FakeNvml fake = FakeNvml.current();
        Path libraryDirectory = Files.createDirectories(directory.resolve("lib"));
        Path library = Files.copy(fake.library(), libraryDirectory.resolve("libnvidia-ml.so.1"));
        FakeNvml.writeScript(libraryDirectory.resolve("fake-nvml.script"), """
                count = 2
                gpu.0.name = next to the library
                gpu.1.name = a second one
                """);

        List<String> output = probe(library, Optional.empty());
        assertThat(output).contains("state=STATE_AVAILABLE", "names=[next to the library, a second one]");
        String growth = output.stream().filter(line -> line.startsWith("rss-growth-kib=")).findFirst().orElseThrow();
        System.out.println("NVML figures: resident memory growth (KiB) from loading NVML through JNA (fresh JVM, fake library): "
                + growth.substring(growth.indexOf('=') + 1));

        Path elsewhere = directory.resolve("elsewhere.script");
        FakeNvml.writeScript(elsewhere, "count = 1\ngpu.0.name = from the variable\n");
        assertThat(probe(library, Optional.of(elsewhere))).contains("names=[from the variable]");
    }

    private List<String> probe(Path library, Optional<Path> script)
            throws IOException, InterruptedException
    {
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                FakeNvmlProbe.class.getName(),
                library.toString());
        builder.environment().remove(FakeNvml.SCRIPT_VARIABLE);
        script.ifPresent(path -> builder.environment().put(FakeNvml.SCRIPT_VARIABLE, path.toString()));
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().toList();
    }

    private static Gpus next(BlockingQueue<Gpus> published)
            throws InterruptedException
    {
        Gpus next = published.poll(5, TimeUnit.SECONDS);
        assertThat(next).as("a poll result within 5 s").isNotNull();
        return next;
    }

    /**
     * Counts the polls of a source and remembers when the last one started.
     */
    private static final class TimedSource
            implements GpuSource
    {
        private final GpuSource source;
        private final AtomicInteger polls = new AtomicInteger();
        private final AtomicLong lastStart = new AtomicLong();

        TimedSource(GpuSource source)
        {
            this.source = source;
        }

        @Override
        public Gpus poll()
        {
            lastStart.set(System.nanoTime());
            polls.incrementAndGet();
            return source.poll();
        }

        @Override
        public void close()
        {
            source.close();
        }

        int polls()
        {
            return polls.get();
        }

        long lastStart()
        {
            return lastStart.get();
        }
    }
}
