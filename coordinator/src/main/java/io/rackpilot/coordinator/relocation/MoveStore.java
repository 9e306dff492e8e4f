package io.rackpilot.coordinator.relocation;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoredRecord;
import io.rackpilot.proto.v1.GpuMove;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * GPU moves in the store, {@code gpu-moves/ID}, written after every step so that a restarted
 * coordinator finds each move where it stood. Ids sort by creation time, so a listing is oldest first.
 */
public final class MoveStore
{
    private static final Logger log = Logger.getLogger(MoveStore.class.getName());
    static final String PREFIX = "gpu-moves/";

    private final Store store;

    public MoveStore(Store store)
    {
        this.store = requireNonNull(store, "store is null");
    }

    public void save(GpuMove move)
    {
        store.put(PREFIX + move.getId(), move.toByteArray());
    }

    public Optional<GpuMove> get(String id)
    {
        return store.get(PREFIX + id).map(MoveStore::parse);
    }

    /**
     * Every move on record, oldest first.
     */
    public List<GpuMove> list()
    {
        List<GpuMove> moves = new ArrayList<>();
        for (StoredRecord record : store.list(PREFIX).records()) {
            GpuMove move = parse(record);
            if (move != null) {
                moves.add(move);
            }
        }
        return List.copyOf(moves);
    }

    private static GpuMove parse(StoredRecord record)
    {
        try {
            return GpuMove.parseFrom(record.value());
        }
        catch (InvalidProtocolBufferException e) {
            log.log(Level.WARNING, "skipping an unreadable GPU move " + record.key(), e);
            return null;
        }
    }
}
