package io.rackpilot.agent.gpu;

import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * A loaded NVML library.
 *
 * @param library the bound functions
 * @param name the path or name it was loaded from, for {@code NvmlStatus.library}
 * @param exportsSymbol whether the library exports a symbol (without calling it)
 */
public record LoadedNvml(NvmlLibrary library, String name, Predicate<String> exportsSymbol)
{
    public LoadedNvml
    {
        requireNonNull(library, "library is null");
        requireNonNull(name, "name is null");
        requireNonNull(exportsSymbol, "exportsSymbol is null");
    }
}
