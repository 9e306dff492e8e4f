package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.NvmlStatus;

import static java.util.Objects.requireNonNull;

/**
 * What {@link NvmlLoader#load()} found: a library, or why there is none.
 */
public sealed interface NvmlLoadResult
        permits NvmlLoadResult.Loaded, NvmlLoadResult.Failed
{
    record Loaded(LoadedNvml nvml)
            implements NvmlLoadResult
    {
        public Loaded
        {
            requireNonNull(nvml, "nvml is null");
        }
    }

    /**
     * @param status {@code STATE_ABSENT} (no library) or {@code STATE_ERROR} (a library that does
     *        not load), with the message and the library tried
     */
    record Failed(NvmlStatus status)
            implements NvmlLoadResult
    {
        public Failed
        {
            requireNonNull(status, "status is null");
        }
    }
}
