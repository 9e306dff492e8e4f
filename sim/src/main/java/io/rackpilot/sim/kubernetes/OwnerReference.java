package io.rackpilot.sim.kubernetes;

import static java.util.Objects.requireNonNull;

/**
 * An entry of a simulated object's {@code metadata.ownerReferences}.
 *
 * @param apiVersion the owner's API version ({@code apps/v1}, {@code v1} for a Node)
 * @param kind the owner's kind ({@code DaemonSet}, {@code ReplicaSet}, {@code Node})
 * @param name the owner's name
 * @param uid the owner's UID
 * @param controller whether the owner is the object's managing controller
 */
public record OwnerReference(String apiVersion, String kind, String name, String uid, boolean controller)
{
    public OwnerReference
    {
        requireNonNull(apiVersion, "apiVersion is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(uid, "uid is null");
    }
}
