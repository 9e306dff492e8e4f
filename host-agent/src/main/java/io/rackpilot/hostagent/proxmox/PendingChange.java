package io.rackpilot.hostagent.proxmox;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code GET /nodes/{node}/qemu/{vmid}/pending}: the current value, the pending one, and
 * whether the key is to be deleted.
 */
public record PendingChange(String key, Optional<String> value, Optional<String> pending, boolean delete)
{
    public PendingChange
    {
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
        requireNonNull(pending, "pending is null");
    }

    /**
     * Waiting for a stop and start: a new value or a deletion.
     */
    public boolean isPending()
    {
        return pending.isPresent() || delete;
    }
}
