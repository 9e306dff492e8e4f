package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.nodeagent.kubernetes.NodeState.Taint;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One edit of the agent's own Node, as a pure function from its state to the state it asks for.
 * Applying a change to the state it produced changes nothing (idempotence), which is what lets an
 * edit be retried after a conflict and a command be repeated.
 */
public sealed interface NodeChange
{
    NodeState applyTo(NodeState state);

    /**
     * In words, for summaries: "taint nvidia.com/gpu=true:PreferNoSchedule".
     */
    String describe();

    /**
     * The Node has this taint: one with the same key and effect gets this value, else it is added
     * at the end.
     */
    record SetTaint(Taint taint)
            implements NodeChange
    {
        public SetTaint
        {
            requireNonNull(taint, "taint is null");
        }

        @Override
        public NodeState applyTo(NodeState state)
        {
            List<Taint> taints = new ArrayList<>();
            boolean placed = false;
            for (Taint existing : state.taints()) {
                if (existing.sameSlot(taint)) {
                    if (!placed) {
                        // an equal taint stays as it is, with its timeAdded
                        taints.add(existing.value().equals(taint.value()) ? existing : taint);
                        placed = true;
                    }
                }
                else {
                    taints.add(existing);
                }
            }
            if (!placed) {
                taints.add(taint);
            }
            return state.withTaints(taints);
        }

        @Override
        public String describe()
        {
            return "taint " + taint;
        }
    }

    /**
     * The Node has no taint with this key (and this effect, when given).
     */
    record RemoveTaints(String key, Optional<String> effect)
            implements NodeChange
    {
        public RemoveTaints
        {
            requireNonNull(key, "key is null");
            requireNonNull(effect, "effect is null");
        }

        @Override
        public NodeState applyTo(NodeState state)
        {
            return state.withTaints(state.taintsWhere(taint -> !(taint.key().equals(key) && effect.map(taint.effect()::equals).orElse(true))));
        }

        @Override
        public String describe()
        {
            return "remove taint " + key + effect.map(value -> ":" + value).orElse(" (every effect)");
        }
    }

    record SetLabel(String key, String value)
            implements NodeChange
    {
        public SetLabel
        {
            requireNonNull(key, "key is null");
            requireNonNull(value, "value is null");
        }

        @Override
        public NodeState applyTo(NodeState state)
        {
            return state.withLabels(state.labelsWith(key, value));
        }

        @Override
        public String describe()
        {
            return "label " + key + "=" + value;
        }
    }

    record RemoveLabel(String key)
            implements NodeChange
    {
        public RemoveLabel
        {
            requireNonNull(key, "key is null");
        }

        @Override
        public NodeState applyTo(NodeState state)
        {
            return state.withLabels(state.labelsWith(key, null));
        }

        @Override
        public String describe()
        {
            return "remove label " + key;
        }
    }

    record SetUnschedulable(boolean unschedulable)
            implements NodeChange
    {
        @Override
        public NodeState applyTo(NodeState state)
        {
            return state.withUnschedulable(unschedulable);
        }

        @Override
        public String describe()
        {
            return unschedulable ? "cordon" : "uncordon";
        }
    }
}
