package io.rackpilot.hostagent.pci;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * The host processes that hold a driver's device nodes open, found as the kernel shows them under an
 * injected procfs root (default {@code /proc}; tests use fixture trees): every
 * {@code PID/fd/N} is a symlink to the open file, e.g. {@code /dev/nvidia0} or {@code /dev/nvidiactl},
 * and {@code PID/comm} names the command. Processes that end during the scan, or whose fds this
 * process may not read, are skipped: the answer is what could be seen, never an error.
 */
public final class DriverNodeHolders
{
    /**
     * The NVIDIA driver's nodes: {@code /dev/nvidia0..N}, {@code /dev/nvidiactl},
     * {@code /dev/nvidia-uvm}, {@code /dev/nvidia-modeset} and the like. They are shared by every
     * card the driver holds, so a holder of one is a holder of the driver.
     */
    public static final Predicate<String> NVIDIA_NODES = target -> target.startsWith("/dev/nvidia");

    private final Path procRoot;

    public DriverNodeHolders(Path procRoot)
    {
        this.procRoot = requireNonNull(procRoot, "procRoot is null");
    }

    /**
     * The processes with an open file whose path matches, as {@code "PID COMMAND"} ({@code "PID"}
     * alone when the command cannot be read), in PID order.
     */
    public List<String> holders(Predicate<String> node)
    {
        requireNonNull(node, "node is null");
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit) && name.length() < 19) {
                    pids.add(Long.parseLong(name));
                }
            }
        }
        catch (IOException | RuntimeException e) {
            return List.of();
        }
        pids.sort(null);
        List<String> holders = new ArrayList<>();
        for (long pid : pids) {
            Path process = procRoot.resolve(Long.toString(pid));
            if (holds(process, node)) {
                String command = command(process);
                holders.add(command.isEmpty() ? Long.toString(pid) : pid + " " + command);
            }
        }
        return List.copyOf(holders);
    }

    private static boolean holds(Path process, Predicate<String> node)
    {
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path descriptor : descriptors) {
                String target;
                try {
                    target = Files.readSymbolicLink(descriptor).toString();
                }
                catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile, or not a link
                    continue;
                }
                if (node.test(target)) {
                    return true;
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // the process ended, or its fds are not ours to read
            return false;
        }
        return false;
    }

    private static String command(Path process)
    {
        try {
            return Files.readString(process.resolve("comm"), StandardCharsets.UTF_8).strip();
        }
        catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
