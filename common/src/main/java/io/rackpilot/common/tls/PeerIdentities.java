package io.rackpilot.common.tls;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Reads the rackpilot identity a certificate names in its URI subject alternative name.
 */
public final class PeerIdentities
{
    private static final int URI_NAME = 6;
    private static final String SCHEME_PREFIX = Identity.URI_SCHEME + ":";

    private PeerIdentities() {}

    /**
     * The identity in the certificate's one {@code rackpilot://<role>/<id>} URI subject alternative name.
     *
     * @throws IllegalArgumentException when the certificate has no such name, more than one, or a malformed one
     */
    public static Identity fromCertificate(X509Certificate certificate)
    {
        requireNonNull(certificate, "certificate is null");
        String subject = certificate.getSubjectX500Principal().getName();
        List<String> uris = new ArrayList<>();
        for (String uri : uriNames(certificate, subject)) {
            if (uri.regionMatches(true, 0, SCHEME_PREFIX, 0, SCHEME_PREFIX.length())) {
                uris.add(uri);
            }
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("certificate '" + subject + "' names no rackpilot identity: it has no URI subject alternative name "
                    + "rackpilot://<role>/<id>");
        }
        if (uris.size() > 1) {
            throw new IllegalArgumentException("certificate '" + subject + "' names " + uris.size() + " rackpilot identities " + uris + "; exactly one is allowed");
        }
        try {
            return Identity.fromUri(uris.get(0));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("certificate '" + subject + "': " + e.getMessage(), e);
        }
    }

    /**
     * The identity of the peer of a TLS session, or empty when the peer presented no certificate.
     *
     * @throws IllegalArgumentException when the peer's certificate names no valid rackpilot identity
     */
    public static Optional<Identity> fromSession(SSLSession session)
    {
        requireNonNull(session, "session is null");
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        }
        catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
        if (chain == null || chain.length == 0) {
            return Optional.empty();
        }
        if (!(chain[0] instanceof X509Certificate certificate)) {
            throw new IllegalArgumentException("the peer's certificate is a " + chain[0].getType() + " certificate, not X.509");
        }
        return Optional.of(fromCertificate(certificate));
    }

    private static List<String> uriNames(X509Certificate certificate, String subject)
    {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        }
        catch (CertificateParsingException e) {
            throw new IllegalArgumentException("certificate '" + subject + "' has a malformed subject alternative name extension: " + e.getMessage(), e);
        }
        List<String> uris = new ArrayList<>();
        if (names == null) {
            return uris;
        }
        for (List<?> name : names) {
            if (name.size() >= 2 && name.get(0) instanceof Integer type && type == URI_NAME && name.get(1) instanceof String value) {
                uris.add(value);
            }
        }
        return uris;
    }
}
