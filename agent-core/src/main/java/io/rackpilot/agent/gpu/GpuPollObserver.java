package io.rackpilot.agent.gpu;

/**
 * Told about every GPU poll, for the {@code rackpilot_gpu_collector_success} and
 * {@code rackpilot_gpu_collector_duration_seconds} metrics. A poll is successful unless NVML is in
 * {@code STATE_ERROR} (no library at all is a successful reading of "none"). A poll that hangs is
 * told twice: unsuccessful with the timeout as its duration when it is found hung, then with its
 * real outcome and duration when it returns.
 */
@FunctionalInterface
public interface GpuPollObserver
{
    GpuPollObserver NONE = (success, durationNanos) -> {};

    void polled(boolean success, long durationNanos);
}
