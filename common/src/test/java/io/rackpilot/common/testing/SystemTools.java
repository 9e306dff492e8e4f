package io.rackpilot.common.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Finds the system tools that some tests run (promtool, exportfs, gcc, prometheus).
 * <p>
 * A missing tool skips the test, except when {@code RACKPILOT_REQUIRE_SYSTEM_TESTS=1}, where it fails it:
 * {@code .ci/run} installs the tools and sets the variable, so nothing is skipped there by accident.
 */
public final class SystemTools
{
    public static final String REQUIRE_VARIABLE = "RACKPILOT_REQUIRE_SYSTEM_TESTS";

    // exportfs and friends live in sbin, which an ordinary user's PATH may lack
    private static final List<String> EXTRA_DIRECTORIES = List.of("/usr/local/sbin", "/usr/sbin", "/sbin");

    private SystemTools() {}

    /**
     * The path of {@code tool}, found on PATH (or in the sbin directories); skips or fails the test when it is missing.
     */
    public static Path require(String tool)
    {
        return require(tool, System.getenv("PATH"), System.getenv(REQUIRE_VARIABLE));
    }

    static Path require(String tool, String pathVariable, String requireVariable)
    {
        requireNonNull(tool, "tool is null");
        Optional<Path> found = find(tool, pathVariable);
        if (found.isPresent()) {
            return found.get();
        }
        String message = "system tool '" + tool + "' is not installed (searched PATH=" + pathVariable + " and " + EXTRA_DIRECTORIES + ")";
        if ("1".equals(requireVariable)) {
            return fail(message + ", and " + REQUIRE_VARIABLE + "=1 requires every system test to run");
        }
        return abort(message + "; skipping (set " + REQUIRE_VARIABLE + "=1 to fail instead)");
    }

    /**
     * The first executable regular file named {@code tool} in the PATH directories, then the sbin directories.
     */
    public static Optional<Path> find(String tool, String pathVariable)
    {
        requireNonNull(tool, "tool is null");
        if (tool.isEmpty() || tool.contains("/")) {
            throw new IllegalArgumentException("tool must be a plain file name, not '" + tool + "'");
        }
        List<String> directories = new ArrayList<>();
        if (pathVariable != null) {
            for (String directory : pathVariable.split(File.pathSeparator)) {
                if (!directory.isEmpty()) {
                    directories.add(directory);
                }
            }
        }
        directories.addAll(EXTRA_DIRECTORIES);
        for (String directory : directories) {
            Path candidate = Path.of(directory, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
