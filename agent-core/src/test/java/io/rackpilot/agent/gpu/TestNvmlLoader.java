package io.rackpilot.agent.gpu;

import io.rackpilot.proto.v1.NvmlStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

final class TestNvmlLoader
{
    @TempDir
    Path directory;

    @Test
    void aConfiguredLibraryThatDoesNotExistIsAbsent()
    {
        Path missing = directory.resolve("libnvidia-ml.so.1");
        NvmlStatus status = failure(new NvmlLoader(Optional.of(missing), Map.of()).load());
        assertThat(status.getState()).isEqualTo(NvmlStatus.State.STATE_ABSENT);
        assertThat(status.getLibrary()).isEqualTo(missing.toString());
        assertThat(status.getMessage()).isEqualTo("the NVML library " + missing + " (gpu.nvmlLibrary) does not exist");
    }

    @Test
    void theDefaultNamesAreAbsentOnAMachineWithoutAnNvidiaDriver()
    {
        for (String directory : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu"}) {
            assumeTrue(!Files.exists(Path.of(directory, "libnvidia-ml.so.1")), "this machine has an NVIDIA driver");
        }
        NvmlStatus status = failure(new NvmlLoader(Optional.empty(), Map.of(NvmlLoader.LIBRARY_ENVIRONMENT_VARIABLE, " ")).load());
        assertThat(status.getState()).isEqualTo(NvmlStatus.State.STATE_ABSENT);
        assertThat(status.getLibrary()).isEmpty();
        assertThat(status.getMessage())
                .startsWith("no NVML library (no NVIDIA driver?): tried libnvidia-ml.so.1, libnvidia-ml.so from the library path")
                .contains("gpu.nvmlLibrary", "RACKPILOT_NVML_LIBRARY");
    }

    @Test
    void aFileThatIsNotALibraryIsAnErrorWithTheLoadersReason()
            throws IOException
    {
        Path text = directory.resolve("libnvidia-ml.so.1");
        Files.writeString(text, "this is not a shared library\n".repeat(10));
        NvmlStatus status = failure(new NvmlLoader(Optional.of(text), Map.of()).load());
        assertThat(status.getState()).isEqualTo(NvmlStatus.State.STATE_ERROR);
        assertThat(status.getLibrary()).isEqualTo(text.toString());
        assertThat(status.getMessage()).isEqualTo("cannot load the NVML library " + text + " (gpu.nvmlLibrary): " + text + ": invalid ELF header");
    }

    @Test
    void theEnvironmentVariableNamesTheLibrary()
    {
        FakeNvml fake = FakeNvml.current();
        NvmlLoadResult result = new NvmlLoader(Optional.empty(), Map.of(NvmlLoader.LIBRARY_ENVIRONMENT_VARIABLE, fake.library().toString())).load();
        assertThat(result).isInstanceOf(NvmlLoadResult.Loaded.class);
        LoadedNvml nvml = ((NvmlLoadResult.Loaded) result).nvml();
        assertThat(nvml.name()).isEqualTo(fake.library().toString());
        assertThat(nvml.exportsSymbol().test("nvmlInit_v2")).isTrue();
        assertThat(nvml.exportsSymbol().test("nvmlDeviceGetRunningProcessDetailList")).isTrue();
        assertThat(nvml.exportsSymbol().test("nvmlNoSuchFunction")).isFalse();
    }

    @Test
    void aMissingFileNamedByTheEnvironmentIsAbsentNamingTheVariable()
    {
        Path missing = directory.resolve("nvml.so");
        NvmlStatus status = failure(new NvmlLoader(Optional.empty(), Map.of(NvmlLoader.LIBRARY_ENVIRONMENT_VARIABLE, missing.toString())).load());
        assertThat(status.getState()).isEqualTo(NvmlStatus.State.STATE_ABSENT);
        assertThat(status.getMessage()).isEqualTo("the NVML library " + missing + " (RACKPILOT_NVML_LIBRARY) does not exist");
    }

    @Test
    void theConfiguredLibraryWinsOverTheEnvironment()
    {
        FakeNvml fake = FakeNvml.current();
        Path missing = directory.resolve("configured.so");
        NvmlStatus status = failure(new NvmlLoader(Optional.of(missing), Map.of(NvmlLoader.LIBRARY_ENVIRONMENT_VARIABLE, fake.library().toString())).load());
        assertThat(status.getState()).isEqualTo(NvmlStatus.State.STATE_ABSENT);
        assertThat(status.getLibrary()).isEqualTo(missing.toString());
    }

    @Test
    void theReasonIsTheDynamicLoadersWordsOnce()
    {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("""
                Unable to load library '/tmp/x.so':
                /tmp/x.so: file too short
                /tmp/x.so: file too short
                Native library (tmp/x.so) not found in resource path (/a.jar:.)""");
        assertThat(NvmlLoader.reason(error)).isEqualTo("/tmp/x.so: file too short");
        assertThat(NvmlLoader.reason(new UnsatisfiedLinkError("one line"))).isEqualTo("one line");
    }

    private static NvmlStatus failure(NvmlLoadResult result)
    {
        assertThat(result).isInstanceOf(NvmlLoadResult.Failed.class);
        return ((NvmlLoadResult.Failed) result).status();
    }
}
