package io.rackpilot.coordinator.agents;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.common.protocol.ActionTargets;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoredRecord;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.Hello;
import io.rackpilot.proto.v1.Role;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Every agent the coordinator knows: those with a live stream, and those it has seen before (kept
 * in the store, so a restart forgets nobody). An agent is {@code connected} while its stream is up
 * and heartbeats arrive, and {@code lost} after it misses the configured number of heartbeats or
 * its stream ends. Losing an agent changes nothing else by itself.
 */
public final class AgentRegistry
{
    private static final Logger log = Logger.getLogger(AgentRegistry.class.getName());
    static final String PREFIX = "agents/";

    private final Store store;
    private final Clock clock;
    private final Duration lostAfter;
    private final Map<String, AgentInfo> known = new TreeMap<>();
    private final Map<String, AgentSession> sessions = new HashMap<>();

    public AgentRegistry(Store store, Clock clock, Duration lostAfter)
    {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.lostAfter = requireNonNull(lostAfter, "lostAfter is null");
        for (StoredRecord record : store.list(PREFIX).records()) {
            try {
                AgentInfo info = AgentInfo.parseFrom(record.value());
                known.put(info.getId(), info);
            }
            catch (InvalidProtocolBufferException e) {
                log.log(Level.WARNING, "skipping an unreadable agent record " + record.key(), e);
            }
        }
    }

    /**
     * Registers a new stream for an agent whose Hello has been checked against its certificate.
     * An older live stream of the same agent is closed: the newer one wins.
     */
    public AgentSession connect(Hello hello, String address, String metricsUrl, AgentConnection connection)
    {
        Instant now = clock.instant();
        AgentSession session = new AgentSession(hello.getAgentId(), hello.getRole(), connection, now);
        AgentSession replaced;
        synchronized (this) {
            replaced = sessions.put(hello.getAgentId(), session);
            AgentInfo info = AgentInfo.newBuilder()
                    .setId(hello.getAgentId())
                    .setRole(hello.getRole())
                    .setVersion(hello.getVersion())
                    .setBootId(hello.getBootId())
                    .addAllCapabilities(permittedCapabilities(hello))
                    .setAddress(address)
                    .setMetricsUrl(metricsUrl)
                    .setConnectedSince(Timestamps.of(now))
                    .setLastSeen(Timestamps.of(now))
                    .build();
            known.put(info.getId(), info);
            store.put(PREFIX + info.getId(), info.toByteArray());
        }
        if (replaced != null) {
            log.warning("agent " + hello.getAgentId() + " connected again from " + address + "; closing its older stream");
            replaced.connection().close(Status.ABORTED.withDescription("replaced by a newer connection of the same agent"));
        }
        else {
            log.info("agent " + hello.getAgentId() + " connected from " + address);
        }
        return session;
    }

    /**
     * The actions of the Hello that the agent's role receives; its role was checked against its
     * certificate. The others (a node-agent listing vm.shutdown) are dropped with a warning.
     */
    private static List<String> permittedCapabilities(Hello hello)
    {
        List<String> permitted = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String name : hello.getCapabilitiesList()) {
            boolean allowed = ActionNames.field(name)
                    .map(field -> ActionTargets.allows(Action.KindCase.forNumber(field.getNumber()), hello.getRole()))
                    .orElse(false);
            (allowed ? permitted : dropped).add(name);
        }
        if (!dropped.isEmpty()) {
            log.warning("agent " + hello.getAgentId() + " lists actions its certificate's role does not receive; ignoring them: " + String.join(", ", dropped));
        }
        return permitted;
    }

    public void seen(AgentSession session)
    {
        session.seen(clock.instant());
    }

    /**
     * The stream of this session ended. Does nothing when a newer stream already replaced it.
     */
    public void disconnected(AgentSession session, String reason)
    {
        synchronized (this) {
            if (sessions.get(session.agentId()) != session) {
                return;
            }
            sessions.remove(session.agentId());
            AgentInfo info = known.get(session.agentId());
            if (info != null) {
                AgentInfo updated = info.toBuilder().setLastSeen(Timestamps.of(session.lastSeen())).build();
                known.put(updated.getId(), updated);
                store.put(PREFIX + updated.getId(), updated.toByteArray());
            }
        }
        log.warning("agent " + session.agentId() + " disconnected: " + reason);
    }

    /**
     * Closes streams whose agent missed its heartbeats (a half-open connection) and returns how
     * many it closed.
     */
    public int closeSilentSessions()
    {
        Instant now = clock.instant();
        List<AgentSession> silent = new ArrayList<>();
        synchronized (this) {
            for (AgentSession session : sessions.values()) {
                if (Duration.between(session.lastSeen(), now).compareTo(lostAfter) > 0) {
                    silent.add(session);
                }
            }
        }
        for (AgentSession session : silent) {
            session.connection().close(Status.DEADLINE_EXCEEDED.withDescription("no heartbeat for " + lostAfter.toSeconds() + " s"));
            disconnected(session, "missed its heartbeats");
        }
        return silent.size();
    }

    /**
     * Ends every live stream with {@code status} (the coordinator is stopping); the agents reconnect
     * with their backoff.
     */
    public void closeAll(Status status)
    {
        List<AgentSession> live;
        synchronized (this) {
            live = List.copyOf(sessions.values());
        }
        for (AgentSession session : live) {
            session.connection().close(status);
            try {
                disconnected(session, status.getDescription());
            }
            catch (RuntimeException e) {
                // its last-seen time stays as stored; the stream is closed all the same
                log.log(Level.WARNING, "cannot record that agent " + session.agentId() + " disconnected: " + e.getMessage(), e);
            }
        }
    }

    public synchronized Optional<AgentSession> session(String agentId)
    {
        return Optional.ofNullable(sessions.get(agentId));
    }

    public synchronized Optional<AgentInfo> agent(String agentId)
    {
        AgentInfo info = known.get(agentId);
        return info == null ? Optional.empty() : Optional.of(withState(info));
    }

    public synchronized List<AgentInfo> agents()
    {
        List<AgentInfo> result = new ArrayList<>(known.size());
        for (AgentInfo info : known.values()) {
            result.add(withState(info));
        }
        result.sort(Comparator.comparing(AgentInfo::getRole).thenComparing(AgentInfo::getId));
        return List.copyOf(result);
    }

    public synchronized int count(Role role, AgentState state)
    {
        int count = 0;
        for (AgentInfo info : known.values()) {
            if (info.getRole() == role && withState(info).getState() == state) {
                count++;
            }
        }
        return count;
    }

    private AgentInfo withState(AgentInfo info)
    {
        AgentSession session = sessions.get(info.getId());
        AgentInfo.Builder builder = info.toBuilder();
        if (session != null) {
            builder.setLastSeen(Timestamps.of(session.lastSeen()));
            boolean fresh = Duration.between(session.lastSeen(), clock.instant()).compareTo(lostAfter) <= 0;
            builder.setState(fresh ? AgentState.AGENT_STATE_CONNECTED : AgentState.AGENT_STATE_LOST);
        }
        else {
            builder.setState(AgentState.AGENT_STATE_LOST);
        }
        return builder.build();
    }
}
