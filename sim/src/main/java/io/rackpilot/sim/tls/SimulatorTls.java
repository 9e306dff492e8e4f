package io.rackpilot.sim.tls;

import io.rackpilot.common.tls.CertificateAuthority;
import io.rackpilot.common.tls.IssuedCertificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;

/**
 * The TLS server side of the simulated APIs (Proxmox VE, Kubernetes): a certificate issued by the
 * simulator's own CA, which clients are given as their trust anchor, as on the real thing.
 */
public final class SimulatorTls
{
    private SimulatorTls() {}

    public static SSLContext serverContext(IssuedCertificate issued, CertificateAuthority authority)
    {
        try {
            char[] password = "simulator".toCharArray();
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("server", issued.privateKey(), password, new Certificate[] {issued.certificate(), authority.certificate()});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        }
        catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the simulator's TLS context", e);
        }
    }
}
