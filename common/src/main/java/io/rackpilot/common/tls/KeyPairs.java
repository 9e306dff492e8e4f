package io.rackpilot.common.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Locale;

/**
 * Signature algorithms for the key types rackpilot accepts, and a check that a private key
 * belongs to a certificate.
 */
final class KeyPairs
{
    private static final byte[] PROBE = "rackpilot key pair check".getBytes(StandardCharsets.US_ASCII);

    private KeyPairs() {}

    /**
     * SHA256withECDSA for EC keys, SHA256withRSA for RSA keys.
     */
    static String signatureAlgorithm(PrivateKey privateKey)
    {
        String algorithm = privateKey.getAlgorithm().toUpperCase(Locale.ROOT);
        return switch (algorithm) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new IllegalArgumentException("key algorithm " + privateKey.getAlgorithm() + " is not supported (use EC or RSA)");
        };
    }

    /**
     * Whether a signature made with the private key verifies with the public key.
     */
    static boolean matches(PrivateKey privateKey, PublicKey publicKey)
    {
        if (!privateKey.getAlgorithm().equalsIgnoreCase(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            String algorithm = signatureAlgorithm(privateKey);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        }
        catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
