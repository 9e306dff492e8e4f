package io.rackpilot.agent.report;

import io.rackpilot.agent.inventory.CollectorObserver;
import io.rackpilot.agent.inventory.InventoryCollection;
import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.common.testing.TestingClock;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.SystemInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TestInventoryReporter
{
    private static final Instant START = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aReportIsStampedWithTheStartOfItsCollectionSoNothingInItIsOlderThanItsStamp()
            throws Exception
    {
        TestingClock clock = new TestingClock(START);
        // a slow collector: the machine's state is read at the start, the collection ends 20 s later
        InventoryCollector slow = new InventoryCollector()
        {
            @Override
            public String name()
            {
                return "system";
            }

            @Override
            public void collect(Inventory.Builder inventory)
            {
                inventory.setSystem(SystemInfo.newBuilder().setHostname("pve"));
                clock.advance(Duration.ofSeconds(20));
            }
        };
        List<AgentMessage> sent = new CopyOnWriteArrayList<>();
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        try {
            InventoryReporter reporter = new InventoryReporter(
                    new InventoryCollection(List.of(slow), CollectorObserver.NONE),
                    thread,
                    Duration.ofHours(1),
                    message -> sent.add(message),
                    clock);
            reporter.refreshNow().get(10, TimeUnit.SECONDS);
            assertThat(sent).hasSize(1);
            assertThat(Timestamps.toInstant(sent.get(0).getReport().getCollectedAt())).isEqualTo(START);

            // a new stream gets the same snapshot, with the same stamp, not the time of the re-send
            clock.advance(Duration.ofMinutes(5));
            reporter.connected();
            reporter.refreshNow().get(10, TimeUnit.SECONDS);
            assertThat(sent).hasSizeGreaterThanOrEqualTo(2);
            assertThat(sent.get(1).getReport().getFull()).isTrue();
            assertThat(Timestamps.toInstant(sent.get(1).getReport().getCollectedAt())).isEqualTo(START);
        }
        finally {
            thread.shutdownNow();
        }
    }
}
