package io.rackpilot.coordinator.reconcile;

import io.rackpilot.common.config.ConfigValueException;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the reconciler closes a kind of drift ({@code enforce}) or only reports it
 * ({@code observe}). Set per group in the coordinator's {@code reconcile.mode}.
 */
public enum ReconcileMode
{
    ENFORCE,
    OBSERVE;

    /**
     * The groups of drift that {@code reconcile.mode} names. Only the first three can be enforced;
     * the rest (VM cores, memory, networks, power, missing VMs and agents) are only reported.
     */
    public enum Group
    {
        NFS_EXPORT,
        GPU_NODE_POLICY,
        GPU_ASSIGNMENT,
        GPU_DRIVER,
        REPORTED;

        public String label()
        {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The modes of the enforceable groups: enforce unless {@code configured} says otherwise.
     *
     * @param configured group label to mode name, as written in the config file
     * @param keyPrefix the config key that holds the map, for messages, relative to the object that
     *        checks it ({@code mode} in {@code reconcile}; dots separate keys)
     */
    public static Map<Group, ReconcileMode> parse(Map<String, String> configured, String keyPrefix)
    {
        Map<Group, ReconcileMode> modes = new EnumMap<>(Group.class);
        modes.put(Group.NFS_EXPORT, ENFORCE);
        modes.put(Group.GPU_NODE_POLICY, ENFORCE);
        modes.put(Group.GPU_ASSIGNMENT, ENFORCE);
        modes.put(Group.GPU_DRIVER, ENFORCE);
        modes.put(Group.REPORTED, OBSERVE);
        for (Map.Entry<String, String> entry : configured.entrySet()) {
            // one path segment per key, so that the loader names the key and finds its line
            List<Object> key = new ArrayList<>(List.of(keyPrefix.split("\\.")));
            key.add(entry.getKey());
            Group group = null;
            for (Group candidate : Group.values()) {
                if (candidate != Group.REPORTED && candidate.label().equals(entry.getKey())) {
                    group = candidate;
                }
            }
            if (group == null) {
                throw ConfigValueException.at(key, "expected one of nfs-export, gpu-node-policy, gpu-assignment, gpu-driver (VM cores, memory, networks and power are only ever reported)");
            }
            ReconcileMode mode = switch (entry.getValue() == null ? "" : entry.getValue()) {
                case "enforce" -> ENFORCE;
                case "observe" -> OBSERVE;
                default -> throw ConfigValueException.at(key, "expected enforce or observe, got \"" + entry.getValue() + "\"");
            };
            modes.put(group, mode);
        }
        return Map.copyOf(modes);
    }
}
