package io.rackpilot.agent.report;

import io.rackpilot.common.protocol.InventoryChange;
import io.rackpilot.agent.inventory.InventoryCollection;
import io.rackpilot.common.protocol.InventoryDiff;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.Report;

import java.time.Clock;
import java.time.Instant;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Collects the inventory on its own thread and schedule (so slow collection never holds up
 * heartbeats or commands) and reports it: a full snapshot after every connect, then only the
 * sections that changed. GPU state arrives from the GPU poller and goes out the same way. All state
 * is confined to the inventory thread.
 */
public final class InventoryReporter
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(InventoryReporter.class.getName());

    private final InventoryCollection collection;
    private final ScheduledExecutorService inventoryThread;
    private final Duration interval;
    private final Predicate<AgentMessage> outbound;
    private final Clock clock;
    private final Runnable eachRun;

    private Inventory lastCollected;
    // when the collection of lastCollected started
    private Instant lastCollectedAt;
    private Inventory lastSent;
    private Gpus latestGpus;

    public InventoryReporter(InventoryCollection collection, ScheduledExecutorService inventoryThread, Duration interval, Predicate<AgentMessage> outbound, Clock clock)
    {
        this(collection, inventoryThread, interval, outbound, clock, () -> {});
    }

    /**
     * @param eachRun told at the start of every collection, scheduled or asked for (a liveness tick)
     */
    public InventoryReporter(InventoryCollection collection, ScheduledExecutorService inventoryThread, Duration interval, Predicate<AgentMessage> outbound, Clock clock, Runnable eachRun)
    {
        this.collection = requireNonNull(collection, "collection is null");
        this.inventoryThread = requireNonNull(inventoryThread, "inventoryThread is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.outbound = requireNonNull(outbound, "outbound is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.eachRun = requireNonNull(eachRun, "eachRun is null");
    }

    public void start()
    {
        inventoryThread.scheduleWithFixedDelay(this::collectAndReport, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A new stream is up: the next report is a full snapshot.
     */
    public void connected()
    {
        execute(() -> {
            lastSent = null;
            if (lastCollected != null) {
                report(lastCollected, lastCollectedAt);
            }
        });
    }

    public void disconnected()
    {
        execute(() -> lastSent = null);
    }

    /**
     * The GPU poller has new GPU state (it polls on its own, shorter interval): report it if it
     * changed, together with the rest of the last collection.
     */
    public void gpusUpdated(Gpus gpus)
    {
        execute(() -> {
            latestGpus = gpus;
            if (lastCollected != null) {
                lastCollected = lastCollected.toBuilder().setGpus(gpus).build();
                // only the GPU section changed, and it is as new as now
                report(lastCollected, clock.instant());
            }
        });
    }

    /**
     * Collects now and reports; the future gives the names of the sections that changed since the
     * previous collection.
     */
    public Future<List<String>> refreshNow()
    {
        return inventoryThread.submit(this::collectAndReport);
    }

    private List<String> collectAndReport()
    {
        eachRun.run();
        try {
            Inventory previous = lastCollected == null ? Inventory.getDefaultInstance() : lastCollected;
            // a report is stamped with the start of its collection: nothing in it is older, so a VM
            // status read before a change is never taken for one read after it
            Instant started = clock.instant();
            Inventory current = collection.collect();
            if (latestGpus != null) {
                current = current.toBuilder().setGpus(latestGpus).build();
            }
            lastCollected = current;
            lastCollectedAt = started;
            report(current, started);
            return InventoryDiff.between(previous, current).sections();
        }
        catch (RuntimeException e) {
            log.log(Level.WARNING, "inventory collection failed", e);
            throw e;
        }
    }

    private void report(Inventory current, Instant collectedAt)
    {
        Report.Builder report = Report.newBuilder().setCollectedAt(Timestamps.of(collectedAt));
        if (lastSent == null) {
            report.setFull(true).setInventory(current);
        }
        else {
            InventoryChange change = InventoryDiff.between(lastSent, current);
            if (change.sections().isEmpty()) {
                return;
            }
            report.setFull(false).setInventory(change.inventory());
        }
        if (outbound.test(AgentMessage.newBuilder().setReport(report).build())) {
            lastSent = current;
        }
        else {
            lastSent = null;
        }
    }

    private void execute(Runnable task)
    {
        try {
            inventoryThread.execute(task);
        }
        catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    @Override
    public void close()
    {
        inventoryThread.shutdownNow();
    }
}

