package io.rackpilot.common.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TestConfigModule
{
    record Timing(Duration interval, DataSize limit, DataSize small) {}

    @Test
    void writesValuesTheWayTheyAreRead()
            throws Exception
    {
        ObjectMapper json = JsonMapper.builder().addModule(new ConfigModule()).build();
        Timing timing = new Timing(Duration.ofMinutes(90), DataSize.ofGibibytes(160), DataSize.ofBytes(1001));

        String written = json.writeValueAsString(timing);

        assertThat(written).isEqualTo("{\"interval\":\"1h30m\",\"limit\":\"160GiB\",\"small\":1001}");
        assertThat(json.readValue(written, Timing.class)).isEqualTo(timing);
    }
}
