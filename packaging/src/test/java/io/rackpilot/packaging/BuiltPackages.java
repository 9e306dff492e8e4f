package io.rackpilot.packaging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the build left the packages, and what they are named. The build passes the directories
 * and the project version as system properties (see packaging/pom.xml).
 */
final class BuiltPackages
{
    static final List<String> DAEMONS = List.of("coordinator", "host-agent", "node-agent");

    private BuiltPackages() {}

    static String projectVersion()
    {
        return property("rackpilot.version");
    }

    /**
     * The project version as Debian writes it: 0.1.0-SNAPSHOT sorts after 0.1.0 in Maven and
     * before it in Debian with a tilde.
     */
    static String debianVersion()
    {
        return projectVersion().replace("-SNAPSHOT", "~SNAPSHOT");
    }

    static Path root()
    {
        return Path.of(property("rackpilot.root")).toAbsolutePath().normalize();
    }

    static Path deb(String daemon)
    {
        Path deb = Path.of(property("rackpilot.packages"), "rackpilot-" + daemon + "_" + debianVersion() + "_all.deb");
        assertThat(deb).as("the package built by mvn package").isRegularFile();
        return deb;
    }

    static Path tarball()
    {
        Path tarball = Path.of(property("rackpilot.packages"), "rackpilot-" + projectVersion() + ".tar.gz");
        assertThat(tarball).as("the tarball built by mvn package").isRegularFile();
        return tarball;
    }

    static Path source(String relativePath)
    {
        Path file = root().resolve(relativePath);
        assertThat(Files.exists(file)).as(file + " exists").isTrue();
        return file;
    }

    private static String property(String name)
    {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run the tests through Maven (mvn -pl packaging -am verify)");
        }
        return value;
    }
}
