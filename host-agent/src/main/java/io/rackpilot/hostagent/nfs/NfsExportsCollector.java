package io.rackpilot.hostagent.nfs;

import io.rackpilot.agent.inventory.InventoryCollector;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.NfsExports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * {@code nfs_exports}: what {@code exportfs -v} says is in force, from every exports file; when
 * exportfs is missing or fails, no items and the reason in {@code error}. Also the paths that
 * rackpilot's own managed exports file exports ({@code managed_paths}), so the coordinator can tell
 * its own exports (which it makes exactly the plan's) from those of /etc/exports and other files
 * (which it only reports).
 */
public final class NfsExportsCollector
        implements InventoryCollector
{
    private final Exportfs exportfs;
    private final Path managedFile;

    public NfsExportsCollector(Exportfs exportfs, Path managedFile)
    {
        this.exportfs = requireNonNull(exportfs, "exportfs is null");
        this.managedFile = requireNonNull(managedFile, "managedFile is null");
    }

    @Override
    public String name()
    {
        return "nfs_exports";
    }

    @Override
    public void collect(Inventory.Builder inventory)
            throws InterruptedException
    {
        NfsExports.Builder section = NfsExports.newBuilder().setManagedFile(managedFile.toString());
        try {
            section.addAllItems(exportfs.exportsInForce());
        }
        catch (IOException e) {
            section.setError(e.getMessage());
        }
        try {
            section.addAllManagedPaths(managedPaths(managedFile));
        }
        catch (IOException e) {
            String problem = "cannot read the managed exports file " + managedFile + ": " + e.getMessage();
            section.setError(section.getError().isEmpty() ? problem : section.getError() + "; " + problem);
        }
        inventory.setNfsExports(section);
    }

    /**
     * The path of each export line of an exports file (the first word, quotes taken off), none when
     * the file does not exist.
     */
    static List<String> managedPaths(Path file)
            throws IOException
    {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (NoSuchFileException e) {
            return List.of();
        }
        List<String> paths = new ArrayList<>();
        for (String line : lines) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String path;
            if (text.startsWith("\"")) {
                int end = text.indexOf('"', 1);
                path = end < 0 ? text.substring(1) : text.substring(1, end);
            }
            else {
                path = text.split("\\s+", 2)[0];
            }
            paths.add(path);
        }
        return List.copyOf(paths);
    }
}
