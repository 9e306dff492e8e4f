package io.rackpilot.agent.command;

import com.google.protobuf.Timestamp;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.Command;
import io.rackpilot.proto.v1.CommandResult;
import io.rackpilot.proto.v1.InventoryRefreshAction;
import io.rackpilot.proto.v1.Outcome;
import io.rackpilot.proto.v1.PingAction;
import io.rackpilot.proto.v1.PingResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class TestCommandExecutor
{
    @TempDir
    Path directory;

    private final ExecutorService workers = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AgentMessage> sent = new CopyOnWriteArrayList<>();
    private final List<CommandResult> observed = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown()
            throws InterruptedException
    {
        workers.shutdownNow();
        timer.shutdownNow();
        // a worker still in an action journals its interruption: let it finish before the journal's
        // directory is deleted
        assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void runsACommandOnceAndJournalsTheResultBeforeSendingIt()
            throws Exception
    {
        CommandJournal journal = new CommandJournal(directory, 100);
        AtomicBoolean journaledWhenSent = new AtomicBoolean();
        FakeHandler handler = new FakeHandler(false);
        CommandExecutor executor = new CommandExecutor(List.of(handler), journal, workers, timer, message -> {
            if (message.hasCommandResult()) {
                try {
                    journaledWhenSent.set(journal.find(message.getCommandResult().getCommandId()).isPresent());
                }
                catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
            sent.add(message);
            return true;
        }, (command, result, duration) -> observed.add(result), Clock.systemUTC());

        executor.submit(ping("c1", "hi"));
        CommandResult result = awaitResult("c1");

        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(result.getChanged()).isTrue();
        assertThat(result.getResult().getPing().getMessage()).isEqualTo("hi");
        assertThat(journaledWhenSent).isTrue();
        assertThat(sent.get(0).getCommandAck().getCommandId()).isEqualTo("c1");
        assertThat(handler.applied).hasValue(1);
        assertThat(observed).hasSize(1);
    }

    @Test
    void aRepeatedIdIsAnsweredFromTheJournalWithoutRunningAgain()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "first"));
        CommandResult first = awaitResult("c1");
        sent.clear();

        // A new executor over the same journal: as after an agent restart.
        CommandExecutor restarted = executor(handler, new CommandJournal(directory, 100));
        restarted.submit(ping("c1", "first"));
        CommandResult replayed = awaitResult("c1");

        assertThat(handler.applied).hasValue(1);
        assertThat(replayed.getReplayed()).isTrue();
        assertThat(replayed.toBuilder().setReplayed(false).build()).isEqualTo(first);
        assertThat(sent).noneMatch(AgentMessage::hasCommandAck);
        assertThat(observed).hasSize(1);
    }

    @Test
    void aCommandDeliveredAgainWhileRunningRunsOnce()
            throws Exception
    {
        CountDownLatch release = new CountDownLatch(1);
        FakeHandler handler = new FakeHandler(false);
        handler.blockUntil = release;
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "x"));
        executor.submit(ping("c1", "x"));
        assertThat(executor.acceptedCount()).isEqualTo(1);
        release.countDown();
        awaitResult("c1");
        Thread.sleep(50);
        assertThat(handler.applied).hasValue(1);
        assertThat(sent.stream().filter(AgentMessage::hasCommandResult)).hasSize(1);
    }

    @Test
    void acknowledgesACommandOnlyWhenAWorkerStartsIt()
            throws Exception
    {
        ExecutorService oneWorker = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch release = new CountDownLatch(1);
            FakeHandler handler = new FakeHandler(false);
            handler.blockUntil = release;
            CommandExecutor executor = executor(handler, new CommandJournal(directory, 100), oneWorker);
            executor.submit(ping("c1", "x"));
            executor.submit(ping("c2", "x"));
            executor.submit(ping("c3", "x"));
            awaitAck("c1");
            assertThat(handler.applying.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(acknowledged()).containsExactly("c1");
            assertThat(executor.runningCount()).isEqualTo(1);
            assertThat(executor.acceptedCount()).isEqualTo(3);

            release.countDown();
            awaitResult("c3");
            assertThat(acknowledged()).containsExactly("c1", "c2", "c3");
            for (String commandId : List.of("c1", "c2", "c3")) {
                // each ack went out before its own result
                assertThat(indexOf(AgentMessage::hasCommandAck, commandId)).isLessThan(indexOf(AgentMessage::hasCommandResult, commandId));
            }
        }
        finally {
            oneWorker.shutdownNow();
        }
    }

    @Test
    void aCommandCutOffWhileItWasAppliedIsAnsweredAsInterruptedAfterARestartNeverAsNotStarted()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        handler.blockUntil = new CountDownLatch(1);
        CommandJournal journal = new CommandJournal(directory, 100);
        ScheduledExecutorService timerOfTheDeadAgent = Executors.newSingleThreadScheduledExecutor();
        CommandExecutor executor = executor(handler, journal, workers, timerOfTheDeadAgent);
        // a deadline that passes while the action runs
        Command command = ping("c1", "x").toBuilder().setDeadline(Timestamps.of(Instant.now().plusMillis(300))).build();
        executor.submit(command);
        assertThat(handler.applying.await(10, TimeUnit.SECONDS)).isTrue();
        timerOfTheDeadAgent.shutdownNow();
        assertThat(journal.started("c1")).isPresent();
        assertThat(journal.find("c1")).isEmpty();

        // The agent dies here (its result is never journaled); a new agent over the same journal
        // gets the command again, after its deadline.
        sent.clear();
        observed.clear();
        awaitPast(Timestamps.toInstant(command.getDeadline()));
        FakeHandler afterRestart = new FakeHandler(false);
        CommandJournal reopened = new CommandJournal(directory, 100);
        CommandExecutor restarted = executor(afterRestart, reopened);
        restarted.submit(command);
        CommandResult result = awaitResult("c1");

        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_INTERRUPTED);
        assertThat(result.getMessage()).contains("agent.ping was started at").contains("whether it took effect is unknown");
        assertThat(afterRestart.applied).hasValue(0);
        assertThat(reopened.find("c1")).contains(result);
        assertThat(reopened.started("c1")).isEmpty();
        assertThat(observed).containsExactly(result);

        // delivered once more: the same answer, from the journal
        sent.clear();
        restarted.submit(command);
        assertThat(awaitResult("c1").getReplayed()).isTrue();
    }

    @Test
    void anInterruptWhileTheActionIsAppliedIsReportedAsInterrupted()
            throws Exception
    {
        ExecutorService ownWorkers = Executors.newFixedThreadPool(2);
        FakeHandler handler = new FakeHandler(false);
        handler.blockUntil = new CountDownLatch(1);
        CommandJournal journal = new CommandJournal(directory, 100);
        CommandExecutor executor = executor(handler, journal, ownWorkers);
        executor.submit(ping("c1", "x"));
        assertThat(handler.applying.await(10, TimeUnit.SECONDS)).isTrue();
        ownWorkers.shutdownNow();

        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_INTERRUPTED);
        assertThat(result.getMessage()).contains("whether it took effect is unknown");
        assertThat(journal.find("c1")).contains(result);
    }

    @Test
    void commandsNotStartedWhenTheAgentStopsAreNotResultsAndRunAfterTheRestart()
            throws Exception
    {
        ExecutorService oneWorker = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        FakeHandler handler = new FakeHandler(false);
        handler.blockUntil = release;
        CommandJournal journal = new CommandJournal(directory, 100);
        CommandExecutor executor = executor(handler, journal, oneWorker);
        List<String> queued = List.of("c2", "c3", "c4", "c5");
        executor.submit(ping("c1", "x"));
        queued.forEach(commandId -> executor.submit(ping(commandId, "x")));
        assertThat(handler.applying.await(10, TimeUnit.SECONDS)).isTrue();

        // as Agent.close(): stop starting commands, then let the running one finish
        executor.stop();
        oneWorker.shutdown();
        executor.submit(ping("c6", "x"));
        release.countDown();
        assertThat(oneWorker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(awaitResult("c1").getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(sent).filteredOn(AgentMessage::hasCommandResult).extracting(message -> message.getCommandResult().getCommandId()).containsExactly("c1");
        assertThat(acknowledged()).containsExactly("c1");
        assertThat(executor.acceptedCount()).isZero();
        for (String commandId : List.of("c2", "c3", "c4", "c5", "c6")) {
            assertThat(journal.find(commandId)).as(commandId).isEmpty();
            assertThat(journal.started(commandId)).as(commandId).isEmpty();
        }

        // after the restart the coordinator sends them again: they run
        CommandExecutor restarted = executor(handler, new CommandJournal(directory, 100));
        for (String commandId : List.of("c2", "c3", "c4", "c5", "c6")) {
            restarted.submit(ping(commandId, "x"));
            assertThat(awaitResult(commandId).getOutcome()).as(commandId).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        }
        assertThat(handler.applied).hasValue(6);
    }

    @Test
    void dryRunNeverApplies()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "hi").toBuilder().setDryRun(true).build());
        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(result.getDryRun()).isTrue();
        assertThat(result.getChanged()).isFalse();
        assertThat(result.getMessage()).isEqualTo("dry run: would echo hi");
        assertThat(handler.applied).hasValue(0);
    }

    @Test
    void anActionAlreadyInPlaceIsNotApplied()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(true);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "hi"));
        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_SUCCEEDED);
        assertThat(result.getChanged()).isFalse();
        assertThat(handler.applied).hasValue(0);
    }

    @Test
    void rejectedParametersAreReportedAsRejected()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "reject"));
        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_REJECTED);
        assertThat(result.getMessage()).isEqualTo("message: 'reject' is not allowed");
        assertThat(handler.applied).hasValue(0);
    }

    @Test
    void aFailureHalfwayCarriesHowFarItGot()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "halfway"));
        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_FAILED);
        assertThat(result.getMessage()).isEqualTo("got halfway");
        assertThat(result.getChanged()).isTrue();
        assertThat(result.getResult().getPing().getMessage()).isEqualTo("half");
    }

    @Test
    void theHandlerLearnsWhenItsRunIsCutOff()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        handler.timeout = Duration.ofSeconds(30);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        Instant before = Instant.now();
        // the command's deadline (60 s) is later than the handler's timeout (30 s): the timeout wins
        executor.submit(ping("c1", "hi"));
        awaitResult("c1");
        assertThat(handler.runDeadline.get()).isBetween(before.plusSeconds(29), Instant.now().plusSeconds(31));

        Instant soon = Instant.now().plusSeconds(5);
        executor.submit(ping("c2", "hi").toBuilder().setDeadline(Timestamps.of(soon)).build());
        awaitResult("c2");
        assertThat(handler.runDeadline.get()).isEqualTo(soon);
    }

    @Test
    void anActionThatOutlivesItsTimeoutIsStopped()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        handler.blockUntil = new CountDownLatch(1);
        handler.timeout = Duration.ofMillis(200);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "slow"));
        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_TIMED_OUT);
        assertThat(result.getMessage()).contains("did not finish within 200 ms");
        assertThat(handler.interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.runningCount()).isZero();
    }

    @Test
    void aCommandPastItsDeadlineDoesNotStart()
            throws Exception
    {
        FakeHandler handler = new FakeHandler(false);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "late").toBuilder().setDeadline(Timestamps.of(Instant.now().minusSeconds(1))).build());
        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_EXPIRED);
        assertThat(handler.applied).hasValue(0);
    }

    @Test
    void aDeadlineNoInstantCanHoldIsRejected()
            throws Exception
    {
        // found by TestCommandDecodingFuzzing: submit threw DateTimeException on the stream's thread
        FakeHandler handler = new FakeHandler(false);
        CommandExecutor executor = executor(handler, new CommandJournal(directory, 100));
        executor.submit(ping("c1", "never").toBuilder().setDeadline(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)).build());
        CommandResult result = awaitResult("c1");
        assertThat(result.getOutcome()).isEqualTo(Outcome.OUTCOME_REJECTED);
        assertThat(result.getMessage()).isEqualTo("the command's deadline (9223372036854775807 s, 0 ns after the epoch) is not a time the agent can represent");
        assertThat(handler.applied).hasValue(0);
    }

    @Test
    void anActionWithoutAHandlerIsRejected()
            throws Exception
    {
        CommandExecutor executor = executor(new FakeHandler(false), new CommandJournal(directory, 100));
        executor.submit(Command.newBuilder().setId("c1").setAction(Action.newBuilder().setInventoryRefresh(InventoryRefreshAction.getDefaultInstance())).build());
        executor.submit(Command.newBuilder().setId("c2").build());
        assertThat(awaitResult("c1").getMessage()).isEqualTo("this agent does not carry out inventory.refresh");
        assertThat(awaitResult("c2").getMessage()).isEqualTo("the command carries no action");
        assertThat(executor.capabilities()).containsExactly("agent.ping");
    }

    private CommandExecutor executor(ActionHandler handler, CommandJournal journal)
    {
        return executor(handler, journal, workers);
    }

    private CommandExecutor executor(ActionHandler handler, CommandJournal journal, ExecutorService pool)
    {
        return executor(handler, journal, pool, timer);
    }

    private CommandExecutor executor(ActionHandler handler, CommandJournal journal, ExecutorService pool, ScheduledExecutorService timeouts)
    {
        return new CommandExecutor(List.of(handler), journal, pool, timeouts, message -> {
            sent.add(message);
            return true;
        }, (command, result, duration) -> observed.add(result), Clock.systemUTC());
    }

    private CommandResult awaitResult(String commandId)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (AgentMessage message : sent) {
                if (message.hasCommandResult() && message.getCommandResult().getCommandId().equals(commandId)) {
                    return message.getCommandResult();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no result for " + commandId + "; sent: " + sent);
    }

    private void awaitAck(String commandId)
            throws InterruptedException
    {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (acknowledged().contains(commandId)) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no ack for " + commandId + "; sent: " + sent);
    }

    private List<String> acknowledged()
    {
        return sent.stream().filter(AgentMessage::hasCommandAck).map(message -> message.getCommandAck().getCommandId()).toList();
    }

    private int indexOf(java.util.function.Predicate<AgentMessage> kind, String commandId)
    {
        for (int i = 0; i < sent.size(); i++) {
            AgentMessage message = sent.get(i);
            if (kind.test(message) && (message.hasCommandAck() ? message.getCommandAck().getCommandId() : message.getCommandResult().getCommandId()).equals(commandId)) {
                return i;
            }
        }
        throw new AssertionError("no such message for " + commandId + "; sent: " + sent);
    }

    private static void awaitPast(Instant instant)
            throws InterruptedException
    {
        while (!Instant.now().isAfter(instant)) {
            Thread.sleep(10);
        }
    }

    private static Command ping(String id, String message)
    {
        return Command.newBuilder()
                .setId(id)
                .setAction(Action.newBuilder().setPing(PingAction.newBuilder().setMessage(message)))
                .setDeadline(Timestamps.of(Instant.now().plusSeconds(60)))
                .build();
    }

    /**
     * Handles agent.ping as if it changed something: "would echo MESSAGE".
     */
    private static final class FakeHandler
            implements ActionHandler
    {
        private final boolean inPlace;
        private final AtomicInteger applied = new AtomicInteger();
        private final CountDownLatch interrupted = new CountDownLatch(1);
        private final CountDownLatch applying = new CountDownLatch(1);
        private volatile CountDownLatch blockUntil;
        private volatile Duration timeout = Duration.ofSeconds(30);
        private final AtomicReference<Instant> runDeadline = new AtomicReference<>();

        FakeHandler(boolean inPlace)
        {
            this.inPlace = inPlace;
        }

        @Override
        public Action.KindCase kind()
        {
            return Action.KindCase.PING;
        }

        @Override
        public Duration timeout()
        {
            return timeout;
        }

        @Override
        public PreparedAction prepare(Action action, Instant runDeadline)
                throws ActionException
        {
            this.runDeadline.set(runDeadline);
            return prepare(action);
        }

        @Override
        public PreparedAction prepare(Action action)
                throws ActionException
        {
            String message = action.getPing().getMessage();
            if (message.equals("reject")) {
                throw ActionException.rejected("message: 'reject' is not allowed");
            }
            ActionResult result = ActionResult.newBuilder().setPing(PingResult.newBuilder().setMessage(message)).build();
            return new PreparedAction()
            {
                @Override
                public String summary()
                {
                    return "would echo " + message;
                }

                @Override
                public boolean alreadyInPlace()
                {
                    return inPlace;
                }

                @Override
                public ActionResult preview()
                {
                    return result;
                }

                @Override
                public Applied apply()
                        throws ActionException, InterruptedException
                {
                    applying.countDown();
                    CountDownLatch latch = blockUntil;
                    if (latch != null) {
                        try {
                            latch.await();
                        }
                        catch (InterruptedException e) {
                            interrupted.countDown();
                            throw e;
                        }
                    }
                    applied.incrementAndGet();
                    if (message.equals("halfway")) {
                        throw ActionException.failedPartway("got halfway", true, ActionResult.newBuilder().setPing(PingResult.newBuilder().setMessage("half")).build());
                    }
                    return new Applied(true, "echoed " + message, result);
                }
            };
        }
    }
}
