package io.rackpilot.common.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A certificate a {@link CertificateAuthority} issued, with the private key it was issued for.
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey)
{
    public IssuedCertificate
    {
        requireNonNull(certificate, "certificate is null");
        requireNonNull(privateKey, "privateKey is null");
    }

    /**
     * Writes the certificate as PEM and the key as unencrypted PKCS#8 PEM with mode 0600, each
     * atomically (temporary file and rename); missing parent directories are created.
     */
    public void writeTo(Path certificatePem, Path privateKeyPem)
            throws IOException
    {
        requireNonNull(certificatePem, "certificatePem is null");
        requireNonNull(privateKeyPem, "privateKeyPem is null");
        PemFiles.writePrivateKey(privateKeyPem, privateKey);
        PemFiles.writeCertificates(certificatePem, List.of(certificate));
    }
}
