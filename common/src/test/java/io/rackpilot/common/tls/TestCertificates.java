package io.rackpilot.common.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Certificates {@link CertificateAuthority} would never issue: with arbitrary subject
 * alternative names, or none. For tests of what a peer does with them.
 */
final class TestCertificates
{
    private TestCertificates() {}

    /**
     * The CA's private key, read back from the PEM file it writes.
     */
    static PrivateKey privateKeyOf(CertificateAuthority authority)
            throws IOException
    {
        Path directory = Files.createTempDirectory("rackpilot-ca-");
        try {
            authority.writeTo(directory.resolve("ca.pem"), directory.resolve("ca-key.pem"));
            return PemFiles.readPrivateKey(directory.resolve("ca-key.pem"));
        }
        finally {
            Files.deleteIfExists(directory.resolve("ca.pem"));
            Files.deleteIfExists(directory.resolve("ca-key.pem"));
            Files.delete(directory);
        }
    }

    /**
     * A client-and-server leaf certificate signed by the CA with exactly these subject alternative names.
     */
    static IssuedCertificate issue(CertificateAuthority authority, String commonName, GeneralName... alternativeNames)
            throws Exception
    {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keyPair = generator.generateKeyPair();
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                authority.certificate(),
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofMinutes(1))),
                Date.from(now.plus(Duration.ofHours(1))),
                new X500Name("CN=" + commonName),
                keyPair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        if (alternativeNames.length > 0) {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames));
        }
        PrivateKey signingKey = privateKeyOf(authority);
        return new IssuedCertificate(
                new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey))),
                keyPair.getPrivate());
    }

    static GeneralName uri(String uri)
    {
        return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }

    static GeneralName dns(String name)
    {
        return new GeneralName(GeneralName.dNSName, name);
    }

    static GeneralName ip(String address)
    {
        return new GeneralName(GeneralName.iPAddress, address);
    }
}
