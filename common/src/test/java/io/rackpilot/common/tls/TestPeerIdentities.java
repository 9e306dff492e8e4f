package io.rackpilot.common.tls;

import org.junit.jupiter.api.Test;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.rackpilot.common.tls.TestCertificates.dns;
import static io.rackpilot.common.tls.TestCertificates.ip;
import static io.rackpilot.common.tls.TestCertificates.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPeerIdentities
{
    private final CertificateAuthority authority = CertificateAuthority.create("rackpilot test CA", Duration.ofDays(1));

    @Test
    void readsTheIdentityAmongOtherNames()
            throws Exception
    {
        X509Certificate certificate = TestCertificates.issue(authority, "pve",
                dns("pve.lab.example"), uri("spiffe://lab/pve"), uri("rackpilot://host/pve"), ip("10.0.10.2")).certificate();

        assertThat(PeerIdentities.fromCertificate(certificate)).isEqualTo(new Identity(IdentityRole.HOST, "pve"));
    }

    @Test
    void refusesCertificatesWithoutExactlyOneValidIdentity()
            throws Exception
    {
        X509Certificate noNames = TestCertificates.issue(authority, "bare").certificate();
        X509Certificate otherUri = TestCertificates.issue(authority, "spiffe", uri("spiffe://lab/pve"), dns("pve")).certificate();
        X509Certificate two = TestCertificates.issue(authority, "two", uri("rackpilot://node/a"), uri("rackpilot://admin/b")).certificate();
        X509Certificate badRole = TestCertificates.issue(authority, "pod", uri("rackpilot://pod/web-1")).certificate();
        X509Certificate badId = TestCertificates.issue(authority, "bad", uri("rackpilot://node/-x")).certificate();

        assertThatThrownBy(() -> PeerIdentities.fromCertificate(noNames))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate 'CN=bare' names no rackpilot identity: it has no URI subject alternative name rackpilot://<role>/<id>");
        assertThatThrownBy(() -> PeerIdentities.fromCertificate(otherUri))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate 'CN=spiffe' names no rackpilot identity: it has no URI subject alternative name rackpilot://<role>/<id>");
        assertThatThrownBy(() -> PeerIdentities.fromCertificate(two))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate 'CN=two' names 2 rackpilot identities [rackpilot://node/a, rackpilot://admin/b]; exactly one is allowed");
        assertThatThrownBy(() -> PeerIdentities.fromCertificate(badRole))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("certificate 'CN=pod': identity URI 'rackpilot://pod/web-1': unknown role 'pod'; expected one of host, node, coordinator, admin");
        assertThatThrownBy(() -> PeerIdentities.fromCertificate(badId))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("certificate 'CN=bad': identity URI 'rackpilot://node/-x': invalid id '-x'");
    }

    @Test
    void sessionWithoutAPeerCertificateHasNoIdentity()
    {
        assertThat(PeerIdentities.fromSession(new FakeSslSession(Optional.empty()))).isEmpty();
    }

    @Test
    void sessionIdentityComesFromTheLeafCertificate()
    {
        X509Certificate leaf = authority.issue(new Identity(IdentityRole.ADMIN, "alice"), List.of(), List.of(), Duration.ofHours(1)).certificate();

        assertThat(PeerIdentities.fromSession(new FakeSslSession(Optional.of(new Certificate[] {leaf, authority.certificate()}))))
                .contains(new Identity(IdentityRole.ADMIN, "alice"));
    }

    @Test
    void sessionWithAnUnnamedCertificateIsAnError()
            throws Exception
    {
        X509Certificate bare = TestCertificates.issue(authority, "bare").certificate();

        assertThatThrownBy(() -> PeerIdentities.fromSession(new FakeSslSession(Optional.of(new Certificate[] {bare}))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no rackpilot identity");
    }
}
