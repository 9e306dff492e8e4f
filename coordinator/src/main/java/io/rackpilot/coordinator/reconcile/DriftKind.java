package io.rackpilot.coordinator.reconcile;

import java.util.Locale;

/**
 * The ways the homelab can differ from its plan, named as {@code rackctl plan diff} and the
 * {@code rackpilot_drift_items} metric show them.
 */
public enum DriftKind
{
    /** An NFS export of the plan that is not in force as planned, or one in force the plan lacks. */
    NFS_EXPORT(ReconcileMode.Group.NFS_EXPORT),
    /** A GPU held by another VM than the plan's. */
    GPU_ASSIGNMENT(ReconcileMode.Group.GPU_ASSIGNMENT),
    /** A planned GPU (or another function of its card) bound to another host driver than the plan's (vfio-pci). */
    GPU_DRIVER(ReconcileMode.Group.GPU_DRIVER),
    /** A node with a GPU lacking the policy's taint, or one without a GPU carrying it. */
    GPU_NODE_TAINT(ReconcileMode.Group.GPU_NODE_POLICY),
    /** The same for the policy's labels. */
    GPU_NODE_LABEL(ReconcileMode.Group.GPU_NODE_POLICY),
    VM_POWER(ReconcileMode.Group.REPORTED),
    VM_CORES(ReconcileMode.Group.REPORTED),
    VM_MEMORY(ReconcileMode.Group.REPORTED),
    VM_NETWORK(ReconcileMode.Group.REPORTED),
    VM_MISSING(ReconcileMode.Group.REPORTED),
    AGENT_MISSING(ReconcileMode.Group.REPORTED);

    private final ReconcileMode.Group group;

    DriftKind(ReconcileMode.Group group)
    {
        this.group = group;
    }

    /** What reconcile.mode calls the group this kind belongs to. */
    public ReconcileMode.Group group()
    {
        return group;
    }

    /** As shown: {@code gpu-node-taint}. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
