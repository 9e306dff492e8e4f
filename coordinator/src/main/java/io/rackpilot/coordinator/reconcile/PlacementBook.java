package io.rackpilot.coordinator.reconcile;

import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoredRecord;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * For each GPU, the VM the plan put it on the last time the homelab was seen to match
 * ({@code gpu-placements/ID}, 0 for no VM). It tells a plan change (the plan now says another VM:
 * move the card) from a hand move (the plan still says the same VM, the card went elsewhere: report
 * it, let Follow keep the taints true, and do not fight the person).
 */
public final class PlacementBook
{
    static final String PREFIX = "gpu-placements/";

    private final Store store;

    public PlacementBook(Store store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    public Map<String, Integer> settled()
    {
        Map<String, Integer> placements = new HashMap<>();
        for (StoredRecord record : store.list(PREFIX).records()) {
            try {
                placements.put(record.key().substring(PREFIX.length()), Integer.parseInt(new String(record.value(), StandardCharsets.US_ASCII)));
            }
            catch (NumberFormatException e) {
                // an unreadable marker counts as none: the plan's placement is then taken as asked for
            }
        }
        return Map.copyOf(placements);
    }

    /**
     * Remembers that GPU {@code gpuId} was seen on {@code vmid} (0: no VM) where the plan puts it.
     */
    public void settle(String gpuId, int vmid)
    {
        String key = PREFIX + gpuId;
        byte[] value = Integer.toString(vmid).getBytes(StandardCharsets.US_ASCII);
        boolean same = store.get(key).map(record -> java.util.Arrays.equals(record.value(), value)).orElse(false);
        if (!same) {
            store.put(key, value);
        }
    }
}
