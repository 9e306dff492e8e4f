package io.rackpilot.agent.inventory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Fixture trees in the layout of {@code /sys} and {@code /run}, as node_exporter's tests use.
 */
class TestSystemUuidSource
{
    private static final String PROXMOX_UUID = "3f2a9c1e-5b7d-4e21-9a0c-6d8e4f1b2a77";

    @TempDir
    Path root;

    @Test
    void readsAReadableProductUuidAndLowerCasesIt()
            throws IOException
    {
        Path sysRoot = sysWithProductUuid("3F2A9C1E-5B7D-4E21-9A0C-6D8E4F1B2A77\n");

        SystemUuid uuid = new SystemUuidSource(sysRoot, Optional.of(root.resolve("run/rackpilot/product_uuid"))).read();

        assertThat(uuid).isEqualTo(SystemUuid.known(PROXMOX_UUID, "dmi"));
    }

    @Test
    void anUnreadableProductUuidIsUnknownAndSaysItIsRootOnly()
            throws IOException
    {
        Path sysRoot = sysWithProductUuid(PROXMOX_UUID + "\n");
        Path productUuid = sysRoot.resolve("class/dmi/id/product_uuid");
        Files.setPosixFilePermissions(productUuid, PosixFilePermissions.fromString("r--------"));
        // the build runs as root, and root reads a 0400 file: play the kernel's answer to anybody else
        SystemUuidSource.FileReader unprivileged = file -> {
            if (file.equals(productUuid)) {
                throw new AccessDeniedException(file.toString());
            }
            return Files.readString(file);
        };

        SystemUuid uuid = new SystemUuidSource(sysRoot, Optional.of(root.resolve("run/rackpilot/product_uuid")), unprivileged).read();

        assertThat(uuid.uuid()).isEmpty();
        assertThat(uuid.source()).isEqualTo("unknown: " + productUuid + " not readable (root only); copy it to " + root.resolve("run/rackpilot/product_uuid") + " in the unit");
    }

    @Test
    void noDmiAtAllIsUnknown()
    {
        SystemUuid uuid = new SystemUuidSource(root.resolve("sys"), Optional.empty()).read();

        assertThat(uuid.uuid()).isEmpty();
        assertThat(uuid.source()).isEqualTo("unknown: no DMI on this machine (" + root.resolve("sys/class/dmi/id") + " does not exist)");
    }

    @Test
    void dmiWithoutProductUuidIsUnknown()
            throws IOException
    {
        Path sysRoot = root.resolve("sys");
        Files.createDirectories(sysRoot.resolve("class/dmi/id"));
        Files.writeString(sysRoot.resolve("class/dmi/id/sys_vendor"), "QEMU\n");

        SystemUuid uuid = new SystemUuidSource(sysRoot, Optional.empty()).read();

        assertThat(uuid.source()).isEqualTo("unknown: " + sysRoot.resolve("class/dmi/id/product_uuid") + " does not exist");
    }

    @Test
    void theOverrideFileWinsOverSysfs()
            throws IOException
    {
        Path sysRoot = sysWithProductUuid("00112233-4455-6677-8899-aabbccddeeff\n");
        Path override = Files.createDirectories(root.resolve("run/rackpilot")).resolve("product_uuid");
        Files.writeString(override, PROXMOX_UUID.toUpperCase() + "\n");

        SystemUuid uuid = new SystemUuidSource(sysRoot, Optional.of(override)).read();

        assertThat(uuid).isEqualTo(SystemUuid.known(PROXMOX_UUID, "file:" + override));
    }

    @Test
    void theOverrideFileWorksOnAMachineWithoutDmi()
            throws IOException
    {
        Path override = Files.writeString(root.resolve("product_uuid"), PROXMOX_UUID);

        assertThat(new SystemUuidSource(root.resolve("sys"), Optional.of(override)).read())
                .isEqualTo(SystemUuid.known(PROXMOX_UUID, "file:" + override));
    }

    @Test
    void aMalformedOverrideFileIsUnknownNamingTheFileEvenWhenSysfsHasOne()
            throws IOException
    {
        Path sysRoot = sysWithProductUuid(PROXMOX_UUID);
        Path override = Files.writeString(root.resolve("product_uuid"), "Not Settable\n");

        SystemUuid uuid = new SystemUuidSource(sysRoot, Optional.of(override)).read();

        assertThat(uuid.uuid()).isEmpty();
        assertThat(uuid.source()).isEqualTo("unknown: " + override + " does not hold a UUID: 'Not Settable'");
    }

    @Test
    void malformedSysfsContentsAreUnknown()
            throws IOException
    {
        assertThat(readSysfs("3f2a9c1e5b7d4e219a0c6d8e4f1b2a77\n").source()).endsWith("product_uuid does not hold a UUID: '3f2a9c1e5b7d4e219a0c6d8e4f1b2a77'");
        assertThat(readSysfs("\n").source()).endsWith("product_uuid is empty");
        assertThat(readSysfs(PROXMOX_UUID + "\nsecond line\n").source()).endsWith("does not hold a UUID: '" + PROXMOX_UUID + "...'");
        assertThat(readSysfs("x".repeat(200)).source()).endsWith("'" + "x".repeat(60) + "...'");
    }

    @Test
    void placeholderUuidsAreNotIdentities()
            throws IOException
    {
        assertThat(readSysfs("00000000-0000-0000-0000-000000000000\n").source()).contains("placeholder UUID 00000000-0000-0000-0000-000000000000");
        assertThat(readSysfs("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\n").uuid()).isEmpty();
    }

    @Test
    void aValueCannotClaimToBeKnownWithoutAUuidOrTheOtherWayRound()
    {
        assertThatThrownBy(() -> SystemUuid.known("ABC", "dmi")).hasMessageContaining("not a lower-case UUID");
        assertThatThrownBy(() -> SystemUuid.known(PROXMOX_UUID, "unknown: why")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SystemUuid(Optional.empty(), "dmi")).isInstanceOf(IllegalArgumentException.class);
    }

    private SystemUuid readSysfs(String contents)
            throws IOException
    {
        Path sysRoot = sysWithProductUuid(contents);
        return new SystemUuidSource(sysRoot, Optional.empty()).read();
    }

    private Path sysWithProductUuid(String contents)
            throws IOException
    {
        Path sysRoot = Files.createTempDirectory(root, "sys");
        Path dmi = Files.createDirectories(sysRoot.resolve("class/dmi/id"));
        Files.writeString(dmi.resolve("product_uuid"), contents);
        return sysRoot;
    }
}
