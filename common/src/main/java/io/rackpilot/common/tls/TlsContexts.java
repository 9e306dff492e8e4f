package io.rackpilot.common.tls;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Netty TLS contexts for gRPC with mutual authentication. Both sides trust only the CA in
 * {@link TlsFiles#caCertificate()} (never the system's CAs) and present their own certificate.
 */
public final class TlsContexts
{
    private TlsContexts() {}

    /**
     * A server context that requires every client to present a certificate the CA issued.
     *
     * @throws TlsFileException naming the file that is missing, unreadable, malformed, expired,
     *         or (for the key) not the certificate's key
     */
    public static SslContext grpcServer(TlsFiles files)
            throws IOException
    {
        return grpcServer(files, Clock.systemUTC());
    }

    static SslContext grpcServer(TlsFiles files, Clock clock)
            throws IOException
    {
        Material material = Material.load(files, clock);
        return GrpcSslContexts.configure(SslContextBuilder.forServer(material.privateKey(), material.chain()))
                .trustManager(material.trusted())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    /**
     * A client context that presents the certificate and trusts only servers the CA issued for.
     * gRPC also checks that the server's certificate names the host dialled (DNS or IP address).
     *
     * @throws TlsFileException as for {@link #grpcServer(TlsFiles)}
     */
    public static SslContext grpcClient(TlsFiles files)
            throws IOException
    {
        return grpcClient(files, Clock.systemUTC());
    }

    static SslContext grpcClient(TlsFiles files, Clock clock)
            throws IOException
    {
        Material material = Material.load(files, clock);
        return GrpcSslContexts.forClient()
                .trustManager(material.trusted())
                .keyManager(material.privateKey(), material.chain())
                .build();
    }

    private record Material(X509Certificate[] trusted, X509Certificate[] chain, PrivateKey privateKey)
    {
        static Material load(TlsFiles files, Clock clock)
                throws TlsFileException
        {
            requireNonNull(files, "files is null");
            requireNonNull(clock, "clock is null");
            files.validate();
            Instant now = clock.instant();

            List<X509Certificate> trusted = PemFiles.readCertificates(files.caCertificate());
            for (X509Certificate authority : trusted) {
                if (authority.getBasicConstraints() < 0) {
                    throw new TlsFileException(files.caCertificate(), "CA certificate file " + files.caCertificate() + " holds '"
                            + authority.getSubjectX500Principal().getName() + "', which is not a CA certificate");
                }
            }

            List<X509Certificate> chain = PemFiles.readCertificates(files.certificate());
            X509Certificate leaf = chain.get(0);
            checkCurrent(files.certificate(), leaf, now);

            PrivateKey privateKey = PemFiles.readPrivateKey(files.privateKey());
            if (!KeyPairs.matches(privateKey, leaf.getPublicKey())) {
                throw new TlsFileException(files.privateKey(), "private key file " + files.privateKey() + " does not belong to the certificate in " + files.certificate());
            }
            return new Material(trusted.toArray(X509Certificate[]::new), chain.toArray(X509Certificate[]::new), privateKey);
        }

        private static void checkCurrent(Path file, X509Certificate certificate, Instant now)
                throws TlsFileException
        {
            Instant notAfter = certificate.getNotAfter().toInstant();
            if (!now.isBefore(notAfter)) {
                throw new TlsFileException(file, "certificate file " + file + " expired at " + notAfter + "; issue a new one");
            }
        }
    }
}
