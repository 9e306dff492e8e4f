package io.rackpilot.common.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestSystemTools
{
    @TempDir
    Path directory;

    @Test
    void findsAnExecutableOnThePath()
            throws IOException
    {
        Path tool = executable("rackpilot-fake-tool");
        String path = directory.resolve("missing") + ":" + directory;

        assertThat(SystemTools.require("rackpilot-fake-tool", path, null)).isEqualTo(tool);
        assertThat(SystemTools.require("rackpilot-fake-tool", path, "1")).isEqualTo(tool);
    }

    @Test
    void ignoresFilesThatAreNotExecutable()
            throws IOException
    {
        Files.writeString(directory.resolve("rackpilot-fake-tool"), "not a program");

        assertThat(SystemTools.find("rackpilot-fake-tool", directory.toString())).isEmpty();
    }

    @Test
    void skipsWhenTheToolIsMissingAndNotRequired()
    {
        assertThatThrownBy(() -> SystemTools.require("rackpilot-no-such-tool", directory.toString(), null))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("rackpilot-no-such-tool")
                .hasMessageContaining("RACKPILOT_REQUIRE_SYSTEM_TESTS=1");
        assertThatThrownBy(() -> SystemTools.require("rackpilot-no-such-tool", directory.toString(), "0"))
                .isInstanceOf(TestAbortedException.class);
    }

    @Test
    void failsWhenTheToolIsMissingAndRequired()
    {
        assertThatThrownBy(() -> SystemTools.require("rackpilot-no-such-tool", directory.toString(), "1"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("rackpilot-no-such-tool")
                .hasMessageContaining("RACKPILOT_REQUIRE_SYSTEM_TESTS=1 requires");
    }

    @Test
    void refusesAToolWithADirectory()
    {
        assertThatThrownBy(() -> SystemTools.find("bin/promtool", "/usr/bin"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bin/promtool");
    }

    private Path executable(String name)
            throws IOException
    {
        Path tool = directory.resolve(name);
        Files.writeString(tool, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tool;
    }
}
