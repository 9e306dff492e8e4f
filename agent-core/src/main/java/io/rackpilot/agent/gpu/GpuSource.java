package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.Gpus;

/**
 * Where the GPUs of this machine come from: NVML ({@link NvmlGpuSource}), or a simulator.
 * Called on the GPU thread only.
 */
public interface GpuSource
{
    /**
     * Reads every GPU. May block (an NVML call can hang); never throws for an NVML problem: that is
     * the returned {@code NvmlStatus} and the GPUs' health.
     */
    Gpus poll();

    /**
     * Releases the source (shuts NVML down). Called on the GPU thread after the last poll.
     */
    void close();
}
