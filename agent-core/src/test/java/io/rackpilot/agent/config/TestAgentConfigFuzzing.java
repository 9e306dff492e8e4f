package io.rackpilot.agent.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rackpilot.common.config.ConfigException;
import io.rackpilot.common.config.YamlLoader;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the agents' config loading ({@code host-agent.yaml},
 * {@code node-agent.yaml}) with Jazzer (see docs/testing.md). The input is the file's text. The
 * loader answers with a config or a {@link ConfigException} naming what is wrong; the daemon's
 * checks after loading ({@link AgentConfig#validate}) refuse with an
 * {@link IllegalArgumentException} naming the key. Regression inputs:
 * {@code src/test/resources/io/rackpilot/agent/config/TestAgentConfigFuzzingInputs/loadAgentConfig}.
 */
final class TestAgentConfigFuzzing
{
    private static final String SOURCE = "node-agent.yaml";

    @FuzzTest(maxDuration = "30s")
    void loadAgentConfig(byte[] input)
    {
        AgentConfig config;
        try {
            config = YamlLoader.parse(new String(input, StandardCharsets.UTF_8), SOURCE, AgentConfig.class);
        }
        catch (ConfigException e) {
            assertThat(e.problem()).isNotBlank();
            assertThat(e.getMessage()).startsWith(SOURCE);
            return;
        }
        for (AgentKind kind : AgentKind.values()) {
            try {
                config.validate(kind);
            }
            catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }
}
