package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.Gpus;
import io.rackpilot.proto.v1.NvmlStatus;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * GPUs through NVML: loads the library on the first poll (and again at every poll while there is
 * none, so a driver installed after the agent started is found), then reads it with an
 * {@link NvmlClient}.
 */
public final class NvmlGpuSource
        implements GpuSource
{
    private static final Logger log = Logger.getLogger(NvmlGpuSource.class.getName());

    private final NvmlLoader loader;
    private NvmlClient client;
    private String lastFailure = "";

    /**
     * @param configuredLibrary {@code gpu.nvmlLibrary} from the agent's config
     * @param environment the process environment, for {@code RACKPILOT_NVML_LIBRARY}
     */
    public NvmlGpuSource(Optional<Path> configuredLibrary, Map<String, String> environment)
    {
        this(new NvmlLoader(configuredLibrary, environment));
    }

    public NvmlGpuSource(NvmlLoader loader)
    {
        this.loader = requireNonNull(loader, "loader is null");
    }

    @Override
    public Gpus poll()
    {
        try {
            if (client == null) {
                NvmlLoadResult result = loader.load();
                if (result instanceof NvmlLoadResult.Failed failed) {
                    logFailure(failed.status());
                    return Gpus.newBuilder().setNvml(failed.status()).build();
                }
                LoadedNvml nvml = ((NvmlLoadResult.Loaded) result).nvml();
                log.info(() -> "NVML library loaded: " + nvml.name());
                client = new NvmlClient(nvml);
            }
            Gpus gpus = client.poll();
            logFailure(gpus.getNvml());
            return gpus;
        }
        catch (RuntimeException | LinkageError e) {
            log.log(Level.WARNING, "reading NVML failed", e);
            return Gpus.newBuilder()
                    .setNvml(NvmlStatus.newBuilder()
                            .setState(NvmlStatus.State.STATE_ERROR)
                            .setMessage("reading NVML failed: " + e))
                    .build();
        }
    }

    /**
     * How many NVML functions the last poll called (0 while no library is loaded).
     */
    public int lastPollCallCount()
    {
        return client == null ? 0 : client.lastPollCallCount();
    }

    @Override
    public void close()
    {
        if (client != null) {
            client.close();
        }
    }

    /**
     * A failure is logged when it first appears or changes, not at every poll.
     */
    private void logFailure(NvmlStatus status)
    {
        String failure = status.getState() == NvmlStatus.State.STATE_AVAILABLE ? "" : status.getMessage();
        if (!failure.equals(lastFailure)) {
            if (failure.isEmpty()) {
                log.info("NVML is available again");
            }
            else if (status.getState() == NvmlStatus.State.STATE_ABSENT) {
                log.info(failure);
            }
            else {
                log.warning(failure);
            }
            lastFailure = failure;
        }
    }
}
