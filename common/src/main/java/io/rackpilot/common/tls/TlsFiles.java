package io.rackpilot.common.tls;

import java.nio.file.Files;
import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * The three files one part of rackpilot needs for mutual TLS: the CA certificate it trusts, its
 * own certificate, and its own private key (all PEM).
 */
public record TlsFiles(Path caCertificate, Path certificate, Path privateKey)
{
    public static final String CA_CERTIFICATE_FILE = "ca.pem";

    public TlsFiles
    {
        requireNonNull(caCertificate, "caCertificate is null");
        requireNonNull(certificate, "certificate is null");
        requireNonNull(privateKey, "privateKey is null");
    }

    /**
     * {@code directory/ca.pem}, {@code directory/<baseName>.pem} and {@code directory/<baseName>-key.pem}.
     */
    public static TlsFiles inDirectory(Path directory, String baseName)
    {
        requireNonNull(directory, "directory is null");
        requireNonNull(baseName, "baseName is null");
        if (baseName.isEmpty() || baseName.contains("/") || baseName.equals(".") || baseName.equals("..")) {
            throw new IllegalArgumentException("invalid certificate base name '" + baseName + "': expected a plain file name such as node-agent");
        }
        return new TlsFiles(directory.resolve(CA_CERTIFICATE_FILE), directory.resolve(baseName + ".pem"), directory.resolve(baseName + "-key.pem"));
    }

    /**
     * Checks that each file exists, is a regular file and is readable.
     *
     * @throws TlsFileException naming the first file that is not
     */
    public void validate()
            throws TlsFileException
    {
        checkReadable(caCertificate, "CA certificate file");
        checkReadable(certificate, "certificate file");
        checkReadable(privateKey, "private key file");
    }

    /**
     * The identity the certificate file names.
     *
     * @throws TlsFileException when the file cannot be read or names no valid rackpilot identity
     */
    public Identity identity()
            throws TlsFileException
    {
        try {
            return PeerIdentities.fromCertificate(PemFiles.readCertificate(certificate));
        }
        catch (IllegalArgumentException e) {
            throw new TlsFileException(certificate, "certificate file " + certificate + ": " + e.getMessage(), e);
        }
    }

    private static void checkReadable(Path file, String what)
            throws TlsFileException
    {
        if (!Files.exists(file)) {
            throw new TlsFileException(file, what + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new TlsFileException(file, what + " " + file + " is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new TlsFileException(file, what + " " + file + " is not readable (permission denied)");
        }
    }
}
