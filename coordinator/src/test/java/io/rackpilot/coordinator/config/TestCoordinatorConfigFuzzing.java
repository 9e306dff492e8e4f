package io.rackpilot.coordinator.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the coordinator's config loading ({@code coordinator.yaml}) with
 * Jazzer (see docs/testing.md). The input is the file's text. The loader answers with a config or
 * a {@link ConfigException} naming what is wrong; the checks after loading
 * ({@link CoordinatorConfig#validate}) refuse with an {@link IllegalArgumentException} naming the
 * key. Regression inputs:
 * {@code src/test/resources/io/rackpilot/coordinator/config/TestCoordinatorConfigFuzzingInputs/loadCoordinatorConfig}.
 */
final class TestCoordinatorConfigFuzzing
{
    private static final String SOURCE = "coordinator.yaml";

    @FuzzTest(maxDuration = "30s")
    void loadCoordinatorConfig(byte[] input)
    {
        CoordinatorConfig config;
        try {
            config = YamlLoader.parse(new String(input, StandardCharsets.UTF_8), SOURCE, CoordinatorConfig.class);
        }
        catch (ConfigException e) {
            assertThat(e.problem()).isNotBlank();
            assertThat(e.getMessage()).startsWith(SOURCE);
            return;
        }
        try {
            config.validate();
        }
        catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
