package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class TestAgentDaemon
{
    @TempDir
    Path directory;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void versionAndHelp()
    {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("rackpilot-node-agent ");
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: rackpilot-node-agent [--config FILE]");
    }

    @Test
    void badUsageExitsTwo()
    {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument '--frobnicate'");
        assertThat(run("--config")).isEqualTo(2);
    }

    @Test
    void aMalformedConfigIsOneMessageNamingFileLineAndKey()
            throws Exception
    {
        Path config = directory.resolve("node-agent.yaml");
        Files.writeString(config, "coordinator:\n  address: devvm:7450\ninventroy:\n  interval: 10s\n");
        assertThat(run("--config", config.toString())).isEqualTo(2);
        String message = err.toString(StandardCharsets.UTF_8).strip();
        assertThat(message.lines()).hasSize(1);
        assertThat(message).startsWith(config + ":3:1").contains("inventroy");
    }

    @Test
    void aMissingCertificateIsAConfigurationError()
            throws Exception
    {
        Path config = directory.resolve("node-agent.yaml");
        Files.writeString(config, "tls:\n  certificate: " + directory.resolve("missing.pem") + "\nstateDirectory: " + directory + "\n");
        assertThat(run("--config", config.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("tls.certificate").contains("missing.pem");
    }

    @Test
    void aMissingConfigFileIsAnError()
    {
        assertThat(run("--config", directory.resolve("nope.yaml").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope.yaml");
    }

    private int run(String... arguments)
    {
        out.reset();
        err.reset();
        return AgentDaemon.run(AgentKind.NODE, arguments, context -> AgentParts.NONE,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
