package io.rackpilot.common.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of PEM certificate and key loading with Jazzer (see docs/testing.md).
 * The input is a file's contents, read as a certificate file, as a private key file and, when it
 * holds a certificate, for the rackpilot identity in it. Each answers with its value or a
 * {@link TlsFileException} whose message names the file and what is wrong with it. Regression
 * inputs: {@code src/test/resources/io/rackpilot/common/tls/TestPemFilesFuzzingInputs/readPemFile}.
 */
final class TestPemFilesFuzzing
{
    private static Path directory;
    private static Path file;

    @BeforeAll
    static void createFile()
            throws IOException
    {
        directory = Files.createTempDirectory("pem-fuzzing");
        file = directory.resolve("input.pem");
    }

    @AfterAll
    static void deleteFile()
            throws IOException
    {
        Files.deleteIfExists(file);
        Files.deleteIfExists(directory);
    }

    @FuzzTest(maxDuration = "30s")
    void readPemFile(byte[] input)
            throws IOException
    {
        Files.write(file, input);

        try {
            List<X509Certificate> certificates = PemFiles.readCertificates(file);
            assertThat(certificates).isNotEmpty();
            try {
                assertThat(new TlsFiles(file, file, file).identity()).isNotNull();
            }
            catch (TlsFileException e) {
                assertNamesTheFile(e);
            }
        }
        catch (TlsFileException e) {
            assertNamesTheFile(e);
        }

        try {
            assertThat(PemFiles.readPrivateKey(file)).isNotNull();
        }
        catch (TlsFileException e) {
            assertNamesTheFile(e);
        }
    }

    private static void assertNamesTheFile(TlsFileException exception)
    {
        assertThat(exception.file()).isEqualTo(file);
        assertThat(exception.getMessage()).contains(file.toString());
    }
}
