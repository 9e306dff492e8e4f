package io.rackpilot.coordinator.reconcile;

import com.google.protobuf.TextFormat;
import io.rackpilot.common.protocol.ActionNames;
import io.rackpilot.proto.v1.Action;

import static java.util.Objects.requireNonNull;

/**
 * What the reconciler wants done to close a gap. Values with no behaviour: the executor turns them
 * into commands or GPU moves.
 */
public sealed interface ReconcileAction
{
    /** The drift kind it closes, as the actions metric labels it. */
    DriftKind kind();

    /**
     * Equal for two actions that make the same change: the executor issues an action whose key is
     * in flight no second time.
     */
    String key();

    /**
     * One action for one agent: apply the NFS exports, taint or untaint, label or unlabel a node.
     */
    record AgentCommand(DriftKind kind, String agentId, Action action)
            implements ReconcileAction
    {
        public AgentCommand
        {
            requireNonNull(kind, "kind is null");
            requireNonNull(agentId, "agentId is null");
            requireNonNull(action, "action is null");
        }

        @Override
        public String key()
        {
            return keyOf(agentId, action);
        }

        /**
         * The key of any command: the same for a command read back from the store after a restart.
         */
        public static String keyOf(String agentId, Action action)
        {
            return agentId + " " + ActionNames.of(action) + " " + TextFormat.shortDebugString(action);
        }

        @Override
        public String toString()
        {
            return agentId + ": " + ActionNames.of(action) + " " + TextFormat.shortDebugString(action);
        }
    }

    /**
     * Move a GPU to the VM the plan gives it.
     */
    record StartGpuMove(String gpuId, int toVmid, long planRevision)
            implements ReconcileAction
    {
        public StartGpuMove
        {
            requireNonNull(gpuId, "gpuId is null");
        }

        @Override
        public DriftKind kind()
        {
            return DriftKind.GPU_ASSIGNMENT;
        }

        @Override
        public String key()
        {
            return "gpu-move " + gpuId + " " + toVmid;
        }

        @Override
        public String toString()
        {
            return "move GPU " + gpuId + " to VM " + toVmid + " (plan revision " + planRevision + ")";
        }
    }
}
