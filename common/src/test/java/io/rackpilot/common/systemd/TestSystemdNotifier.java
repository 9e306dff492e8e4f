package io.rackpilot.common.systemd;

import io.rackpilot.common.testing.NotifySocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TestSystemdNotifier
{
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long OWN_PID = ProcessHandle.current().pid();

    @TempDir
    Path directory;

    @Test
    void sendsEachNotificationExactlyToAPathSocket()
            throws Exception
    {
        try (NotifySocket socket = NotifySocket.atPath(directory.resolve("notify"))) {
            assertEachNotificationArrives(socket);
        }
    }

    @Test
    void sendsEachNotificationExactlyToAnAbstractSocket()
            throws Exception
    {
        try (NotifySocket socket = NotifySocket.abstractName()) {
            assertThat(socket.address().text()).startsWith("@");
            assertEachNotificationArrives(socket);
        }
    }

    private static void assertEachNotificationArrives(NotifySocket socket)
    {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(socket.environment());
        assertThat(notifier.enabled()).isTrue();
        notifier.ready();
        assertThat(socket.receive(WAIT)).contains("READY=1");
        notifier.status("connecting to coordinator devvm:7450");
        assertThat(socket.receive(WAIT)).contains("STATUS=connecting to coordinator devvm:7450");
        assertThat(notifier.lastStatus()).isEqualTo("connecting to coordinator devvm:7450");
        notifier.status("two\nlines");
        assertThat(socket.receive(WAIT)).contains("STATUS=two lines");
        notifier.watchdog();
        assertThat(socket.receive(WAIT)).contains("WATCHDOG=1");
        assertThat(notifier.isStopping()).isFalse();
        notifier.stopping();
        assertThat(socket.receive(WAIT)).contains("STOPPING=1");
        assertThat(notifier.isStopping()).isTrue();
        notifier.send("RELOADING=1\nMONOTONIC_USEC=42");
        assertThat(socket.receive(WAIT)).contains("RELOADING=1\nMONOTONIC_USEC=42");
        assertThat(socket.receive(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    void outsideSystemdNothingHappens()
    {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "30000000"));
        assertThat(notifier.enabled()).isFalse();
        assertThat(notifier.watchdogInterval()).isEmpty();
        notifier.ready();
        notifier.status("anything");
        notifier.watchdog();
        notifier.stopping();
        assertThat(notifier.socket()).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "")).enabled()).isFalse();
    }

    @Test
    void aSocketNobodyListensOnIsNoError()
    {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", directory.resolve("nobody-here").toString()));
        assertThat(notifier.enabled()).isTrue();
        for (int i = 0; i < 3; i++) {
            notifier.ready();
            notifier.watchdog();
        }
        SystemdNotifier abstractNotifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "@rackpilot-nobody-listens-" + OWN_PID));
        abstractNotifier.ready();
        abstractNotifier.stopping();
        assertThat(abstractNotifier.isStopping()).isTrue();
    }

    @Test
    void anAddressSystemdWouldNotWriteLeavesNotificationsOff()
    {
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "relative/notify")).enabled()).isFalse();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "vsock:2:9999")).enabled()).isFalse();
    }

    @Test
    void theWatchdogIntervalIsHalfOfWatchdogUsec()
    {
        Map<String, String> environment = new HashMap<>(Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "30000000"));
        assertThat(SystemdNotifier.fromEnvironment(environment).watchdogInterval()).contains(Duration.ofSeconds(15));
        environment.put("WATCHDOG_PID", Long.toString(OWN_PID));
        assertThat(SystemdNotifier.fromEnvironment(environment).watchdogInterval()).contains(Duration.ofSeconds(15));
        environment.put("WATCHDOG_USEC", "400000");
        assertThat(SystemdNotifier.fromEnvironment(environment).watchdogInterval()).contains(Duration.ofMillis(200));
    }

    @Test
    void theWatchdogOfAnotherProcessIsNotOurs()
    {
        Map<String, String> environment = Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", Long.toString(OWN_PID + 1));
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(environment);
        assertThat(notifier.enabled()).isTrue();
        assertThat(notifier.watchdogInterval()).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/n", "WATCHDOG_USEC", "3000", "WATCHDOG_PID", "x")).watchdogInterval()).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/n", "WATCHDOG_USEC", "soon")).watchdogInterval()).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/n", "WATCHDOG_USEC", "0")).watchdogInterval()).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/n")).watchdogInterval()).isEqualTo(Optional.empty());
    }
}
