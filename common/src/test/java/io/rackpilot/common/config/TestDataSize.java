package io.rackpilot.common.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestDataSize
{
    @Test
    void parsesBinaryAndDecimalUnits()
    {
        assertThat(DataSize.parse("1048576")).isEqualTo(DataSize.ofMebibytes(1));
        assertThat(DataSize.parse("512B").bytes()).isEqualTo(512);
        assertThat(DataSize.parse("512KiB")).isEqualTo(DataSize.ofKibibytes(512));
        assertThat(DataSize.parse("4MiB").bytes()).isEqualTo(4L * 1024 * 1024);
        assertThat(DataSize.parse("160GiB")).isEqualTo(DataSize.ofGibibytes(160));
        assertThat(DataSize.parse("2TiB")).isEqualTo(DataSize.ofTebibytes(2));
        assertThat(DataSize.parse("931GB").bytes()).isEqualTo(931_000_000_000L);
        assertThat(DataSize.parse("10.7TB").bytes()).isEqualTo(10_700_000_000_000L);
        assertThat(DataSize.parse("1.5GiB")).isEqualTo(DataSize.ofMebibytes(1536));
        assertThat(DataSize.parse("4 MiB")).isEqualTo(DataSize.ofMebibytes(4));
        assertThat(DataSize.parse("0.5KiB").bytes()).isEqualTo(512);
        assertThat(DataSize.parse("0.0001KiB").bytes()).as("rounded to the nearest byte").isEqualTo(0);
        assertThat(DataSize.parse("1.0009KiB").bytes()).as("rounded to the nearest byte").isEqualTo(1025);
    }

    @Test
    void refusesAmbiguousAndMalformedSizes()
    {
        assertThatThrownBy(() -> DataSize.parse("32G"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a size such as 512KiB, 4MiB, 160GiB, 1.1TB or a number of bytes, got \"32G\" (write 32GiB for powers of 1024 or 32GB for powers of 1000)");
        assertThatThrownBy(() -> DataSize.parse("4 megabytes")).hasMessageContaining("got \"4 megabytes\"");
        assertThatThrownBy(() -> DataSize.parse("-1")).hasMessageContaining("got \"-1\"");
        assertThatThrownBy(() -> DataSize.parse("1.5")).hasMessageEndingWith("(a number of bytes must be whole)");
        assertThatThrownBy(() -> DataSize.parse("9000PiB")).hasMessage("size \"9000PiB\" is too large");
        assertThatThrownBy(() -> new DataSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsWithTheLargestExactUnit()
    {
        assertThat(DataSize.ofGibibytes(160).toString()).isEqualTo("160GiB");
        assertThat(DataSize.ofMebibytes(1536).toString()).isEqualTo("1536MiB");
        assertThat(DataSize.parse("1.1TB").toString()).isEqualTo("1100GB");
        assertThat(DataSize.ofBytes(2000).toString()).isEqualTo("2kB");
        assertThat(DataSize.ofBytes(1001).toString()).isEqualTo("1001");
        assertThat(DataSize.ofBytes(0).toString()).isEqualTo("0");
        for (DataSize size : new DataSize[] {DataSize.ofBytes(1001), DataSize.ofGibibytes(160), DataSize.parse("10.7TB"), DataSize.ofBytes(0)}) {
            assertThat(DataSize.parse(size.toString())).isEqualTo(size);
        }
    }

    @Test
    void ordersBySize()
    {
        assertThat(DataSize.parse("1GiB")).isGreaterThan(DataSize.parse("1GB"));
        assertThat(DataSize.parse("1000MB")).isEqualByComparingTo(DataSize.parse("1GB"));
    }
}
