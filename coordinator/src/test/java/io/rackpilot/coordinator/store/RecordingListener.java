package io.rackpilot.coordinator.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** A watch listener that queues what it gets and remembers on which threads it ran. */
final class RecordingListener
        implements Consumer<WatchEvent>
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
    private final Set<String> threadNames = ConcurrentHashMap.newKeySet();

    @Override
    public void accept(WatchEvent event)
    {
        threadNames.add(Thread.currentThread().getName());
        events.add(event);
    }

    /** Waits for the next {@code count} events and returns them. */
    List<WatchEvent> take(int count)
            throws InterruptedException
    {
        List<WatchEvent> taken = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (taken.size() < count) {
            WatchEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(event)
                    .as("event %s of %s within %s (got %s)", taken.size() + 1, count, TIMEOUT, taken)
                    .isNotNull();
            taken.add(event);
        }
        return taken;
    }

    /** The events received and not yet taken. */
    List<WatchEvent> pending()
    {
        return List.copyOf(events);
    }

    Set<String> threadNames()
    {
        return Set.copyOf(threadNames);
    }
}
