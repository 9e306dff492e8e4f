package io.rackpilot.agent;

import io.rackpilot.agent.config.AgentConfig;
import io.rackpilot.agent.config.AgentKind;
import io.rackpilot.common.tls.Identity;
import io.rackpilot.common.tls.IdentityRole;
import io.rackpilot.common.tls.PeerIdentities;
import io.rackpilot.common.tls.TlsFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Who this agent is: the role and id named in its own certificate. The coordinator believes the
 * certificate, not the Hello, so an agent whose configuration disagrees with its certificate
 * stops at start-up with a clear message instead of being refused later.
 */
final class AgentIdentity
{
    private AgentIdentity() {}

    static Identity resolve(AgentKind kind, AgentConfig config, TlsFiles tlsFiles)
            throws IOException
    {
        X509Certificate certificate = readCertificate(tlsFiles);
        Identity identity = PeerIdentities.fromCertificate(certificate);
        IdentityRole expected = kind == AgentKind.HOST ? IdentityRole.HOST : IdentityRole.NODE;
        if (identity.role() != expected) {
            throw new IllegalArgumentException("tls.certificate " + tlsFiles.certificate() + " is for " + identity
                    + ", but a " + kind.daemonName() + " needs a '" + expected.uriName() + "' certificate");
        }
        if (config.configuredId().isPresent() && !config.configuredId().get().equals(identity.id())) {
            throw new IllegalArgumentException("id: '" + config.configuredId().get() + "' differs from the id in tls.certificate "
                    + tlsFiles.certificate() + " ('" + identity.id() + "'); remove id or use a matching certificate");
        }
        return identity;
    }

    private static X509Certificate readCertificate(TlsFiles tlsFiles)
            throws IOException
    {
        try (InputStream input = Files.newInputStream(tlsFiles.certificate())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(input);
        }
        catch (NoSuchFileException e) {
            throw new IllegalArgumentException("tls.certificate: " + tlsFiles.certificate() + " does not exist");
        }
        catch (CertificateException e) {
            throw new IllegalArgumentException("tls.certificate: " + tlsFiles.certificate() + " is not a PEM certificate: " + e.getMessage());
        }
    }
}
