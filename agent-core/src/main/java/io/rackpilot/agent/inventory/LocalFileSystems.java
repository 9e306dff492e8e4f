package io.rackpilot.agent.inventory;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Which mounts the inventory lists: the machine's own storage, not the kernel's pseudo file systems,
 * memory, container layers or somebody else's storage. A mount is listed when both hold:
 * <ol>
 * <li>its type is none of
 * <ul>
 * <li>kernel pseudo file systems: {@link #PSEUDO_TYPES};</li>
 * <li>memory: {@code tmpfs}, {@code ramfs};</li>
 * <li>read-only images and container layers: {@code overlay}, {@code squashfs}, {@code erofs},
 * {@code iso9660};</li>
 * <li>network, cluster and host-shared file systems: {@link #SHARED_TYPES} (an NFS client mount
 * belongs to the server's inventory);</li>
 * <li>FUSE without a block device: {@code fuse} and {@code fuse.*} (sshfs, lxcfs, rclone, Proxmox's
 * {@code /etc/pve}); {@code fuseblk} (ntfs-3g on a local disk) is kept;</li>
 * </ul>
 * </li>
 * <li>its mount point is not {@code /proc}, {@code /sys}, {@code /dev} or {@code /run} or below
 * them, and not strictly below {@code /var/lib/kubelet}, {@code /var/lib/docker},
 * {@code /var/lib/containers} or {@code /var/lib/containerd} (pod volumes and container bind
 * mounts; a disk mounted at {@code /var/lib/kubelet} itself is kept), nor below {@code /snap}.</li>
 * </ol>
 * {@code /} is always listed when its type passes. Names are compared exactly, in lower case.
 */
final class LocalFileSystems
{
    static final Set<String> PSEUDO_TYPES = Set.of(
            "proc", "sysfs", "devtmpfs", "devpts", "securityfs", "cgroup", "cgroup2", "pstore", "bpf", "debugfs",
            "tracefs", "configfs", "fusectl", "mqueue", "hugetlbfs", "binfmt_misc", "autofs", "rpc_pipefs", "nsfs",
            "efivarfs", "selinuxfs", "nfsd", "rootfs");
    static final Set<String> MEMORY_TYPES = Set.of("tmpfs", "ramfs");
    static final Set<String> IMAGE_TYPES = Set.of("overlay", "squashfs", "erofs", "iso9660");
    static final Set<String> SHARED_TYPES = Set.of(
            "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "9p", "virtiofs", "afs", "ceph", "glusterfs", "lustre",
            "gfs2", "ocfs2", "davfs");

    private static final List<String> SYSTEM_TREES = List.of("/proc", "/sys", "/dev", "/run", "/snap");
    private static final List<String> CONTAINER_STATE_DIRECTORIES = List.of(
            "/var/lib/kubelet", "/var/lib/docker", "/var/lib/containers", "/var/lib/containerd");

    private LocalFileSystems() {}

    static boolean isLocal(String mount, String type)
    {
        requireNonNull(mount, "mount is null");
        requireNonNull(type, "type is null");
        return isLocalType(type) && isLocalMount(mount);
    }

    static boolean isLocalType(String type)
    {
        String normalised = type.strip().toLowerCase(Locale.ROOT);
        if (normalised.isEmpty()) {
            return false;
        }
        if (normalised.equals("fuse") || normalised.startsWith("fuse.")) {
            return false;
        }
        return !PSEUDO_TYPES.contains(normalised)
                && !MEMORY_TYPES.contains(normalised)
                && !IMAGE_TYPES.contains(normalised)
                && !SHARED_TYPES.contains(normalised);
    }

    static boolean isLocalMount(String mount)
    {
        if (!mount.startsWith("/")) {
            return false;
        }
        for (String tree : SYSTEM_TREES) {
            if (mount.equals(tree) || mount.startsWith(tree + "/")) {
                return false;
            }
        }
        for (String directory : CONTAINER_STATE_DIRECTORIES) {
            if (mount.startsWith(directory + "/")) {
                return false;
            }
        }
        return true;
    }
}
