package io.rackpilot.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.rackpilot.common.config.ConfigValueException;
import io.rackpilot.common.config.ConfigValues;

/**
 * @param model the processor model ({@code Intel Xeon E5-2699 v4})
 * @param cores physical cores across all sockets
 * @param threads hardware threads across all sockets (cores times threads per core)
 */
public record Cpu(String model, @JsonProperty(required = true) int cores, @JsonProperty(required = true) int threads)
{
    public Cpu
    {
        model = ConfigValues.requiredText(model, "model");
        if (cores < 1) {
            throw new ConfigValueException("cores", "must be at least 1, got " + cores);
        }
        if (threads < cores) {
            throw new ConfigValueException("threads", "must be at least the number of cores (" + cores + "), got " + threads);
        }
    }
}
