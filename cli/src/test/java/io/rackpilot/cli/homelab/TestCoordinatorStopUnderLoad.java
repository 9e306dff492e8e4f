package io.rackpilot.cli.homelab;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.cli.client.ControlClient;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.PingAction;
import io.rackpilot.proto.v1.Report;
import io.rackpilot.proto.v1.SystemInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping the coordinator while rackctl calls and agent streams keep it busy: every call completes
 * or is refused with UNAVAILABLE, and nothing touches the store after it is closed.
 */
class TestCoordinatorStopUnderLoad
{
    private static final Action PING = Action.newBuilder().setPing(PingAction.newBuilder().setMessage("load")).build();

    private final List<LogRecord> problems = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler()
    {
        @Override
        public void publish(LogRecord record)
        {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                problems.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private TestHomelab homelab;

    @BeforeEach
    void setUp()
            throws Exception
    {
        homelab = new TestHomelab();
        homelab.startCoordinator();
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void tearDown()
    {
        Logger.getLogger("").removeHandler(capture);
        homelab.close();
    }

    @Test
    void stoppingUnderLoadFinishesOrRefusesEveryCallAndClosesTheStoreLast()
            throws Exception
    {
        homelab.startAgent(AgentKind.NODE, "k8s-node1");
        homelab.startAgent(AgentKind.NODE, "k8s-node2");
        homelab.startAgent(AgentKind.HOST, "pve");
        homelab.awaitConnected("k8s-node1", "k8s-node2", "pve");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger succeeded = new AtomicInteger();
        Map<Status.Code, AtomicInteger> refusals = new ConcurrentHashMap<>();
        ExecutorService load = Executors.newFixedThreadPool(12);
        List<ManagedChannel> channels = new ArrayList<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int worker = 0; worker < 6; worker++) {
            ManagedChannel channel = homelab.controlChannel();
            channels.add(channel);
            ControlClient client = new ControlClient(channel, new ControlClient.Retries(1, Duration.ZERO));
            String agent = List.of("k8s-node1", "k8s-node2", "pve").get(worker % 3);
            int kind = worker % 2;
            workers.add(load.submit(() -> {
                while (!stop.get()) {
                    try {
                        if (kind == 0) {
                            client.submit(agent, PING, false, Optional.empty(), Optional.empty());
                        }
                        else {
                            client.commands(Optional.of(agent), 20);
                            client.agents();
                        }
                        succeeded.incrementAndGet();
                    }
                    catch (StatusRuntimeException e) {
                        refusals.computeIfAbsent(e.getStatus().getCode(), code -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }));
        }
        // agents that report as fast as they can: every report is a write to the store
        List<RawAgentStream> reporters = new ArrayList<>();
        AtomicInteger reports = new AtomicInteger();
        for (int reporter = 0; reporter < 6; reporter++) {
            RawAgentStream stream = RawAgentStream.connectNode(homelab, "k8s-reporter" + reporter, "agent.ping");
            reporters.add(stream);
            String model = "model " + reporter;
            workers.add(load.submit(() -> {
                long sequence = 0;
                while (!stop.get() && !stream.closed.isDone()) {
                    try {
                        stream.send(AgentMessage.newBuilder().setReport(Report.newBuilder().setFull(true)
                                .setInventory(Inventory.newBuilder().setSystem(SystemInfo.newBuilder().setModel(model + " " + sequence++)))).build());
                        reports.incrementAndGet();
                        Thread.sleep(2);
                    }
                    catch (RuntimeException e) {
                        return null;
                    }
                }
                return null;
            }));
        }
        TestHomelab.awaitCondition("load running", () -> succeeded.get() >= 100 && reports.get() >= 200);

        homelab.coordinator().close();
        TestHomelab.awaitCondition("calls refused after the stop", () -> refusals.getOrDefault(Status.Code.UNAVAILABLE, new AtomicInteger()).get() >= 6);
        stop.set(true);
        for (Future<?> worker : workers) {
            worker.get(30, TimeUnit.SECONDS);
        }
        load.shutdown();
        channels.forEach(ManagedChannel::shutdownNow);
        reporters.forEach(RawAgentStream::close);

        assertThat(refusals.keySet()).as("calls complete or are refused with UNAVAILABLE, never anything else").containsOnly(Status.Code.UNAVAILABLE);
        assertThat(problems.stream().map(TestCoordinatorStopUnderLoad::describe).filter(text -> text.contains("is closed")))
                .as("nothing used the store after it was closed")
                .isEmpty();
    }

    private static String describe(LogRecord record)
    {
        StringWriter text = new StringWriter();
        text.append(record.getLoggerName()).append(": ").append(String.valueOf(record.getMessage()));
        if (record.getThrown() != null) {
            record.getThrown().printStackTrace(new PrintWriter(text));
        }
        return text.toString();
    }
}
