package io.rackpilot.agent.gpu;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import io.rackpilot.common.testing.SystemTools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The fake NVML libraries built from {@code src/test/c} by the build (gcc), and their script
 * ({@code FAKE_NVML_SCRIPT}, set by surefire). Without the libraries the test skips, or fails when
 * {@code RACKPILOT_REQUIRE_SYSTEM_TESTS=1}.
 */
final class FakeNvml
{
    static final String SCRIPT_VARIABLE = "FAKE_NVML_SCRIPT";

    private static final Path TARGET = Path.of("target");

    private final Path library;
    private final Path script;

    private FakeNvml(Path library, Path script)
    {
        this.library = requireNonNull(library, "library is null");
        this.script = requireNonNull(script, "script is null");
    }

    /** A current driver. */
    static FakeNvml current()
    {
        return require("fake-nvml");
    }

    /** A driver without the energy counter, the _v3 and _v2 process lists and the _v2 CUDA version. */
    static FakeNvml oldDriver()
    {
        return require("fake-nvml-old");
    }

    /** An R535 driver: nvmlDeviceGetComputeRunningProcesses_v3 writes 32-byte entries. */
    static FakeNvml r535Driver()
    {
        return require("fake-nvml-r535");
    }

    private static FakeNvml require(String directory)
    {
        Path library = TARGET.resolve(directory).resolve("libnvidia-ml.so.1").toAbsolutePath();
        if (!Files.isRegularFile(library)) {
            String message = "the fake NVML library " + library + " was not built (it needs gcc: see src/test/c/build-fake-nvml.sh)";
            if ("1".equals(System.getenv(SystemTools.REQUIRE_VARIABLE))) {
                fail(message + ", and " + SystemTools.REQUIRE_VARIABLE + "=1 requires every system test to run");
            }
            abort(message + "; skipping");
        }
        String script = Optional.ofNullable(System.getenv(SCRIPT_VARIABLE)).orElse("");
        if (script.isEmpty()) {
            fail(SCRIPT_VARIABLE + " is not set: run the tests through Maven (agent-core/pom.xml sets it)");
        }
        return new FakeNvml(library, Path.of(script));
    }

    Path library()
    {
        return library;
    }

    NvmlGpuSource source()
    {
        return new NvmlGpuSource(Optional.of(library), Map.of());
    }

    NvmlClient client()
    {
        NvmlLoadResult result = new NvmlLoader(Optional.of(library), Map.of()).load();
        if (result instanceof NvmlLoadResult.Loaded loaded) {
            return new NvmlClient(loaded.nvml());
        }
        throw new AssertionError("the fake NVML library did not load: " + ((NvmlLoadResult.Failed) result).status());
    }

    /**
     * Replaces the script atomically (the fake never sees half a file).
     */
    FakeNvml script(String text)
    {
        writeScript(script, text);
        return this;
    }

    static void writeScript(Path script, String text)
    {
        try {
            Files.createDirectories(script.toAbsolutePath().getParent());
            Path temporary = script.resolveSibling(script.getFileName() + ".tmp");
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Stats stats()
    {
        StatsLibrary stats = Native.load(library.toString(), StatsLibrary.class);
        IntByReference calls = new IntByReference();
        IntByReference initializations = new IntByReference();
        IntByReference shutdowns = new IntByReference();
        IntByReference legacyCalls = new IntByReference();
        stats.fake_nvml_stats(calls, initializations, shutdowns, legacyCalls);
        return new Stats(calls.getValue(), initializations.getValue(), shutdowns.getValue(), legacyCalls.getValue());
    }

    /**
     * What the fake library has seen since it was loaded.
     */
    record Stats(int calls, int initializations, int shutdowns, int legacyCalls)
    {
        Stats since(Stats before)
        {
            return new Stats(calls - before.calls, initializations - before.initializations, shutdowns - before.shutdowns, legacyCalls - before.legacyCalls);
        }
    }

    public interface StatsLibrary
            extends Library
    {
        void fake_nvml_stats(IntByReference calls, IntByReference initializations, IntByReference shutdowns, IntByReference legacyCalls);
    }
}
