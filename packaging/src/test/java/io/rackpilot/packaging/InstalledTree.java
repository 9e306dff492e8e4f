package io.rackpilot.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The three packages unpacked into a directory, as dpkg would lay them out in /, beside a copy of
 * this machine's own units (systemd-analyze verify --root needs sysinit.target and the like).
 */
final class InstalledTree
        implements AutoCloseable
{
    private final Path root;

    private InstalledTree(Path root)
    {
        this.root = root;
    }

    static InstalledTree unpack(boolean withSystemUnits)
            throws IOException
    {
        Path root = Files.createTempDirectory("rackpilot-root");
        if (withSystemUnits) {
            Path units = root.resolve("lib/systemd/system");
            Files.createDirectories(units);
            ProcessResult.check("cp", "-a", "/lib/systemd/system/.", units.toString());
        }
        for (String daemon : BuiltPackages.DAEMONS) {
            ProcessResult.check("dpkg-deb", "--extract", BuiltPackages.deb(daemon).toString(), root.toString());
        }
        return new InstalledTree(root);
    }

    Path root()
    {
        return root;
    }

    /**
     * @param absolutePath a path as installed, e.g. /usr/bin/rackctl
     */
    Path file(String absolutePath)
    {
        return root.resolve(absolutePath.substring(1));
    }

    @Override
    public void close()
            throws IOException
    {
        TestDebianPackages.deleteTree(root);
    }
}
