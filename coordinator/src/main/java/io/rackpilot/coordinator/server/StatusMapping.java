package io.rackpilot.coordinator.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.rackpilot.coordinator.store.StoreClosedException;
import io.rackpilot.coordinator.store.StoreException;

/**
 * The gRPC status a client gets for a failure inside the coordinator, with a message that names the
 * cause: never gRPC's bare UNKNOWN.
 */
public final class StatusMapping
{
    private StatusMapping() {}

    public static Status of(Throwable failure)
    {
        if (failure instanceof StatusRuntimeException statusFailure) {
            return statusFailure.getStatus();
        }
        if (failure instanceof StoreException storeFailure) {
            return switch (storeFailure.kind()) {
                case DISK_FULL -> Status.RESOURCE_EXHAUSTED.withDescription("the coordinator's disk is full (" + failure.getMessage()
                        + "); free space on the file system of its state directory, then try again");
                case UNAVAILABLE -> Status.UNAVAILABLE.withDescription("the coordinator cannot use its state file right now (" + failure.getMessage() + "); try again");
                case UNUSABLE, OTHER -> Status.INTERNAL.withDescription("the coordinator's state store failed: " + failure.getMessage());
            };
        }
        if (failure instanceof StoreClosedException) {
            return Status.UNAVAILABLE.withDescription("the coordinator is stopping; try again once it is back");
        }
        if (failure instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(failure.getMessage());
        }
        return Status.INTERNAL.withDescription("the coordinator failed to handle the request: " + failure);
    }
}
