package io.rackpilot.packaging;

import io.rackpilot.common.testing.SystemTools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Installs the three packages with dpkg on this machine, runs what they installed, removes and
 * purges them, and checks that nothing is left but what Debian policy keeps (the system user).
 * It changes the machine, so it runs only when RACKPILOT_PACKAGE_INSTALL_TEST=1 (set by .ci/run)
 * and as root; it purges the packages (and removes a user it created) even when it fails.
 */
final class TestPackageInstall
{
    private static final String ENABLE_VARIABLE = "RACKPILOT_PACKAGE_INSTALL_TEST";
    private static final List<String> PACKAGES = BuiltPackages.DAEMONS.stream().map(daemon -> "rackpilot-" + daemon).toList();

    @Test
    void installRunRemovePurge()
            throws IOException
    {
        if (!"1".equals(System.getenv(ENABLE_VARIABLE))) {
            abort(ENABLE_VARIABLE + " is not 1: not installing packages on this machine");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            String message = "installing packages needs root";
            if ("1".equals(System.getenv(SystemTools.REQUIRE_VARIABLE))) {
                fail(message + ", and " + SystemTools.REQUIRE_VARIABLE + "=1 requires every system test to run");
            }
            abort(message);
        }
        SystemTools.require("dpkg");
        SystemTools.require("adduser");
        for (String name : PACKAGES) {
            assertThat(ProcessResult.run("dpkg-query", "--show", "--showformat=${Status}", name).output())
                    .as(name + " must not be installed already: this test would remove it")
                    .doesNotContain("installed");
        }
        boolean userExisted = ProcessResult.run("getent", "passwd", "rackpilot").exitCode() == 0;
        Path coordinatorKey = Path.of("/etc/rackpilot/tls/coordinator-key.pem");
        boolean keyExisted = Files.exists(coordinatorKey);
        try {
            if (!keyExisted) {
                // an operator's key, copied in before the package: postinst gives it to the group
                Files.createDirectories(coordinatorKey.getParent());
                Files.writeString(coordinatorKey, "not a real key\n");
                Files.setPosixFilePermissions(coordinatorKey, PosixFilePermissions.fromString("rw-------"));
            }
            install();
            checkInstalled();
            if (!keyExisted) {
                assertThat(ProcessResult.check("stat", "--format=%a %U:%G", coordinatorKey.toString()).trim()).isEqualTo("640 root:rackpilot");
                assertThat(ProcessResult.check("stat", "--format=%a %U:%G", "/etc/rackpilot/tls").trim()).isEqualTo("750 root:rackpilot");
                Files.delete(coordinatorKey);
            }
            remove();
            purge();
            assertThat(ProcessResult.run("getent", "passwd", "rackpilot").exitCode())
                    .as("the system user stays after a purge, as Debian policy asks")
                    .isZero();
        }
        finally {
            cleanUp(userExisted, keyExisted, coordinatorKey);
        }
    }

    private static void install()
    {
        List<String> command = new ArrayList<>(List.of("dpkg", "--install"));
        for (String daemon : BuiltPackages.DAEMONS) {
            command.add(BuiltPackages.deb(daemon).toString());
        }
        ProcessResult result = ProcessResult.run(command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
    }

    private static void checkInstalled()
            throws IOException
    {
        String version = BuiltPackages.projectVersion();
        for (String program : List.of("rackpilot-coordinator", "rackpilot-host-agent", "rackpilot-node-agent", "rackctl")) {
            ProcessResult result = ProcessResult.run("/usr/bin/" + program, "--version");
            assertThat(result.exitCode()).as(result.describe()).isZero();
            assertThat(result.output()).as(result.describe()).contains(program + " " + version);
        }
        String user = ProcessResult.check("getent", "passwd", "rackpilot");
        assertThat(user.trim().split(":")).as(user).satisfies(fields -> {
            assertThat(Integer.parseInt(fields[2])).as("a system uid").isLessThan(1000);
            assertThat(fields[5]).isEqualTo("/var/lib/rackpilot");
        });
        assertThat(ProcessResult.run("getent", "group", "rackpilot").exitCode()).isZero();
        for (String daemon : BuiltPackages.DAEMONS) {
            String unit = "rackpilot-" + daemon + ".service";
            assertThat(Path.of("/lib/systemd/system", unit)).isRegularFile();
            assertThat(Path.of("/etc/rackpilot", daemon + ".yaml")).isRegularFile();
            if (Files.isExecutable(Path.of("/usr/bin/deb-systemd-helper"))) {
                // enabled the way dh_installsystemd does it, without a running systemd
                assertThat(Files.isSymbolicLink(Path.of("/etc/systemd/system/multi-user.target.wants", unit))).as(unit + " enabled").isTrue();
            }
            if (SystemTools.find("systemd-analyze", System.getenv("PATH")).isPresent()) {
                ProcessResult verify = ProcessResult.run("systemd-analyze", "verify", "--man=false", "/lib/systemd/system/" + unit);
                assertThat(verify.exitCode()).as(verify.describe()).isZero();
                assertThat(verify.output() + verify.errors()).as(verify.describe()).isEmpty();
            }
            String status = ProcessResult.check("dpkg-query", "--show", "--showformat=${Status}", "rackpilot-" + daemon);
            assertThat(status).isEqualTo("install ok installed");
        }
    }

    private static void remove()
            throws IOException
    {
        List<String> command = new ArrayList<>(List.of("dpkg", "--remove"));
        command.addAll(PACKAGES);
        ProcessResult result = ProcessResult.run(command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(Path.of("/usr/share/rackpilot")).doesNotExist();
        assertThat(matching(Path.of("/usr/bin"), "rackpilot-")).isEmpty();
        assertThat(Path.of("/usr/bin/rackctl")).doesNotExist();
        assertThat(matching(Path.of("/lib/systemd/system"), "rackpilot-")).isEmpty();
        for (String daemon : BuiltPackages.DAEMONS) {
            // a removed package keeps its configuration
            assertThat(Path.of("/etc/rackpilot", daemon + ".yaml")).isRegularFile();
            assertThat(ProcessResult.check("dpkg-query", "--show", "--showformat=${Status}", "rackpilot-" + daemon))
                    .isEqualTo("deinstall ok config-files");
        }
    }

    private static void purge()
            throws IOException
    {
        List<String> command = new ArrayList<>(List.of("dpkg", "--purge"));
        command.addAll(PACKAGES);
        ProcessResult result = ProcessResult.run(command);
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(Path.of("/etc/rackpilot")).doesNotExist();
        assertThat(matching(Path.of("/etc/default"), "rackpilot-")).isEmpty();
        assertThat(Path.of("/var/lib/rackpilot")).doesNotExist();
        assertThat(Path.of("/usr/share/doc/rackpilot")).doesNotExist();
        assertThat(matchingBelow(Path.of("/etc/systemd/system"), "rackpilot")).as("enable links and masks").isEmpty();
        assertThat(matchingBelow(Path.of("/var/lib/systemd/deb-systemd-helper-enabled"), "rackpilot")).isEmpty();
        assertThat(matchingBelow(Path.of("/var/lib/systemd/deb-systemd-helper-masked"), "rackpilot")).isEmpty();
        for (String name : PACKAGES) {
            assertThat(ProcessResult.run("dpkg-query", "--show", "--showformat=${Status}", name).output()).as(name).doesNotContain("installed").doesNotContain("config-files");
        }
    }

    private static void cleanUp(boolean userExisted, boolean keyExisted, Path coordinatorKey)
            throws IOException
    {
        List<String> purge = new ArrayList<>(List.of("dpkg", "--purge"));
        purge.addAll(PACKAGES);
        ProcessResult.run(purge);
        if (!keyExisted) {
            Files.deleteIfExists(coordinatorKey);
            deleteIfEmpty(coordinatorKey.getParent());
            deleteIfEmpty(coordinatorKey.getParent().getParent());
        }
        if (!userExisted && ProcessResult.run("getent", "passwd", "rackpilot").exitCode() == 0) {
            ProcessResult.run("deluser", "--system", "--quiet", "rackpilot");
            if (ProcessResult.run("getent", "group", "rackpilot").exitCode() == 0) {
                ProcessResult.run("delgroup", "--system", "--quiet", "rackpilot");
            }
        }
    }

    private static void deleteIfEmpty(Path directory)
            throws IOException
    {
        if (Files.isDirectory(directory)) {
            try (Stream<Path> entries = Files.list(directory)) {
                if (entries.findAny().isEmpty()) {
                    Files.delete(directory);
                }
            }
        }
    }

    private static List<Path> matching(Path directory, String prefix)
            throws IOException
    {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(path -> path.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    private static List<Path> matchingBelow(Path directory, String part)
            throws IOException
    {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.walk(directory)) {
            return entries.filter(path -> path.getFileName().toString().contains(part)).toList();
        }
    }
}
