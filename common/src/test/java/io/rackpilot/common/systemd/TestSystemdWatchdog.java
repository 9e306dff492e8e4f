package io.rackpilot.common.systemd;

import io.rackpilot.common.testing.NotifySocket;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TestSystemdWatchdog
{
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void pingsWhileTheLoopsTickAndFallsSilentWhenOneStops()
            throws Exception
    {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(watchdogEnvironment(socket, "200000"));
            notifier.status("connected to coordinator devvm:7450");
            assertThat(socket.receive(WAIT)).contains("STATUS=connected to coordinator devvm:7450");
            Liveness liveness = new Liveness();
            Liveness.Loop heartbeat = liveness.register("coordinator link", Duration.ofMillis(300));
            Liveness.Loop inventory = liveness.register("inventory collection", Duration.ofMillis(300));
            ScheduledExecutorService loops = Executors.newSingleThreadScheduledExecutor();
            loops.scheduleAtFixedRate(heartbeat::tick, 0, 50, TimeUnit.MILLISECONDS);
            try (SystemdWatchdog watchdog = SystemdWatchdog.start(notifier, liveness)) {
                assertThat(watchdog.running()).isTrue();
                // inventory ticks for a while, pings go out every 100 ms
                long until = System.nanoTime() + Duration.ofMillis(700).toNanos();
                int pings = 0;
                while (System.nanoTime() < until) {
                    inventory.tick();
                    if (socket.receive(Duration.ofMillis(50)).filter("WATCHDOG=1"::equals).isPresent()) {
                        pings++;
                    }
                }
                assertThat(pings).isBetween(3, 12);
                assertThat(socket.received().subList(1, socket.received().size())).allMatch("WATCHDOG=1"::equals);

                // inventory stops: at most its 300 ms allowance of pings, then a stuck status and silence
                String stuck = socket.awaitMessage(message -> message.startsWith("STATUS=stuck"), WAIT).orElseThrow();
                assertThat(stuck).startsWith("STATUS=stuck: inventory collection silent for ");
                int before = socket.received().size();
                for (int i = 0; i < 8; i++) {
                    socket.receive(Duration.ofMillis(100));
                }
                List<String> afterStall = socket.received().subList(before, socket.received().size());
                assertThat(afterStall).isNotEmpty().allMatch(message -> message.startsWith("STATUS=stuck: inventory collection silent for "));

                // it goes round again: the status comes back and so do the pings
                inventory.tick();
                assertThat(socket.awaitMessage(message -> !message.startsWith("STATUS=stuck"), WAIT)).contains("STATUS=connected to coordinator devvm:7450");
                assertThat(socket.awaitMessage("WATCHDOG=1"::equals, WAIT)).isPresent();
                inventory.close();
            }
            finally {
                loops.shutdownNow();
            }
        }
    }

    @Test
    void onceStoppingItPingsWithoutAskingTheLoops()
            throws Exception
    {
        try (NotifySocket socket = NotifySocket.atPath(Files.createTempDirectory("watchdog").resolve("notify"))) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(watchdogEnvironment(socket, "100000"));
            Liveness liveness = new Liveness();
            liveness.register("closed by now", Duration.ofMillis(1));
            Thread.sleep(5);
            SystemdWatchdog watchdog = SystemdWatchdog.start(notifier, liveness);
            try {
                assertThat(socket.awaitMessage(message -> message.startsWith("STATUS=stuck: closed by now"), WAIT)).isPresent();
                notifier.stopping();
                assertThat(socket.awaitMessage("WATCHDOG=1"::equals, WAIT)).isPresent();
                assertThat(socket.received()).contains("STOPPING=1");
            }
            finally {
                watchdog.close();
            }
        }
    }

    @Test
    void withoutWatchdogUsecNothingRuns()
    {
        SystemdWatchdog watchdog = SystemdWatchdog.start(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/systemd/notify")), new Liveness());
        assertThat(watchdog.running()).isFalse();
        watchdog.close();
        SystemdWatchdog outside = SystemdWatchdog.start(SystemdNotifier.disabled(), new Liveness());
        assertThat(outside.running()).isFalse();
    }

    private static Map<String, String> watchdogEnvironment(NotifySocket socket, String microseconds)
    {
        Map<String, String> environment = new HashMap<>(socket.environment());
        environment.put("WATCHDOG_USEC", microseconds);
        environment.put("WATCHDOG_PID", Long.toString(ProcessHandle.current().pid()));
        return environment;
    }
}
