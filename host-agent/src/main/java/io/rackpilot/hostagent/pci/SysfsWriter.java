package io.rackpilot.hostagent.pci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes to sysfs attribute files. The kernel acts on each write (unbind, probe); tests use a
 * fake that plays the kernel's part on a fixture tree.
 */
public interface SysfsWriter
{
    void write(Path attribute, String value)
            throws IOException;

    SysfsWriter KERNEL = (attribute, value) -> Files.writeString(attribute, value, StandardCharsets.US_ASCII, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
}
