package io.rackpilot.common.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Writes files so that a reader (or a crash) sees either the old or the new content, never a mix:
 * temp file in the same directory, fsync, rename, fsync of the directory.
 */
public final class AtomicFiles
{
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AtomicFiles() {}

    public static void write(Path target, byte[] content)
            throws IOException
    {
        write(target, content, false);
    }

    /**
     * Same as {@link #write(Path, byte[])} with the file created mode 0600 from the start.
     */
    public static void writePrivate(Path target, byte[] content)
            throws IOException
    {
        write(target, content, true);
    }

    private static void write(Path target, byte[] content, boolean ownerOnly)
            throws IOException
    {
        requireNonNull(target, "target is null");
        requireNonNull(content, "content is null");
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary;
        if (ownerOnly && supportsPosix(directory)) {
            FileAttribute<Set<PosixFilePermission>> attribute = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
            temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp", attribute);
        }
        else {
            temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
        }
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(directory);
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static boolean supportsPosix(Path directory)
    {
        return directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void syncDirectory(Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
        catch (IOException e) {
            // Some file systems cannot open a directory for fsync; the rename is still atomic there.
        }
    }
}
