package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.CpuInfo;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.MemoryInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestInventoryCollection
{
    private final AtomicLong nanoTime = new AtomicLong(1_000);
    private final List<String> observed = new ArrayList<>();
    private final CollectorObserver observer = (collector, success, durationNanos) -> observed.add(collector + " " + success + " " + durationNanos);

    @Test
    void runsEveryCollectorTimedAndReportsEach()
    {
        InventoryCollection collection = new InventoryCollection(
                List.of(new ScriptedCollector("cpu", 30, inventory -> inventory.setCpu(CpuInfo.newBuilder().setLogicalCores(8))),
                        new ScriptedCollector("memory", 5, inventory -> inventory.setMemory(MemoryInfo.newBuilder().setTotalBytes(1024)))),
                observer,
                nanoTime::get);

        Inventory inventory = collection.collect();

        assertThat(inventory).isEqualTo(Inventory.newBuilder()
                .setCpu(CpuInfo.newBuilder().setLogicalCores(8))
                .setMemory(MemoryInfo.newBuilder().setTotalBytes(1024))
                .build());
        assertThat(observed).containsExactly("cpu true 30", "memory true 5");
        assertThat(collection.collectorNames()).containsExactly("cpu", "memory");
    }

    @Test
    void aFailingCollectorKeepsItsPreviousSectionAndDoesNotStopTheOthers()
    {
        List<Long> memoryTotals = new ArrayList<>(List.of(1024L, 2048L));
        ScriptedCollector flaky = new ScriptedCollector("cpu", 7, inventory -> inventory.setCpu(CpuInfo.newBuilder().setLogicalCores(8)));
        InventoryCollection collection = new InventoryCollection(
                List.of(flaky, new ScriptedCollector("memory", 1, inventory -> inventory.setMemory(MemoryInfo.newBuilder().setTotalBytes(memoryTotals.remove(0))))),
                observer,
                nanoTime::get);
        collection.collect();
        flaky.failWith(new IllegalStateException("cannot read /proc/cpuinfo"), inventory -> inventory.setCpu(CpuInfo.newBuilder().setLogicalCores(999)));

        Inventory second = collection.collect();

        assertThat(second.getCpu().getLogicalCores()).as("the previous section, not the half-written one").isEqualTo(8);
        assertThat(second.getMemory().getTotalBytes()).isEqualTo(2048);
        assertThat(observed).containsExactly("cpu true 7", "memory true 1", "cpu false 7", "memory true 1");
    }

    @Test
    void aCollectorThatNeverWorkedLeavesItsSectionUnset()
    {
        InventoryCollection collection = new InventoryCollection(
                List.of(new ScriptedCollector("disks", 2, inventory -> {
                            throw new UnsatisfiedLinkError("libudev.so.1: cannot open shared object file");
                        }),
                        new ScriptedCollector("memory", 1, inventory -> inventory.setMemory(MemoryInfo.newBuilder().setTotalBytes(1024)))),
                observer,
                nanoTime::get);

        Inventory inventory = collection.collect();

        assertThat(inventory.hasDisks()).isFalse();
        assertThat(inventory.hasMemory()).isTrue();
        assertThat(observed).containsExactly("disks false 2", "memory true 1");
    }

    @Test
    void anInterruptedCollectorFailsAndKeepsTheInterrupt()
    {
        InventoryCollection collection = new InventoryCollection(
                List.of(new ScriptedCollector("cpu", 1, inventory -> {
                    throw new InterruptedException();
                })),
                observer,
                nanoTime::get);

        try {
            collection.collect();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(observed).containsExactly("cpu false 1");
        }
        finally {
            Thread.interrupted();
        }
    }

    @Test
    void collectorNamesMustBeUnique()
    {
        assertThatThrownBy(() -> new InventoryCollection(
                List.of(new ScriptedCollector("cpu", 1, inventory -> {}), new ScriptedCollector("cpu", 1, inventory -> {})),
                CollectorObserver.NONE))
                .hasMessage("two inventory collectors are named 'cpu'");
    }

    @FunctionalInterface
    private interface Script
    {
        void run(Inventory.Builder inventory)
                throws Exception;
    }

    /**
     * Advances the fake clock by a fixed duration and runs its script; can be told to fail, after
     * writing into the builder.
     */
    private final class ScriptedCollector
            implements InventoryCollector
    {
        private final String name;
        private final long durationNanos;
        private Script script;

        ScriptedCollector(String name, long durationNanos, Script script)
        {
            this.name = name;
            this.durationNanos = durationNanos;
            this.script = script;
        }

        void failWith(Exception failure, Script partialWrite)
        {
            script = inventory -> {
                partialWrite.run(inventory);
                throw failure;
            };
        }

        @Override
        public String name()
        {
            return name;
        }

        @Override
        public void collect(Inventory.Builder inventory)
                throws Exception
        {
            nanoTime.addAndGet(durationNanos);
            script.run(inventory);
        }
    }
}
