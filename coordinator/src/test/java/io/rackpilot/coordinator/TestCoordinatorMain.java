package io.rackpilot.coordinator;

import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.TlsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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

    @Test
    void aStateFileFoundEmptyStopsTheStartWithExitCodeTwoAndSaysWhatToDo()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        TlsFiles tls = TlsFiles.inDirectory(Files.createDirectories(directory.resolve("tls")), "coordinator");
        authority.issue(new Identity(IdentityRole.COORDINATOR, "coordinator"), List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1)).writeTo(tls.certificate(), tls.privateKey());
        authority.writeTo(tls.caCertificate(), directory.resolve("ca-key.pem"));
        Path state = Files.createDirectories(directory.resolve("state"));
        Path database = state.resolve("coordinator.db");
        Files.write(database, new byte[0]);
        Path config = directory.resolve("coordinator.yaml");
        Files.writeString(config, String.join("\n",
                "listen: 127.0.0.1:0",
                "tls:",
                "  ca: " + tls.caCertificate(),
                "  certificate: " + tls.certificate(),
                "  privateKey: " + tls.privateKey(),
                "metrics:",
                "  listen: 127.0.0.1:0",
                "stateDirectory: " + state,
                ""));

        assertThat(run("--config", config.toString())).isEqualTo(2);
        assertThat(text(err)).startsWith("state file " + database + " is empty (0 bytes), but it existed before")
                .contains("Restore coordinator.db from a backup")
                .contains("remove the file (rm " + database + ")");
        assertThat(Files.size(database)).isZero();
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
