package io.rackpilot.common.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPemFiles
{
    private static final Identity NODE = new Identity(IdentityRole.NODE, "k8s-node1");

    @TempDir
    Path directory;

    @Test
    void issuedCertificateRoundTripsThroughPem()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        IssuedCertificate issued = authority.issue(NODE, List.of("localhost"), List.of("127.0.0.1"), Duration.ofHours(1));
        Path certificate = directory.resolve("node-agent.pem");
        Path key = directory.resolve("node-agent-key.pem");

        issued.writeTo(certificate, key);

        assertThat(PemFiles.readCertificates(certificate)).containsExactly(issued.certificate());
        assertThat(PemFiles.readPrivateKey(key).getEncoded()).isEqualTo(issued.privateKey().getEncoded());
        assertThat(Files.readString(certificate)).startsWith("-----BEGIN CERTIFICATE-----\n").endsWith("-----END CERTIFICATE-----\n");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
    }

    @Test
    void nettyReadsTheWrittenFiles()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        authority.writeTo(directory.resolve("ca.pem"), directory.resolve("ca-key.pem"));
        authority.issue(NODE, List.of(), List.of(), Duration.ofHours(1)).writeTo(directory.resolve("node-agent.pem"), directory.resolve("node-agent-key.pem"));

        SslContext context = SslContextBuilder.forClient()
                .trustManager(directory.resolve("ca.pem").toFile())
                .keyManager(directory.resolve("node-agent.pem").toFile(), directory.resolve("node-agent-key.pem").toFile())
                .build();

        assertThat(context.isClient()).isTrue();
    }

    @Test
    void caRoundTripsThroughPemAndKeepsIssuing()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        Path certificate = directory.resolve("ca/ca.pem");
        Path key = directory.resolve("ca/ca-key.pem");
        authority.writeTo(certificate, key);

        CertificateAuthority loaded = CertificateAuthority.load(certificate, key);

        assertThat(loaded.certificate()).isEqualTo(authority.certificate());
        IssuedCertificate issued = loaded.issue(NODE, List.of(), List.of(), Duration.ofHours(1));
        issued.certificate().verify(authority.certificate().getPublicKey());
    }

    @Test
    void privateKeyIsOwnerOnlyAndCertificateIsNotWritableByOthers()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        Path key = directory.resolve("tls/node-agent-key.pem");
        Path certificate = directory.resolve("tls/node-agent.pem");
        Files.createDirectories(key.getParent());
        Files.writeString(key, "old world-readable content");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));

        authority.issue(NODE, List.of(), List.of(), Duration.ofHours(1)).writeTo(certificate, key);
        authority.writeTo(directory.resolve("ca/ca.pem"), directory.resolve("ca/ca-key.pem"));

        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(directory.resolve("ca/ca-key.pem"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Set<PosixFilePermission> certificatePermissions = Files.getPosixFilePermissions(certificate);
        assertThat(certificatePermissions).contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)
                .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        try (Stream<Path> files = Files.list(key.getParent())) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("node-agent.pem", "node-agent-key.pem");
        }
    }

    @Test
    void readsTraditionalOpenSslEcKeys()
            throws Exception
    {
        IssuedCertificate issued = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1)).issue(NODE, List.of(), List.of(), Duration.ofHours(1));
        // what `openssl ecparam -name prime256v1 -genkey -noout` writes: SEC1 with the curve and the public key
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                256,
                ((ECPrivateKey) issued.privateKey()).getS(),
                SubjectPublicKeyInfo.getInstance(issued.certificate().getPublicKey().getEncoded()).getPublicKeyData(),
                SECObjectIdentifiers.secp256r1);
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        Path key = directory.resolve("traditional-key.pem");
        Files.writeString(key, text.toString());

        assertThat(KeyPairs.matches(PemFiles.readPrivateKey(key), issued.certificate().getPublicKey())).isTrue();
    }

    @Test
    void refusesEncryptedKeysNamingTheFile()
            throws Exception
    {
        IssuedCertificate issued = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1)).issue(NODE, List.of(), List.of(), Duration.ofHours(1));
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(issued.privateKey(),
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build()));
        }
        Path key = directory.resolve("encrypted-key.pem");
        Files.writeString(key, text.toString());

        assertThatThrownBy(() -> PemFiles.readPrivateKey(key))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith("private key file " + key + " holds an encrypted key; rackpilot needs an unencrypted PKCS#8 key")
                .extracting(exception -> ((TlsFileException) exception).file()).isEqualTo(key);
    }

    @Test
    void errorsNameTheFile()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        IssuedCertificate issued = authority.issue(NODE, List.of(), List.of(), Duration.ofHours(1));
        Path missing = directory.resolve("missing.pem");
        Path garbage = directory.resolve("garbage.pem");
        Files.write(garbage, new byte[] {0, 1, 2, (byte) 0xff, '\n', 'x'});
        Path brokenBase64 = directory.resolve("broken.pem");
        Files.writeString(brokenBase64, "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        Path certificateOnly = directory.resolve("certificate-only.pem");
        issued.writeTo(certificateOnly, directory.resolve("unused-key.pem"));
        Path twoKeys = directory.resolve("two-keys.pem");
        Files.writeString(twoKeys, Files.readString(directory.resolve("unused-key.pem")).repeat(2));

        assertThatThrownBy(() -> PemFiles.readCertificates(missing))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("certificate file " + missing + " does not exist");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(missing))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + missing + " does not exist");
        assertThatThrownBy(() -> PemFiles.readCertificates(directory))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("certificate file " + directory + " is a directory");
        assertThatThrownBy(() -> PemFiles.readCertificates(garbage))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("certificate file " + garbage + " holds no PEM certificate (expected a '-----BEGIN CERTIFICATE-----' block)");
        assertThatThrownBy(() -> PemFiles.readCertificates(brokenBase64))
                .isInstanceOf(TlsFileException.class)
                .hasMessageStartingWith("certificate file " + brokenBase64 + " is not valid PEM: ");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(certificateOnly))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + certificateOnly + " holds no PEM private key (expected a '-----BEGIN PRIVATE KEY-----' block)");
        assertThatThrownBy(() -> PemFiles.readPrivateKey(twoKeys))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + twoKeys + " holds 2 private keys; expected exactly one");
    }

    @Test
    void loadingACaNamesTheFileThatIsWrong()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));
        authority.writeTo(directory.resolve("ca.pem"), directory.resolve("ca-key.pem"));
        CertificateAuthority.create("other CA", Duration.ofDays(1)).writeTo(directory.resolve("other.pem"), directory.resolve("other-key.pem"));
        authority.issue(NODE, List.of(), List.of(), Duration.ofHours(1)).writeTo(directory.resolve("leaf.pem"), directory.resolve("leaf-key.pem"));

        assertThatThrownBy(() -> CertificateAuthority.load(directory.resolve("ca.pem"), directory.resolve("other-key.pem")))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + directory.resolve("other-key.pem") + " does not belong to the CA certificate in " + directory.resolve("ca.pem"));
        assertThatThrownBy(() -> CertificateAuthority.load(directory.resolve("leaf.pem"), directory.resolve("leaf-key.pem")))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("certificate file " + directory.resolve("leaf.pem") + " is not a CA certificate (it lacks basicConstraints CA:true)");
        assertThatThrownBy(() -> CertificateAuthority.load(directory.resolve("ca.pem"), directory.resolve("missing-key.pem")))
                .isInstanceOf(TlsFileException.class)
                .hasMessage("private key file " + directory.resolve("missing-key.pem") + " does not exist");
    }
}
