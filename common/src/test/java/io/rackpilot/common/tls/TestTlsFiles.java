package io.rackpilot.common.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.rackpilot.common.tls.TestCertificates.dns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestTlsFiles
{
    private static final Identity NODE = new Identity(IdentityRole.NODE, "k8s-node1");

    @TempDir
    Path directory;

    @Test
    void namesTheFilesInADirectory()
    {
        TlsFiles files = TlsFiles.inDirectory(Path.of("/etc/rackpilot/tls"), "node-agent");

        assertThat(files.caCertificate()).isEqualTo(Path.of("/etc/rackpilot/tls/ca.pem"));
        assertThat(files.certificate()).isEqualTo(Path.of("/etc/rackpilot/tls/node-agent.pem"));
        assertThat(files.privateKey()).isEqualTo(Path.of("/etc/rackpilot/tls/node-agent-key.pem"));
        assertThatThrownBy(() -> TlsFiles.inDirectory(directory, "tls/node-agent"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid certificate base name 'tls/node-agent': expected a plain file name such as node-agent");
        assertThatThrownBy(() -> TlsFiles.inDirectory(directory, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validateNamesTheFirstMissingFile()
            throws Exception
    {
        TlsFiles files = TlsFiles.inDirectory(directory, "node-agent");
        assertThatThrownBy(files::validate)
                .isInstanceOf(TlsFileException.class)
                .hasMessage("CA certificate file " + directory.resolve("ca.pem") + " does not exist");

        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        authority.writeTo(files.caCertificate(), directory.resolve("ca-key.pem"));
        assertThatThrownBy(files::validate)
                .isInstanceOf(TlsFileException.class)
                .hasMessage("certificate file " + directory.resolve("node-agent.pem") + " does not exist")
                .extracting(exception -> ((TlsFileException) exception).file()).isEqualTo(files.certificate());

        IssuedCertificate issued = authority.issue(NODE, List.of(), List.of(), Duration.ofHours(1));
        issued.writeTo(files.certificate(), directory.resolve("elsewhere-key.pem"));
        assertThatThrownBy(files::validate)
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + directory.resolve("node-agent-key.pem") + " does not exist");

        Files.createDirectory(files.privateKey());
        assertThatThrownBy(files::validate)
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + directory.resolve("node-agent-key.pem") + " is not a regular file");
        Files.delete(files.privateKey());

        issued.writeTo(files.certificate(), files.privateKey());
        files.validate();
        assertThat(files.identity()).isEqualTo(NODE);
    }

    @Test
    void identityNamesTheCertificateFileWhenItHoldsNone()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        TlsFiles files = TlsFiles.inDirectory(directory, "plain");
        TestCertificates.issue(authority, "plain", dns("plain.example")).writeTo(files.certificate(), files.privateKey());

        assertThatThrownBy(files::identity)
                .isInstanceOf(TlsFileException.class)
                .hasMessage("certificate file " + files.certificate() + ": certificate 'CN=plain' names no rackpilot identity: "
                        + "it has no URI subject alternative name rackpilot://<role>/<id>");
    }

    @Test
    void contextsRefuseFilesThatCannotWorkNamingTheFile()
            throws Exception
    {
        Instant now = Instant.now();
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(10), Clock.fixed(now.minus(Duration.ofDays(2)), ZoneOffset.UTC));
        TlsFiles files = TlsFiles.inDirectory(directory, "node-agent");
        authority.writeTo(files.caCertificate(), directory.resolve("ca-key.pem"));

        authority.issue(NODE, List.of(), List.of(), Duration.ofDays(1)).writeTo(files.certificate(), files.privateKey());
        assertThatThrownBy(() -> TlsContexts.grpcClient(files))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith("certificate file " + files.certificate() + " expired at ");

        authority.issue(NODE, List.of(), List.of(), Duration.ofDays(5)).writeTo(files.certificate(), files.privateKey());
        assertThat(TlsContexts.grpcClient(files).isClient()).isTrue();
        assertThat(TlsContexts.grpcServer(files).isServer()).isTrue();

        authority.issue(NODE, List.of(), List.of(), Duration.ofDays(5)).writeTo(directory.resolve("other.pem"), files.privateKey());
        assertThatThrownBy(() -> TlsContexts.grpcServer(files))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + files.privateKey() + " does not belong to the certificate in " + files.certificate());

        authority.issue(NODE, List.of(), List.of(), Duration.ofDays(5)).writeTo(files.certificate(), files.privateKey());
        Files.copy(files.certificate(), files.caCertificate(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> TlsContexts.grpcClient(files))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("CA certificate file " + files.caCertificate() + " holds 'CN=k8s-node1', which is not a CA certificate");

        Files.writeString(files.caCertificate(), "not a certificate\n");
        assertThatThrownBy(() -> TlsContexts.grpcServer(files))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("certificate file " + files.caCertificate() + " holds no PEM certificate (expected a '-----BEGIN CERTIFICATE-----' block)");
    }
}
