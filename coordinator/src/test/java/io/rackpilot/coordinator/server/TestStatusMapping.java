package io.rackpilot.coordinator.server;

import io.grpc.Status;
import io.rackpilot.coordinator.store.StoreClosedException;
import io.rackpilot.coordinator.store.StoreException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestStatusMapping
{
    @Test
    void everyFailureGetsItsOwnStatusAndNamesItsCause()
    {
        Status full = StatusMapping.of(new StoreException(StoreException.Kind.DISK_FULL, "cannot write state file /var/lib/rackpilot/coordinator/coordinator.db: the disk is full"));
        assertThat(full.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(full.getDescription()).isEqualTo("the coordinator's disk is full (cannot write state file /var/lib/rackpilot/coordinator/coordinator.db: the disk is full);"
                + " free space on the file system of its state directory, then try again");

        Status io = StatusMapping.of(new StoreException(StoreException.Kind.UNAVAILABLE, "cannot write state file x: an I/O error occurred"));
        assertThat(io.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(io.getDescription()).contains("an I/O error occurred");

        Status stopping = StatusMapping.of(new StoreClosedException("store x is closed"));
        assertThat(stopping.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(stopping.getDescription()).isEqualTo("the coordinator is stopping; try again once it is back");

        Status invalid = StatusMapping.of(new IllegalArgumentException("value for store key \"inventory/pve\" is 2000000 bytes, the limit is 1048576 bytes"));
        assertThat(invalid.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(invalid.getDescription()).isEqualTo("value for store key \"inventory/pve\" is 2000000 bytes, the limit is 1048576 bytes");

        assertThat(StatusMapping.of(Status.NOT_FOUND.withDescription("no such").asRuntimeException()).getCode()).isEqualTo(Status.Code.NOT_FOUND);
        Status unexpected = StatusMapping.of(new NullPointerException("boom"));
        assertThat(unexpected.getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(unexpected.getDescription()).isEqualTo("the coordinator failed to handle the request: java.lang.NullPointerException: boom");
    }
}
