package io.rackpilot.coordinator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TestCoordinatorMain
{
    @TempDir
    Path directory;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void versionAndHelp()
    {
        assertThat(run("--version")).isZero();
        assertThat(text(out)).startsWith("rackpilot-coordinator ");
        assertThat(run("--help")).isZero();
        assertThat(text(out)).contains("usage: rackpilot-coordinator [--config FILE]");
        assertThat(run("--bogus")).isEqualTo(2);
    }

    @Test
    void aMalformedConfigIsOneMessageNamingFileLineAndKey()
            throws Exception
    {
        Path config = directory.resolve("coordinator.yaml");
        Files.writeString(config, "listen: 0.0.0.0:7450\nagents:\n  hearbeatInterval: 5s\n");
        assertThat(run("--config", config.toString())).isEqualTo(2);
        assertThat(text(err).strip().lines()).hasSize(1);
        assertThat(text(err)).startsWith(config + ":3:3").contains("hearbeatInterval");
    }

    @Test
    void aValueThatMakesNoSenseNamesItsKey()
            throws Exception
    {
        Path config = directory.resolve("coordinator.yaml");
        Files.writeString(config, "agents:\n  missedHeartbeats: 0\n");
        assertThat(run("--config", config.toString())).isEqualTo(2);
        assertThat(text(err)).contains(config + ": agents.missedHeartbeats must be at least 1, got 0");
    }

    @Test
    void missingTlsFilesAreNamed()
            throws Exception
    {
        Path config = directory.resolve("coordinator.yaml");
        Files.writeString(config, "listen: 127.0.0.1:0\nmetrics:\n  listen: 127.0.0.1:0\nstateDirectory: " + directory.resolve("state") + "\ntls:\n  ca: " + directory.resolve("ca.pem") + "\n");
        assertThat(run("--config", config.toString())).isEqualTo(2);
        assertThat(text(err)).startsWith(config + ": ").contains(directory.resolve("ca.pem").toString());
    }

    private int run(String... arguments)
    {
        out.reset();
        err.reset();
        return CoordinatorMain.run(arguments, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(ByteArrayOutputStream stream)
    {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
