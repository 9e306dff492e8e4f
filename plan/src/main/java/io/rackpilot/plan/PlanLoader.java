package io.rackpilot.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;

import java.nio.file.Path;

/**
 * Reads a homelab plan strictly (see {@link YamlLoader}): every error is a
 * {@link ConfigException} naming the file, line and key. {@code apiVersion} and {@code kind} are
 * checked before anything else, so a file that is not a plan (a Kubernetes manifest, a daemon's
 * config) is reported as such rather than by its first unknown key.
 */
public final class PlanLoader
{
    private PlanLoader() {}

    public static HomelabPlan load(Path file)
    {
        YamlLoader.load(file, Header.class);
        return YamlLoader.load(file, HomelabPlan.class);
    }

    /**
     * @param sourceName stands for the file in messages
     */
    public static HomelabPlan parse(String yaml, String sourceName)
    {
        YamlLoader.parse(yaml, sourceName, Header.class);
        return YamlLoader.parse(yaml, sourceName, HomelabPlan.class);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Header(String apiVersion, String kind)
    {
        Header
        {
            HomelabPlan.checkHeader(apiVersion, kind);
        }
    }
}
