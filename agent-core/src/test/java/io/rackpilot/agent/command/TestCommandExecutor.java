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
    {
        workers.shutdownNow();
        timer.shutdownNow();
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
        assertThat(executor.runningCount()).isEqualTo(1);
        release.countDown();
        awaitResult("c1");
        Thread.sleep(50);
        assertThat(handler.applied).hasValue(1);
        assertThat(sent.stream().filter(AgentMessage::hasCommandResult)).hasSize(1);
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
        return new CommandExecutor(List.of(handler), journal, workers, timer, message -> {
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
