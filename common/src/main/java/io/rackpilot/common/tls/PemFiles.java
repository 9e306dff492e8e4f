package io.rackpilot.common.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.util.Objects.requireNonNull;

/**
 * Reads and writes PEM certificates and private keys. Keys are written as unencrypted PKCS#8
 * ({@code BEGIN PRIVATE KEY}) with mode 0600 from the moment the file exists; every file is
 * written to a temporary file in the same directory and renamed into place.
 */
public final class PemFiles
{
    private static final Set<PosixFilePermission> PRIVATE_KEY_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> CERTIFICATE_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private PemFiles() {}

    /**
     * Every certificate in the file, in order (a leaf first, then its chain; or a set of trusted CAs).
     */
    public static List<X509Certificate> readCertificates(Path file)
            throws TlsFileException
    {
        requireNonNull(file, "file is null");
        String what = "certificate file " + file;
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : readPemObjects(file, what)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                }
                catch (CertificateException e) {
                    throw new TlsFileException(file, what + " holds a certificate that cannot be decoded: " + e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(file, what + " holds no PEM certificate (expected a '-----BEGIN CERTIFICATE-----' block)");
        }
        return List.copyOf(certificates);
    }

    /**
     * The first certificate in the file: the leaf when the file holds a chain.
     */
    public static X509Certificate readCertificate(Path file)
            throws TlsFileException
    {
        return readCertificates(file).get(0);
    }

    /**
     * The one private key in the file, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) or the
     * traditional OpenSSL form ({@code BEGIN EC PRIVATE KEY}, {@code BEGIN RSA PRIVATE KEY}).
     */
    public static PrivateKey readPrivateKey(Path file)
            throws TlsFileException
    {
        requireNonNull(file, "file is null");
        String what = "private key file " + file;
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        List<PrivateKey> keys = new ArrayList<>();
        for (Object object : readPemObjects(file, what)) {
            if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new TlsFileException(file, what + " holds an encrypted key; rackpilot needs an unencrypted PKCS#8 key "
                        + "(for example: openssl pkcs8 -topk8 -nocrypt -in KEY -out " + file.getFileName() + ")");
            }
            try {
                if (object instanceof PrivateKeyInfo info) {
                    keys.add(converter.getPrivateKey(info));
                }
                else if (object instanceof PEMKeyPair pair) {
                    // not getKeyPair: a SEC1 "EC PRIVATE KEY" may omit its public key
                    keys.add(converter.getPrivateKey(pair.getPrivateKeyInfo()));
                }
            }
            catch (PEMException e) {
                throw new TlsFileException(file, what + " holds a key that cannot be decoded: " + e.getMessage(), e);
            }
        }
        if (keys.isEmpty()) {
            throw new TlsFileException(file, what + " holds no PEM private key (expected a '-----BEGIN PRIVATE KEY-----' block)");
        }
        if (keys.size() > 1) {
            throw new TlsFileException(file, what + " holds " + keys.size() + " private keys; expected exactly one");
        }
        return keys.get(0);
    }

    /**
     * Writes the certificates as PEM, readable by everyone the umask allows.
     */
    public static void writeCertificates(Path file, List<X509Certificate> certificates)
            throws IOException
    {
        requireNonNull(file, "file is null");
        List<X509Certificate> copy = List.copyOf(requireNonNull(certificates, "certificates is null"));
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no certificates to write to " + file);
        }
        List<PemObject> objects = new ArrayList<>();
        for (X509Certificate certificate : copy) {
            try {
                objects.add(new PemObject("CERTIFICATE", certificate.getEncoded()));
            }
            catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal() + " cannot be encoded", e);
            }
        }
        writeAtomically(file, encode(objects), CERTIFICATE_PERMISSIONS);
    }

    /**
     * Writes the key as unencrypted PKCS#8 PEM with mode 0600 (owner read and write only).
     */
    public static void writePrivateKey(Path file, PrivateKey privateKey)
            throws IOException
    {
        requireNonNull(file, "file is null");
        requireNonNull(privateKey, "privateKey is null");
        if (!"PKCS#8".equals(privateKey.getFormat())) {
            throw new IllegalArgumentException("private key for " + file + " has encoding format " + privateKey.getFormat() + ", not PKCS#8");
        }
        writeAtomically(file, encode(List.of(new PemObject("PRIVATE KEY", privateKey.getEncoded()))), PRIVATE_KEY_PERMISSIONS);
    }

    private static List<Object> readPemObjects(Path file, String what)
            throws TlsFileException
    {
        if (Files.isDirectory(file)) {
            throw new TlsFileException(file, what + " is a directory");
        }
        List<Object> objects = new ArrayList<>();
        // ISO-8859-1 maps every byte, so a binary file gives "no PEM block" instead of a decoding error.
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
                PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            while (object != null) {
                objects.add(object);
                object = parser.readObject();
            }
        }
        catch (NoSuchFileException e) {
            throw new TlsFileException(file, what + " does not exist", e);
        }
        catch (AccessDeniedException e) {
            throw new TlsFileException(file, what + " is not readable (permission denied)", e);
        }
        catch (IOException | RuntimeException e) {
            throw new TlsFileException(file, what + " is not valid PEM: " + e.getMessage(), e);
        }
        return objects;
    }

    private static byte[] encode(List<PemObject> objects)
    {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            for (PemObject object : objects) {
                writer.writeObject(object);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("writing PEM to memory failed", e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeAtomically(Path file, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException
    {
        Path target = file.toAbsolutePath();
        Path directory = target.getParent();
        Files.createDirectories(directory);
        String prefix = "." + target.getFileName() + ".";
        Path temporary;
        if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // created with these permissions (less the umask), so a key is never readable by others, not even briefly
            temporary = Files.createTempFile(directory, prefix, ".tmp", PosixFilePermissions.asFileAttribute(permissions));
        }
        else {
            temporary = Files.createTempFile(directory, prefix, ".tmp");
        }
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, target, ATOMIC_MOVE, REPLACE_EXISTING);
        }
        catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temporary);
            }
            catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
