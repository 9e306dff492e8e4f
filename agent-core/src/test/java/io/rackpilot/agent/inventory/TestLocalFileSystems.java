package io.rackpilot.agent.inventory;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TestLocalFileSystems
{
    @Test
    void onAProxmoxHostKeepsDisksAndZfsButNotPseudoFuseOrNfs()
            throws IOException
    {
        assertThat(localMounts("mounts-proxmox-host.txt")).containsExactly(
                "/",
                "/boot/efi",
                "/mnt/nfs-share",
                "/rpool",
                "/rpool/data",
                "/rpool/data/subvol-105-disk-0");
    }

    @Test
    void onAKubernetesNodeKeepsAKubeletDiskButNotPodVolumesOrContainerLayers()
            throws IOException
    {
        assertThat(localMounts("mounts-kubernetes-node.txt")).containsExactly(
                "/",
                "/boot/efi",
                "/var/lib/kubelet");
    }

    @Test
    void typesAreComparedWithoutCaseAndFuseblkIsLocal()
    {
        assertThat(LocalFileSystems.isLocal("/data", "XFS")).isTrue();
        assertThat(LocalFileSystems.isLocal("/media/windows", "fuseblk")).isTrue();
        assertThat(LocalFileSystems.isLocal("/mnt/remote", "fuse.sshfs")).isFalse();
        assertThat(LocalFileSystems.isLocal("/mnt/shared", "virtiofs")).isFalse();
        assertThat(LocalFileSystems.isLocal("/", "")).isFalse();
    }

    @Test
    void systemTreesAreExcludedOnlyAsWholePathSegments()
    {
        assertThat(LocalFileSystems.isLocalMount("/devices")).isTrue();
        assertThat(LocalFileSystems.isLocalMount("/srv/run")).isTrue();
        assertThat(LocalFileSystems.isLocalMount("/var/lib/dockerdata")).isTrue();
        assertThat(LocalFileSystems.isLocalMount("/var/lib/docker")).isTrue();
        assertThat(LocalFileSystems.isLocalMount("/var/lib/docker/overlay2/x/merged")).isFalse();
        assertThat(LocalFileSystems.isLocalMount("/dev")).isFalse();
        assertThat(LocalFileSystems.isLocalMount("relative")).isFalse();
    }

    /**
     * The mount points of a {@code /proc/self/mounts} fixture that the rule keeps, in file order.
     */
    private static List<String> localMounts(String fixture)
            throws IOException
    {
        String table;
        try (InputStream input = TestLocalFileSystems.class.getResourceAsStream("/inventory/" + fixture)) {
            assertThat(input).as(fixture).isNotNull();
            table = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        }
        return table.lines()
                .map(line -> line.split(" "))
                .filter(fields -> LocalFileSystems.isLocal(fields[1], fields[2]))
                .map(fields -> fields[1])
                .toList();
    }
}
