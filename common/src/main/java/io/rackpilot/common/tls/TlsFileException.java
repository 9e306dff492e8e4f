package io.rackpilot.common.tls;

import java.io.IOException;
import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * A certificate or key file that is missing, unreadable, or does not hold what it should.
 * The message names the file.
 */
public final class TlsFileException
        extends IOException
{
    private final Path file;

    public TlsFileException(Path file, String message)
    {
        super(message);
        this.file = requireNonNull(file, "file is null");
    }

    public TlsFileException(Path file, String message, Throwable cause)
    {
        super(message, cause);
        this.file = requireNonNull(file, "file is null");
    }

    public Path file()
    {
        return file;
    }
}
