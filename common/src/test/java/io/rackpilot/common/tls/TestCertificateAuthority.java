package io.rackpilot.common.tls;

import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestCertificateAuthority
{
    private static final Instant NOW = Instant.parse("2030-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Identity NODE = new Identity(IdentityRole.NODE, "k8s-node1");

    @TempDir
    Path directory;

    @Test
    void caCertificateIsASelfSignedP256CaValidFromAMinuteAgo()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(365), CLOCK);
        X509Certificate certificate = authority.certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=rackpilot test CA");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getBasicConstraints()).isEqualTo(0);
        assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isFalse();
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
    }

    @Test
    void issuesALeafWithTheIdentityUriAndTheGivenNames()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(365), CLOCK);

        IssuedCertificate issued = authority.issue(NODE, List.of("localhost", "k8s-node1.lab.example"), List.of("127.0.0.1", "::1", "10.0.10.21"), Duration.ofDays(30));
        X509Certificate leaf = issued.certificate();

        assertThat(leaf.getSubjectAlternativeNames()).containsExactly(
                List.of(6, "rackpilot://node/k8s-node1"),
                List.of(2, "localhost"),
                List.of(2, "k8s-node1.lab.example"),
                List.of(7, "127.0.0.1"),
                List.of(7, "0:0:0:0:0:0:0:1"),
                List.of(7, "10.0.10.21"));
        assertThat(PeerIdentities.fromCertificate(leaf)).isEqualTo(NODE);
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=k8s-node1");
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(authority.certificate().getSubjectX500Principal());
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        boolean[] keyUsage = leaf.getKeyUsage();
        assertThat(keyUsage[0]).as("digitalSignature").isTrue();
        for (int bit = 1; bit < keyUsage.length; bit++) {
            assertThat(keyUsage[bit]).as("key usage bit " + bit).isFalse();
        }
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(issued.privateKey().getAlgorithm()).isEqualTo("EC");
        assertThat(((ECPublicKey) leaf.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(KeyPairs.matches(issued.privateKey(), leaf.getPublicKey())).isTrue();
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofMinutes(1)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(30)));
        leaf.verify(authority.certificate().getPublicKey());
        AuthorityKeyIdentifier authorityKeyIdentifier = AuthorityKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(leaf.getExtensionValue("2.5.29.35")));
        SubjectKeyIdentifier caKeyIdentifier = SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(authority.certificate().getExtensionValue("2.5.29.14")));
        assertThat(authorityKeyIdentifier.getKeyIdentifierOctets()).isEqualTo(caKeyIdentifier.getKeyIdentifier());
        assertThat(authorityKeyIdentifier.getAuthorityCertIssuer()).isNull();
    }

    @Test
    void leafValidatesAgainstTheCaAsTheOnlyTrustAnchor()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(365), CLOCK);
        X509Certificate leaf = authority.issue(NODE, List.of(), List.of(), Duration.ofDays(1)).certificate();

        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(authority.certificate(), null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(NOW));
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);

        CertificateAuthority other = CertificateAuthority.create("other CA", Duration.ofDays(365), CLOCK);
        PKIXParameters otherParameters = new PKIXParameters(Set.of(new TrustAnchor(other.certificate(), null)));
        otherParameters.setRevocationEnabled(false);
        otherParameters.setDate(Date.from(NOW));
        assertThatThrownBy(() -> CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), otherParameters))
                .isInstanceOf(java.security.cert.CertPathValidatorException.class);
    }

    @Test
    void serialNumbersArePositiveRandomAndTwentyBytes()
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(365), CLOCK);
        BigInteger first = authority.issue(NODE, List.of(), List.of(), Duration.ofDays(1)).certificate().getSerialNumber();
        BigInteger second = authority.issue(NODE, List.of(), List.of(), Duration.ofDays(1)).certificate().getSerialNumber();

        assertThat(first).isNotEqualTo(second);
        for (BigInteger serial : List.of(first, second, authority.certificate().getSerialNumber())) {
            assertThat(serial.signum()).isEqualTo(1);
            assertThat(serial.bitLength()).isEqualTo(159);
            assertThat(serial.toByteArray()).hasSize(20);
        }
    }

    @Test
    void leafNeverOutlivesTheCa()
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1), CLOCK);

        X509Certificate leaf = authority.issue(NODE, List.of(), List.of(), Duration.ofDays(10)).certificate();

        assertThat(leaf.getNotAfter()).isEqualTo(authority.certificate().getNotAfter());
    }

    @Test
    void anExpiredCaIssuesNothing()
            throws Exception
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1), CLOCK);
        authority.writeTo(directory.resolve("ca.pem"), directory.resolve("ca-key.pem"));
        CertificateAuthority later = CertificateAuthority.load(directory.resolve("ca.pem"), directory.resolve("ca-key.pem"), Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC));

        assertThatThrownBy(() -> later.issue(NODE, List.of(), List.of(), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the CA certificate CN=rackpilot test CA expired at 2030-03-02T12:00:00Z");
    }

    @Test
    void rejectsMalformedNamesAndValidities()
    {
        CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1), CLOCK);

        for (String address : List.of("300.1.1.1", "10.0.0", "fe80::1%eth0", "localhost", "")) {
            assertThatThrownBy(() -> authority.issue(NODE, List.of(), List.of(address), Duration.ofDays(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid IP address '" + address + "': expected an IPv4 or IPv6 literal such as 10.0.10.5 or ::1");
        }
        for (String name : List.of("-bad.example", "a..b", "under_score.example", "trailing.", "sp ace", "*.example")) {
            assertThatThrownBy(() -> authority.issue(NODE, List.of(name), List.of(), Duration.ofDays(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("invalid DNS name '" + name + "'");
        }
        assertThatThrownBy(() -> authority.issue(NODE, List.of(""), List.of(), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid DNS name '': expected 1 to 253 characters");
        assertThatThrownBy(() -> authority.issue(NODE, List.of(), List.of(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("validity must be positive, was PT0S");
        assertThatThrownBy(() -> CertificateAuthority.create("rackpilot test CA", Duration.ofDays(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("validity must be positive, was PT-24H");
        assertThatThrownBy(() -> CertificateAuthority.create("  ", Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CA common name is blank");
    }
}
