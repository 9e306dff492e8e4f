package io.rackpilot.coordinator.testing;

import io.grpc.Status;
import io.rackpilot.coordinator.agents.AgentConnection;
import io.rackpilot.proto.v1.CoordinatorMessage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An agent stream that records what the coordinator sends, and how it was closed.
 */
public final class RecordingConnection
        implements AgentConnection
{
    private final List<CoordinatorMessage> sent = new CopyOnWriteArrayList<>();
    private volatile Status closedWith;

    @Override
    public boolean send(CoordinatorMessage message)
    {
        if (closedWith != null) {
            return false;
        }
        sent.add(message);
        return true;
    }

    @Override
    public void close(Status status)
    {
        closedWith = status;
    }

    public List<CoordinatorMessage> sent()
    {
        return List.copyOf(sent);
    }

    public Status closedWith()
    {
        return closedWith;
    }
}
