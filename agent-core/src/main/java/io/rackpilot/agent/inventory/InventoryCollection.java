package io.rackpilot.agent.inventory;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.proto.v1.Inventory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Runs every collector, each on its own scratch builder, timed, and guarded: a collector that fails
 * (an exception, or a missing native library) does not stop the others, and its section stays what
 * the previous collection found (unset if it never succeeded), so a flaky collector never makes a
 * section disappear. Each run is reported to the {@link CollectorObserver}. A failure is logged as a
 * warning when a collector starts failing, and its recovery once; repeated failures in between are
 * logged at FINE so that a collector broken for good does not fill the journal.
 * <p>
 * Thread safe: {@link #collect()} runs one collection at a time.
 */
public final class InventoryCollection
{
    private static final Logger log = Logger.getLogger(InventoryCollection.class.getName());

    private final List<InventoryCollector> collectors;
    private final CollectorObserver observer;
    private final LongSupplier nanoTime;
    private final Map<String, Boolean> lastSuccess = new HashMap<>();

    private Inventory last = Inventory.getDefaultInstance();

    public InventoryCollection(List<InventoryCollector> collectors, CollectorObserver observer)
    {
        this(collectors, observer, System::nanoTime);
    }

    InventoryCollection(List<InventoryCollector> collectors, CollectorObserver observer, LongSupplier nanoTime)
    {
        this.collectors = List.copyOf(requireNonNull(collectors, "collectors is null"));
        this.observer = requireNonNull(observer, "observer is null");
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
        Set<String> names = new HashSet<>();
        for (InventoryCollector collector : this.collectors) {
            if (!names.add(collector.name())) {
                throw new IllegalArgumentException("two inventory collectors are named '" + collector.name() + "'");
            }
        }
    }

    public List<String> collectorNames()
    {
        return collectors.stream().map(InventoryCollector::name).toList();
    }

    /**
     * Runs all collectors and returns the new snapshot (protobuf messages are immutable).
     */
    public synchronized Inventory collect()
    {
        Inventory.Builder snapshot = last.toBuilder();
        for (InventoryCollector collector : collectors) {
            Inventory.Builder sections = Inventory.newBuilder();
            long start = nanoTime.getAsLong();
            Throwable failure = null;
            try {
                collector.collect(sections);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
            }
            catch (Exception | LinkageError e) {
                failure = e;
            }
            long durationNanos = Math.max(nanoTime.getAsLong() - start, 0);
            if (failure == null) {
                for (Map.Entry<FieldDescriptor, Object> section : sections.getAllFields().entrySet()) {
                    snapshot.setField(section.getKey(), section.getValue());
                }
            }
            logTransition(collector.name(), failure);
            observer.collected(collector.name(), failure == null, durationNanos);
        }
        last = snapshot.build();
        return last;
    }

    private void logTransition(String name, Throwable failure)
    {
        Boolean previousSuccess = lastSuccess.put(name, failure == null);
        if (failure != null) {
            Level level = Boolean.FALSE.equals(previousSuccess) ? Level.FINE : Level.WARNING;
            log.log(level, "inventory collector " + name + " failed; its section keeps the previous value", failure);
        }
        else if (Boolean.FALSE.equals(previousSuccess)) {
            log.info("inventory collector " + name + " works again");
        }
    }
}
