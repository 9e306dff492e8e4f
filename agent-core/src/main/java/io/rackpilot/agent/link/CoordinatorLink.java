package io.rackpilot.agent.link;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.proto.v1.AgentLinkGrpc;
import io.rackpilot.proto.v1.AgentMessage;
import io.rackpilot.proto.v1.CoordinatorMessage;
import io.rackpilot.proto.v1.Heartbeat;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Welcome;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * The agent's one stream to the coordinator: sends Hello, then heartbeats at the interval the
 * coordinator's Welcome gives; hands commands to the {@link Listener}; reconnects with
 * {@link Backoff} whenever the stream ends. Logs once per change of state, not once per attempt.
 *
 * <p>Every attempt opens a channel of its own and closes it when the attempt ends, so that the
 * {@link Backoff} alone spaces the attempts: a gRPC channel that failed to connect waits its own,
 * growing backoff (up to two minutes) before it tries again, and would hold a reconnect back long
 * after the coordinator is serving. An attempt that has no Welcome within the connect timeout
 * (TCP connect, TLS handshake, Hello) is given up.
 */
public final class CoordinatorLink
        implements AutoCloseable
{
    private static final Logger log = Logger.getLogger(CoordinatorLink.class.getName());

    public interface Listener
    {
        /** A stream is up and the coordinator has answered Hello. */
        void connected(Welcome welcome);

        /** The stream that was up has ended. */
        void disconnected(String reason);

        void command(io.rackpilot.proto.v1.Command command);
    }

    /**
     * Told every change of the link's state, with a line for a person ({@code systemctl status}):
     * "connecting to coordinator HOST:PORT", "connected to coordinator HOST:PORT",
     * "reconnecting in 4 s (coordinator HOST:PORT: UNAVAILABLE: io exception)", "stopped". Called
     * outside the link's lock, on whichever thread changed the state; must not block.
     */
    public interface StatusObserver
    {
        StatusObserver NONE = (state, line) -> {};

        void statusChanged(State state, String line);
    }

    public enum State
    {
        CONNECTING, CONNECTED, WAITING, CLOSED
    }

    private final Supplier<ManagedChannel> channels;
    private final String target;
    private final Supplier<Hello> hello;
    private final Listener listener;
    private final StatusObserver statusObserver;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final Duration connectTimeout;
    private final Clock clock;

    private Session session;
    private State state = State.CONNECTING;
    private String lastFailure;
    private long retryAtMillis;
    private long reconnects;
    private ScheduledFuture<?> pendingReconnect;

    /**
     * @param channels opens a new channel to the coordinator, once per attempt
     * @param connectTimeout how long one attempt may take from the start to the coordinator's Welcome
     */
    public CoordinatorLink(Supplier<ManagedChannel> channels, String target, Supplier<Hello> hello, Listener listener, ScheduledExecutorService scheduler, Backoff backoff, Duration connectTimeout, Clock clock)
    {
        this(channels, target, hello, listener, StatusObserver.NONE, scheduler, backoff, connectTimeout, clock);
    }

    public CoordinatorLink(Supplier<ManagedChannel> channels, String target, Supplier<Hello> hello, Listener listener, StatusObserver statusObserver, ScheduledExecutorService scheduler, Backoff backoff, Duration connectTimeout, Clock clock)
    {
        this.channels = requireNonNull(channels, "channels is null");
        this.target = requireNonNull(target, "target is null");
        this.hello = requireNonNull(hello, "hello is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.statusObserver = requireNonNull(statusObserver, "statusObserver is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive");
        }
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void start()
    {
        synchronized (this) {
            if (state == State.CLOSED || session != null) {
                return;
            }
            openStream();
        }
        statusObserver.statusChanged(State.CONNECTING, "connecting to coordinator " + target);
    }

    public synchronized boolean isConnected()
    {
        return state == State.CONNECTED;
    }

    public synchronized State state()
    {
        return state;
    }

    /**
     * How many times the link has reconnected after a stream that was up ended.
     */
    public synchronized long reconnects()
    {
        return reconnects;
    }

    /**
     * A line for a person: "connected to coordinator 10.0.10.5:7450", "reconnecting in 4 s".
     */
    public synchronized String statusLine()
    {
        return switch (state) {
            case CONNECTED -> "connected to coordinator " + target;
            case CONNECTING -> "connecting to coordinator " + target;
            case WAITING -> "coordinator " + target + " unreachable (" + lastFailure + "), reconnecting in "
                    + Math.max(0, (retryAtMillis - clock.millis() + 999) / 1000) + " s";
            case CLOSED -> "stopped";
        };
    }

    /**
     * Sends on the current stream; false when no stream is up.
     */
    public boolean send(AgentMessage message)
    {
        Session current;
        synchronized (this) {
            current = session;
            if (current == null || !current.welcomed) {
                return false;
            }
        }
        return current.send(message);
    }

    @Override
    public void close()
    {
        Session current;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            current = session;
            session = null;
            if (pendingReconnect != null) {
                pendingReconnect.cancel(false);
            }
        }
        if (current != null) {
            current.finish();
            current.closeChannel();
        }
        statusObserver.statusChanged(State.CLOSED, "stopped");
    }

    private void openStream()
    {
        state = State.CONNECTING;
        Session next = new Session(channels.get());
        session = next;
        AgentLinkGrpc.newStub(next.channel).connect(next);
        next.send(AgentMessage.newBuilder().setHello(hello.get()).build());
        next.giveUp = scheduler.schedule(() -> next.giveUpUnlessWelcomed(), connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void welcomed(Session source, Welcome welcome)
    {
        Duration interval = welcome.hasHeartbeatInterval() ? Timestamps.toDuration(welcome.getHeartbeatInterval()) : Duration.ofSeconds(5);
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            interval = Duration.ofMillis(100);
        }
        synchronized (this) {
            if (session != source) {
                return;
            }
            source.welcomed = true;
            cancelGiveUp(source);
            state = State.CONNECTED;
            backoff.reset();
            lastFailure = null;
            source.heartbeats = scheduler.scheduleAtFixedRate(source::heartbeat, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        }
        log.info("connected to coordinator " + target);
        statusObserver.statusChanged(State.CONNECTED, "connected to coordinator " + target);
        listener.connected(welcome);
    }

    private void ended(Session source, Throwable error)
    {
        boolean wasConnected;
        Duration delay;
        String reason = error == null ? "the coordinator closed the stream" : describe(error);
        synchronized (this) {
            if (session != source) {
                return;
            }
            session = null;
            source.stopHeartbeats();
            cancelGiveUp(source);
            source.closeChannelNow();
            if (state == State.CLOSED) {
                return;
            }
            wasConnected = source.welcomed;
            if (wasConnected) {
                reconnects++;
            }
            boolean firstFailure = wasConnected || lastFailure == null;
            delay = backoff.nextDelay();
            state = State.WAITING;
            lastFailure = reason;
            retryAtMillis = clock.millis() + delay.toMillis();
            pendingReconnect = scheduler.schedule(this::reconnect, delay.toNanos(), TimeUnit.NANOSECONDS);
            if (wasConnected) {
                log.warning("lost the connection to coordinator " + target + ": " + reason + "; reconnecting with backoff");
            }
            else if (firstFailure) {
                log.warning("coordinator " + target + " unreachable: " + reason + "; retrying with backoff");
            }
            else {
                log.fine("coordinator " + target + " still unreachable: " + reason + "; next try in " + delay.toMillis() + " ms");
            }
        }
        statusObserver.statusChanged(State.WAITING, "reconnecting in " + Math.max(1, (delay.toMillis() + 999) / 1000) + " s (coordinator " + target + ": " + reason + ")");
        if (wasConnected) {
            listener.disconnected(reason);
        }
    }

    private void reconnect()
    {
        synchronized (this) {
            pendingReconnect = null;
            if (state == State.CLOSED || session != null) {
                return;
            }
            openStream();
        }
        statusObserver.statusChanged(State.CONNECTING, "connecting to coordinator " + target);
    }

    private static void cancelGiveUp(Session source)
    {
        if (source.giveUp != null) {
            source.giveUp.cancel(false);
        }
    }

    private static String describe(Throwable error)
    {
        Status status = Status.fromThrowable(error);
        String description = status.getDescription();
        if (description == null && status.getCause() != null) {
            description = status.getCause().getMessage();
        }
        return status.getCode() + (description == null ? "" : ": " + description);
    }

    private final class Session
            implements ClientResponseObserver<AgentMessage, CoordinatorMessage>
    {
        private final ManagedChannel channel;
        private volatile ScheduledFuture<?> giveUp;
        private ClientCallStreamObserver<AgentMessage> requests;
        private volatile boolean welcomed;
        private ScheduledFuture<?> heartbeats;
        private long heartbeatSequence;
        private boolean finished;

        Session(ManagedChannel channel)
        {
            this.channel = requireNonNull(channel, "channel is null");
        }

        synchronized void giveUpUnlessWelcomed()
        {
            if (!welcomed) {
                requests.cancel("no Welcome from the coordinator within " + connectTimeout.toMillis() + " ms (connect, TLS handshake, Hello)", null);
            }
        }

        /** Lets calls on this attempt's channel end, for up to two seconds. */
        void closeChannel()
        {
            channel.shutdown();
            try {
                if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                    channel.shutdownNow();
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                channel.shutdownNow();
            }
        }

        void closeChannelNow()
        {
            channel.shutdownNow();
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream)
        {
            this.requests = requestStream;
        }

        @Override
        public void onNext(CoordinatorMessage message)
        {
            switch (message.getBodyCase()) {
                case WELCOME -> welcomed(this, message.getWelcome());
                case COMMAND -> {
                    if (welcomed) {
                        listener.command(message.getCommand());
                    }
                }
                case CANCEL -> log.info("coordinator cancelled command " + message.getCancel().getCommandId() + "; it runs to its own end or timeout");
                case BODY_NOT_SET -> log.fine("ignoring an empty message from the coordinator");
            }
        }

        @Override
        public void onError(Throwable error)
        {
            ended(this, error);
        }

        @Override
        public void onCompleted()
        {
            synchronized (this) {
                if (!finished) {
                    finished = true;
                    try {
                        requests.onCompleted();
                    }
                    catch (RuntimeException ignored) {
                        // the call is already over
                    }
                }
            }
            ended(this, null);
        }

        void heartbeat()
        {
            long sequence;
            synchronized (this) {
                sequence = ++heartbeatSequence;
            }
            send(AgentMessage.newBuilder()
                    .setHeartbeat(Heartbeat.newBuilder().setSequence(sequence).setSentAt(Timestamps.of(clock.instant())))
                    .build());
        }

        synchronized boolean send(AgentMessage message)
        {
            if (finished) {
                return false;
            }
            try {
                requests.onNext(message);
                return true;
            }
            catch (RuntimeException e) {
                log.log(Level.FINE, "could not send to the coordinator", e);
                return false;
            }
        }

        synchronized void stopHeartbeats()
        {
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
        }

        synchronized void finish()
        {
            stopHeartbeats();
            if (!finished) {
                finished = true;
                try {
                    requests.onCompleted();
                }
                catch (RuntimeException ignored) {
                    // the call is already over
                }
            }
        }
    }
}
