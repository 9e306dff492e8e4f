package io.rackpilot.common.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A certificate authority that issues rackpilot certificates: EC P-256 keys signed with
 * SHA256withECDSA, each naming its holder in a URI subject alternative name
 * {@code rackpilot://<role>/<id>}.
 */
public final class CertificateAuthority
{
    /**
     * How far in the past a certificate's validity starts, so clocks a little behind still accept it.
     */
    public static final Duration BACKDATE = Duration.ofMinutes(1);

    private static final String CURVE = "secp256r1";
    private static final int KEY_CERT_SIGN = 5;

    private final X509Certificate certificate;
    private final PrivateKey privateKey;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private CertificateAuthority(X509Certificate certificate, PrivateKey privateKey, Clock clock)
    {
        this.certificate = requireNonNull(certificate, "certificate is null");
        this.privateKey = requireNonNull(privateKey, "privateKey is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * A new CA with a fresh key and a self-signed certificate, valid from a minute ago for {@code validity}.
     */
    public static CertificateAuthority create(String commonName, Duration validity)
    {
        return create(commonName, validity, Clock.systemUTC());
    }

    /**
     * Like {@link #create(String, Duration)}, reading the time from {@code clock} now and whenever it issues.
     */
    public static CertificateAuthority create(String commonName, Duration validity, Clock clock)
    {
        requireNonNull(commonName, "commonName is null");
        checkValidity(validity);
        requireNonNull(clock, "clock is null");
        if (commonName.isBlank()) {
            throw new IllegalArgumentException("CA common name is blank");
        }
        SecureRandom random = new SecureRandom();
        KeyPair keyPair = generateKeyPair(random);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    subject,
                    serialNumber(random),
                    Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(validity)),
                    subject,
                    keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509Certificate certificate = sign(builder, keyPair.getPrivate());
            return new CertificateAuthority(certificate, keyPair.getPrivate(), clock);
        }
        catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create a CA certificate", e);
        }
    }

    /**
     * A CA from its PEM certificate and PEM private key (PKCS#8, or the traditional OpenSSL form).
     *
     * @throws TlsFileException naming the file when a file is missing or unreadable, when the
     *         certificate is not a CA certificate, or when the key does not belong to it
     */
    public static CertificateAuthority load(Path certificatePem, Path privateKeyPem)
            throws IOException
    {
        return load(certificatePem, privateKeyPem, Clock.systemUTC());
    }

    public static CertificateAuthority load(Path certificatePem, Path privateKeyPem, Clock clock)
            throws IOException
    {
        requireNonNull(certificatePem, "certificatePem is null");
        requireNonNull(privateKeyPem, "privateKeyPem is null");
        requireNonNull(clock, "clock is null");
        X509Certificate certificate = PemFiles.readCertificate(certificatePem);
        if (certificate.getBasicConstraints() < 0) {
            throw new TlsFileException(certificatePem, "certificate file " + certificatePem + " is not a CA certificate (it lacks basicConstraints CA:true)");
        }
        boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage != null && !keyUsage[KEY_CERT_SIGN]) {
            throw new TlsFileException(certificatePem, "certificate file " + certificatePem + " is not allowed to sign certificates (its keyUsage lacks keyCertSign)");
        }
        PrivateKey privateKey = PemFiles.readPrivateKey(privateKeyPem);
        if (!KeyPairs.matches(privateKey, certificate.getPublicKey())) {
            throw new TlsFileException(privateKeyPem, "private key file " + privateKeyPem + " does not belong to the CA certificate in " + certificatePem);
        }
        return new CertificateAuthority(certificate, privateKey, clock);
    }

    public X509Certificate certificate()
    {
        return certificate;
    }

    /**
     * Issues a certificate for {@code identity} with a fresh EC P-256 key. The certificate has
     * subject CN=id; subject alternative names {@code rackpilot://<role>/<id>}, then the DNS names
     * and IP addresses given; keyUsage digitalSignature; extendedKeyUsage serverAuth and
     * clientAuth; basicConstraints CA:false; a random serial. It is valid from a minute ago for
     * {@code validity}, but never past the CA certificate's own end.
     *
     * @throws IllegalArgumentException when a DNS name or IP address is malformed, the validity is
     *         not positive, or the CA certificate has expired
     */
    public IssuedCertificate issue(Identity identity, List<String> dnsNames, List<String> ipAddresses, Duration validity)
    {
        requireNonNull(identity, "identity is null");
        List<String> dnsNamesCopy = List.copyOf(requireNonNull(dnsNames, "dnsNames is null"));
        List<String> ipAddressesCopy = List.copyOf(requireNonNull(ipAddresses, "ipAddresses is null"));
        checkValidity(validity);
        Instant now = clock.instant();
        Instant authorityEnd = certificate.getNotAfter().toInstant();
        if (!authorityEnd.isAfter(now)) {
            throw new IllegalArgumentException("the CA certificate " + certificate.getSubjectX500Principal().getName() + " expired at " + authorityEnd);
        }
        Instant requestedEnd = now.plus(validity);
        Instant end = requestedEnd.isAfter(authorityEnd) ? authorityEnd : requestedEnd;

        KeyPair keyPair = generateKeyPair(random);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, identity.id()).build();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    certificate,
                    serialNumber(random),
                    Date.from(now.minus(BACKDATE)),
                    Date.from(end),
                    subject,
                    keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, SubjectAlternativeNames.of(identity, dnsNamesCopy, ipAddressesCopy))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keyPair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier(extensions));
            return new IssuedCertificate(sign(builder, privateKey), keyPair.getPrivate());
        }
        catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + identity, e);
        }
    }

    /**
     * Writes the CA certificate as PEM and its key as unencrypted PKCS#8 PEM with mode 0600.
     */
    public void writeTo(Path certificatePem, Path privateKeyPem)
            throws IOException
    {
        new IssuedCertificate(certificate, privateKey).writeTo(certificatePem, privateKeyPem);
    }

    /**
     * The CA's own subject key identifier as the leaf's authority key identifier (key id only, so a
     * renewed CA certificate with the same key still matches).
     */
    private AuthorityKeyIdentifier authorityKeyIdentifier(JcaX509ExtensionUtils extensions)
            throws IOException
    {
        byte[] extension = certificate.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (extension == null) {
            return extensions.createAuthorityKeyIdentifier(certificate.getPublicKey());
        }
        return new AuthorityKeyIdentifier(SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(extension)).getKeyIdentifier());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws CertificateException
    {
        ContentSigner signer;
        try {
            signer = new JcaContentSignerBuilder(KeyPairs.signatureAlgorithm(signingKey)).build(signingKey);
        }
        catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with a " + signingKey.getAlgorithm() + " key", e);
        }
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static KeyPair generateKeyPair(SecureRandom random)
    {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), random);
            return generator.generateKeyPair();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate " + CURVE + " keys", e);
        }
    }

    /**
     * A positive 159-bit random number: unpredictable, unique in practice, and 20 bytes encoded.
     */
    private static BigInteger serialNumber(SecureRandom random)
    {
        return new BigInteger(158, random).setBit(158);
    }

    private static void checkValidity(Duration validity)
    {
        requireNonNull(validity, "validity is null");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, was " + validity);
        }
    }
}
