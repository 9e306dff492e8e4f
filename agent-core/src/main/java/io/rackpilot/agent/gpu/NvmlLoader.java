package io.rackpilot.agent.gpu;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import io.rackpilot.proto.v1.NvmlStatus;

import java.io.File;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Finds and loads NVML: the configured library ({@code gpu.nvmlLibrary}) if there is one, else the
 * one {@code RACKPILOT_NVML_LIBRARY} names (when set and not blank), else {@code libnvidia-ml.so.1},
 * then {@code libnvidia-ml.so}, from the system's library path. A configured or named file is the
 * only one tried: the operator asked for it. No library is {@code STATE_ABSENT} (normal on a machine
 * without an NVIDIA driver); a library that does not load is {@code STATE_ERROR} with the loader's
 * reason. Never throws for a missing or broken library.
 */
public final class NvmlLoader
{
    public static final String LIBRARY_ENVIRONMENT_VARIABLE = "RACKPILOT_NVML_LIBRARY";
    public static final List<String> DEFAULT_NAMES = List.of("libnvidia-ml.so.1", "libnvidia-ml.so");

    private static final String NOT_FOUND = "cannot open shared object file";

    /**
     * JNA remembers a library loaded from a path under its file name too, so loading
     * {@code libnvidia-ml.so.1} by name would answer any file of that name loaded before by path
     * (a test's fake library, another agent's configured one in the same JVM). Its cache key
     * includes the options: the default names are loaded with the default open flags
     * ({@code RTLD_LAZY | RTLD_GLOBAL}) spelled out, which keeps them apart.
     */
    private static final Map<String, ?> NAME_OPTIONS = Map.of(Library.OPTION_OPEN_FLAGS, 0x101);

    private final Optional<Path> configuredLibrary;
    private final Map<String, String> environment;

    /**
     * @param configuredLibrary {@code gpu.nvmlLibrary} from the agent's config
     * @param environment the process environment ({@code System.getenv()})
     */
    public NvmlLoader(Optional<Path> configuredLibrary, Map<String, String> environment)
    {
        this.configuredLibrary = requireNonNull(configuredLibrary, "configuredLibrary is null");
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    public NvmlLoadResult load()
    {
        if (configuredLibrary.isPresent()) {
            return loadFile(configuredLibrary.get(), "gpu.nvmlLibrary");
        }
        String named = environment.getOrDefault(LIBRARY_ENVIRONMENT_VARIABLE, "").strip();
        if (!named.isEmpty()) {
            return loadFile(Path.of(named), LIBRARY_ENVIRONMENT_VARIABLE);
        }
        List<String> reasons = new ArrayList<>();
        for (String name : DEFAULT_NAMES) {
            try {
                return new NvmlLoadResult.Loaded(bind(name, NAME_OPTIONS));
            }
            catch (UnsatisfiedLinkError e) {
                String reason = reason(e);
                if (!reason.contains(NOT_FOUND)) {
                    return failed(NvmlStatus.State.STATE_ERROR, name, "cannot load the NVML library " + name + ": " + reason);
                }
                reasons.add(reason);
            }
        }
        return failed(NvmlStatus.State.STATE_ABSENT, "",
                "no NVML library (no NVIDIA driver?): tried " + String.join(", ", DEFAULT_NAMES)
                        + " from the library path; set gpu.nvmlLibrary or " + LIBRARY_ENVIRONMENT_VARIABLE + " to use another");
    }

    private static NvmlLoadResult loadFile(Path file, String source)
    {
        Path absolute = file.toAbsolutePath();
        String name = absolute.toString();
        if (!Files.exists(absolute)) {
            return failed(NvmlStatus.State.STATE_ABSENT, name, "the NVML library " + name + " (" + source + ") does not exist");
        }
        try {
            return new NvmlLoadResult.Loaded(bind(name, Map.of()));
        }
        catch (UnsatisfiedLinkError e) {
            return failed(NvmlStatus.State.STATE_ERROR, name, "cannot load the NVML library " + name + " (" + source + "): " + reason(e));
        }
    }

    private static LoadedNvml bind(String name, Map<String, ?> options)
    {
        NvmlLibrary library = Native.load(name, NvmlLibrary.class, options);
        NativeLibrary nativeLibrary = ((Library.Handler) Proxy.getInvocationHandler(library)).getNativeLibrary();
        File file = nativeLibrary.getFile();
        return new LoadedNvml(library, file == null ? name : file.getPath(), symbol -> exports(nativeLibrary, symbol));
    }

    private static boolean exports(NativeLibrary library, String symbol)
    {
        try {
            library.getGlobalVariableAddress(symbol);
            return true;
        }
        catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /**
     * The dynamic loader's own words from JNA's message, which repeats them once per attempt and
     * adds its class path search.
     */
    static String reason(UnsatisfiedLinkError error)
    {
        String message = String.valueOf(error.getMessage());
        List<String> lines = message.lines().toList();
        Set<String> reasons = new LinkedHashSet<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String reason = line.strip();
            if (!reason.isEmpty() && !reason.contains("not found in resource path")) {
                reasons.add(reason);
            }
        }
        return reasons.isEmpty() ? message.strip() : String.join("; ", reasons);
    }

    private static NvmlLoadResult failed(NvmlStatus.State state, String library, String message)
    {
        return new NvmlLoadResult.Failed(NvmlStatus.newBuilder()
                .setState(state)
                .setLibrary(library)
                .setMessage(message)
                .build());
    }
}
