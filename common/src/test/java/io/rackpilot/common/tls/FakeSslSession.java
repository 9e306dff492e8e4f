package io.rackpilot.common.tls;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

import java.security.Principal;
import java.security.cert.Certificate;
import java.util.Optional;

/**
 * An SSL session whose peer presented the given certificate chain, or none.
 */
final class FakeSslSession
        implements SSLSession
{
    private final Optional<Certificate[]> peerCertificates;

    FakeSslSession(Optional<Certificate[]> peerCertificates)
    {
        this.peerCertificates = peerCertificates.map(Certificate[]::clone);
    }

    @Override
    public Certificate[] getPeerCertificates()
            throws SSLPeerUnverifiedException
    {
        return peerCertificates.orElseThrow(() -> new SSLPeerUnverifiedException("peer not authenticated")).clone();
    }

    @Override
    public byte[] getId()
    {
        return new byte[0];
    }

    @Override
    public SSLSessionContext getSessionContext()
    {
        return null;
    }

    @Override
    public long getCreationTime()
    {
        return 0;
    }

    @Override
    public long getLastAccessedTime()
    {
        return 0;
    }

    @Override
    public void invalidate() {}

    @Override
    public boolean isValid()
    {
        return true;
    }

    @Override
    public void putValue(String name, Object value)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public Object getValue(String name)
    {
        return null;
    }

    @Override
    public void removeValue(String name) {}

    @Override
    public String[] getValueNames()
    {
        return new String[0];
    }

    @Override
    public Certificate[] getLocalCertificates()
    {
        return null;
    }

    @Override
    @SuppressWarnings("removal")
    public javax.security.cert.X509Certificate[] getPeerCertificateChain()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public Principal getPeerPrincipal()
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public Principal getLocalPrincipal()
    {
        return null;
    }

    @Override
    public String getCipherSuite()
    {
        return "TLS_AES_128_GCM_SHA256";
    }

    @Override
    public String getProtocol()
    {
        return "TLSv1.3";
    }

    @Override
    public String getPeerHost()
    {
        return "127.0.0.1";
    }

    @Override
    public int getPeerPort()
    {
        return 0;
    }

    @Override
    public int getPacketBufferSize()
    {
        return 16709;
    }

    @Override
    public int getApplicationBufferSize()
    {
        return 16384;
    }
}
