package io.rackpilot.packaging;

import io.rackpilot.common.testing.SystemTools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.rackpilot.packaging.BuiltPackages.deb;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three .deb files as dpkg-deb reads them: control fields, files with their modes, conffiles,
 * maintainer scripts.
 */
final class TestDebianPackages
{
    private static final String JAVA_AND_ADDUSER = "default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser";
    private static final String JAVA = "default-jre-headless (>= 2:1.17) | java17-runtime-headless";

    @BeforeAll
    static void requireDpkgDeb()
    {
        SystemTools.require("dpkg-deb");
    }

    @Test
    void controlFieldsNameTheVersionTheArchitectureAndTheDependencies()
    {
        Map<String, String> expectedDepends = Map.of("coordinator", JAVA_AND_ADDUSER, "host-agent", JAVA, "node-agent", JAVA_AND_ADDUSER);
        for (String daemon : BuiltPackages.DAEMONS) {
            Map<String, String> fields = controlFields(ProcessResult.check("dpkg-deb", "--info", deb(daemon).toString()));
            assertThat(fields)
                    .as(daemon)
                    .containsEntry("Package", "rackpilot-" + daemon)
                    .containsEntry("Version", BuiltPackages.debianVersion())
                    .containsEntry("Architecture", "all")
                    .containsEntry("Section", "admin")
                    .containsEntry("Priority", "optional")
                    .containsEntry("Depends", expectedDepends.get(daemon))
                    .containsKeys("Maintainer", "Description", "Installed-Size");
            assertThat(fields.get("Maintainer")).as(daemon).matches(".+ <[^@ ]+@[^@ ]+>");
            assertThat(fields.get("Description")).as(daemon).startsWith("rackpilot ");
        }
        assertThat(controlFields(ProcessResult.check("dpkg-deb", "--info", deb("host-agent").toString())))
                .containsEntry("Recommends", "nfs-kernel-server");
        assertThat(BuiltPackages.debianVersion()).doesNotContain("-");
    }

    @Test
    void debianVersionSortsASnapshotBeforeItsRelease()
    {
        String version = BuiltPackages.debianVersion();
        if (version.contains("~")) {
            String release = version.substring(0, version.indexOf('~'));
            ProcessResult comparison = ProcessResult.run("dpkg", "--compare-versions", version, "lt", release);
            assertThat(comparison.exitCode()).as(comparison.describe()).isZero();
        }
        ProcessResult valid = ProcessResult.run("dpkg", "--validate-version", version);
        assertThat(valid.exitCode()).as(valid.describe()).isZero();
    }

    @Test
    void coordinatorPackageHoldsTheCoordinatorAndRackctl()
    {
        List<DebEntry> entries = contents("coordinator");
        assertThat(nonLibraryFiles(entries)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "/usr/bin/rackpilot-coordinator", 0755,
                "/usr/bin/rackctl", 0755,
                "/usr/share/rackpilot/coordinator/rackpilot-coordinator.jar", 0644,
                "/usr/share/rackpilot/coordinator/jvm-options", 0644,
                "/usr/share/rackpilot/rackctl/rackctl.jar", 0644,
                "/usr/share/rackpilot/rackctl/jvm-options", 0644,
                "/lib/systemd/system/rackpilot-coordinator.service", 0644,
                "/etc/rackpilot/coordinator.yaml", 0644,
                "/etc/default/rackpilot-coordinator", 0644,
                "/usr/share/doc/rackpilot/examples/homelab.yaml", 0644));
        assertThat(libraries(entries, "/usr/share/rackpilot/rackctl/lib/")).isEqualTo(jarsIn("cli/target/lib"));
        // the coordinator's libraries are rackctl's, through a link: each one it needs must be there
        assertThat(entries).filteredOn(entry -> entry.path().equals("/usr/share/rackpilot/coordinator/lib"))
                .singleElement()
                .satisfies(entry -> {
                    assertThat(entry.isSymbolicLink()).isTrue();
                    assertThat(entry.linkTarget()).contains("../rackctl/lib");
                });
        assertThat(libraries(entries, "/usr/share/rackpilot/rackctl/lib/")).containsAll(jarsIn("coordinator/target/lib"));
    }

    @Test
    void agentPackagesHoldTheirAgent()
    {
        for (String daemon : List.of("host-agent", "node-agent")) {
            List<DebEntry> entries = contents(daemon);
            assertThat(nonLibraryFiles(entries)).as(daemon).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "/usr/bin/rackpilot-" + daemon, 0755,
                    "/usr/share/rackpilot/" + daemon + "/rackpilot-" + daemon + ".jar", 0644,
                    "/usr/share/rackpilot/" + daemon + "/jvm-options", 0644,
                    "/lib/systemd/system/rackpilot-" + daemon + ".service", 0644,
                    "/etc/rackpilot/" + daemon + ".yaml", 0644,
                    "/etc/default/rackpilot-" + daemon, 0644));
            assertThat(libraries(entries, "/usr/share/rackpilot/" + daemon + "/lib/")).as(daemon).isEqualTo(jarsIn(daemon + "/target/lib"));
            assertThat(entries).as(daemon).noneMatch(DebEntry::isSymbolicLink);
        }
    }

    @Test
    void everythingBelongsToRootAndDirectoriesAre0755()
    {
        for (String daemon : BuiltPackages.DAEMONS) {
            List<DebEntry> entries = contents(daemon);
            assertThat(entries).as(daemon).allSatisfy(entry -> assertThat(entry.owner()).as(entry.path()).isEqualTo("root/root"));
            assertThat(entries).as(daemon).filteredOn(DebEntry::isDirectory)
                    .allSatisfy(entry -> assertThat(entry.mode()).as(entry.path()).isEqualTo(0755));
            assertThat(entries).as(daemon).filteredOn(entry -> entry.path().contains("/lib/") && entry.path().endsWith(".jar"))
                    .allSatisfy(entry -> assertThat(entry.mode()).as(entry.path()).isEqualTo(0644));
        }
    }

    @Test
    void configurationFilesAreConffiles()
    {
        for (String daemon : BuiltPackages.DAEMONS) {
            String conffiles = ProcessResult.check("dpkg-deb", "--info", deb(daemon).toString(), "conffiles");
            assertThat(conffiles.lines().map(String::trim).filter(line -> !line.isEmpty()))
                    .as(daemon)
                    .containsExactlyInAnyOrder("/etc/rackpilot/" + daemon + ".yaml", "/etc/default/rackpilot-" + daemon);
        }
    }

    @Test
    void maintainerScriptsAreThereAndExecutable()
            throws IOException
    {
        for (String daemon : BuiltPackages.DAEMONS) {
            Path control = Files.createTempDirectory("rackpilot-control");
            try {
                ProcessResult.check("dpkg-deb", "--control", deb(daemon).toString(), control.toString());
                for (String script : List.of("postinst", "prerm", "postrm")) {
                    Path file = control.resolve(script);
                    assertThat(file).as(daemon + " " + script).isRegularFile();
                    assertThat(Files.isExecutable(file)).as(daemon + " " + script + " is executable").isTrue();
                    String text = Files.readString(file);
                    assertThat(text).as(daemon + " " + script).startsWith("#!/bin/sh\n").contains("set -e\n");
                    ProcessResult syntax = ProcessResult.run("sh", "-n", file.toString());
                    assertThat(syntax.exitCode()).as(syntax.describe()).isZero();
                    // every systemctl/deb-systemd-* call must be guarded or tolerate failure
                    text.lines()
                            .filter(line -> line.matches("\\s*(systemctl|deb-systemd-helper|deb-systemd-invoke)\\b.*"))
                            .forEach(line -> assertThat(line).as(daemon + " " + script).endsWith("|| true"));
                }
                assertThat(Files.readString(control.resolve("postinst"))).as(daemon)
                        .contains("deb-systemd-helper unmask 'rackpilot-" + daemon + ".service'")
                        .contains("deb-systemd-helper --quiet was-enabled 'rackpilot-" + daemon + ".service'")
                        .contains("[ -d /run/systemd/system ]");
                assertThat(Files.readString(control.resolve("prerm"))).as(daemon).contains("deb-systemd-invoke stop 'rackpilot-" + daemon + ".service'");
                assertThat(Files.readString(control.resolve("postrm"))).as(daemon).contains("deb-systemd-helper purge 'rackpilot-" + daemon + ".service'");
            }
            finally {
                deleteTree(control);
            }
        }
    }

    static Map<String, String> controlFields(String info)
    {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : info.split("\n")) {
            // " Package: rackpilot-coordinator"; continuation lines start with two spaces
            if (line.matches(" [A-Za-z][A-Za-z0-9-]*: .*")) {
                int colon = line.indexOf(':');
                fields.put(line.substring(1, colon), line.substring(colon + 2).trim());
            }
        }
        return fields;
    }

    static List<DebEntry> contents(String daemon)
    {
        return DebEntry.parseContents(ProcessResult.check("dpkg-deb", "--contents", deb(daemon).toString()));
    }

    private static Map<String, Integer> nonLibraryFiles(List<DebEntry> entries)
    {
        return entries.stream()
                .filter(DebEntry::isRegularFile)
                .filter(entry -> !entry.path().matches("/usr/share/rackpilot/[^/]+/lib/.*"))
                .collect(Collectors.toMap(DebEntry::path, DebEntry::mode));
    }

    private static Set<String> libraries(List<DebEntry> entries, String directory)
    {
        return entries.stream()
                .filter(DebEntry::isRegularFile)
                .map(DebEntry::path)
                .filter(path -> path.startsWith(directory))
                .map(path -> path.substring(directory.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> jarsIn(String relativeDirectory)
    {
        try (Stream<Path> files = Files.list(BuiltPackages.source(relativeDirectory))) {
            Set<String> names = files.map(Path::getFileName).map(Path::toString).collect(Collectors.toCollection(TreeSet::new));
            assertThat(names).as(relativeDirectory).isNotEmpty().allMatch(name -> name.endsWith(".jar"));
            return names;
        }
        catch (IOException e) {
            throw new AssertionError("cannot list " + relativeDirectory, e);
        }
    }

    static void deleteTree(Path directory)
            throws IOException
    {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted((left, right) -> right.compareTo(left)).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
