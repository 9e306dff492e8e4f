package io.rackpilot.agent.inventory;

import io.rackpilot.proto.v1.Inventory;
import oshi.SystemInfo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures the inventory on this machine: the first collection (OSHI warming up), later ones, per
 * collector, and the heap the collectors keep between collections. Prints figures, asserts nothing.
 * Run in a JVM of its own, with a heap as small as an agent's:
 * <pre>
 * mvn -q -o -pl agent-core -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx32m -XX:+UseSerialGC -cp agent-core/target/test-classes:agent-core/target/classes:$(cat /tmp/cp.txt) \
 *     io.rackpilot.agent.inventory.InventoryFootprint
 * </pre>
 */
public final class InventoryFootprint
{
    private static final int LATER_COLLECTIONS = 20;

    private InventoryFootprint() {}

    public static void main(String[] arguments)
    {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // load the protobuf classes first, so that the baseline holds them
        Inventory.getDefaultInstance().toBuilder().build();
        long baselineBytes = retainedHeap(memory);

        Map<String, List<Long>> durations = new LinkedHashMap<>();
        long start = System.nanoTime();
        SystemInfo systemInfo = new SystemInfo();
        InventoryCollection collection = new InventoryCollection(
                InventoryCollectors.standard(systemInfo, SystemUuidSource.standard()),
                (collector, success, durationNanos) -> durations.computeIfAbsent(collector, name -> new ArrayList<>()).add(success ? durationNanos : -durationNanos));
        Inventory inventory = collection.collect();
        long firstNanos = System.nanoTime() - start;

        List<Long> laterNanos = new ArrayList<>();
        for (int i = 0; i < LATER_COLLECTIONS; i++) {
            long laterStart = System.nanoTime();
            inventory = collection.collect();
            laterNanos.add(System.nanoTime() - laterStart);
        }
        long retainedBytes = retainedHeap(memory) - baselineBytes;

        System.out.printf(Locale.ROOT, "first collection (new SystemInfo + collect): %.1f ms%n", firstNanos / 1e6);
        System.out.printf(Locale.ROOT, "later collections: median %.1f ms, min %.1f ms, max %.1f ms (%d runs)%n",
                median(laterNanos) / 1e6, laterNanos.stream().mapToLong(Long::longValue).min().orElseThrow() / 1e6,
                laterNanos.stream().mapToLong(Long::longValue).max().orElseThrow() / 1e6, laterNanos.size());
        for (Map.Entry<String, List<Long>> collector : durations.entrySet()) {
            List<Long> values = collector.getValue();
            System.out.printf(Locale.ROOT, "  %-20s first %7.2f ms, later median %7.2f ms%s%n",
                    collector.getKey(), Math.abs(values.get(0)) / 1e6, median(values.subList(1, values.size())) / 1e6,
                    values.stream().anyMatch(value -> value < 0) ? " (failed at least once)" : "");
        }
        System.out.printf(Locale.ROOT, "heap retained by OSHI, collectors and the last snapshot: %.1f KiB (max heap %d MiB)%n",
                retainedBytes / 1024.0, Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf(Locale.ROOT, "serialized snapshot: %d bytes%n", inventory.getSerializedSize());
        // keep everything reachable until after the measurement
        System.out.println(collection.collectorNames().size() + " collectors, " + systemInfo.getClass().getSimpleName());
    }

    private static long retainedHeap(MemoryMXBean memory)
    {
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static long median(List<Long> values)
    {
        List<Long> sorted = values.stream().map(Math::abs).sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
