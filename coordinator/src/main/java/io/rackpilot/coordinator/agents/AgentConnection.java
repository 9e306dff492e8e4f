package io.rackpilot.coordinator.agents;

import io.grpc.Status;
import io.rackpilot.proto.v1.CoordinatorMessage;

/**
 * The coordinator's side of one agent stream.
 */
public interface AgentConnection
{
    /**
     * Sends on the stream; false when the stream is over.
     */
    boolean send(CoordinatorMessage message);

    /**
     * Ends the stream with the given status (a replaced or silent agent).
     */
    void close(Status status);
}
