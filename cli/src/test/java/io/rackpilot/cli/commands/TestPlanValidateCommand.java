package io.rackpilot.cli.commands;

import io.rackpilot.cli.Rackctl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rackctl plan validate FILE}: no coordinator needed; errors fail (exit 1), warnings do not,
 * and each names the file, line and field.
 */
class TestPlanValidateCommand
{
    @TempDir
    Path directory;

    @Test
    void theExamplePlanIsValidWithTheMemoryOverCommitWarning()
            throws IOException
    {
        Path example = Path.of("../docs/examples/homelab.yaml");
        int memoryLine = lineOf(example, "    memory: 160GiB");
        Result result = rackctl("plan", "validate", example.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("valid (1 warning)");
        assertThat(result.err()).contains("homelab.yaml:" + memoryLine + ": warning: spec.host.memory: ")
                .contains("196GiB").contains("160GiB").contains("over-committed by 36GiB");
    }

    @Test
    void aBrokenPlanNamesEachErrorWithItsLine()
            throws IOException
    {
        String text = Files.readString(Path.of("../docs/examples/homelab.yaml"))
                .replace("      ip: 10.0.20.10\n", "      ip: 10.0.30.10\n")
                .replace("      vm: 201\n", "      vm: 299\n");
        Path broken = directory.resolve("broken.yaml");
        Files.writeString(broken, text);
        int ipLine = lineOf(broken, "      ip: 10.0.30.10");
        int vmLine = lineOf(broken, "      vm: 299");

        Result result = rackctl("plan", "validate", broken.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains("broken.yaml:" + ipLine + ": spec.vms[8].ip: ")
                .contains("10.0.30.10")
                .contains("broken.yaml:" + vmLine + ": spec.gpus[0].vm: ")
                .contains("not valid: 2 errors, 1 warning");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void aShapeErrorAndAMissingFileFailWithTheirReason()
            throws IOException
    {
        Path shape = directory.resolve("shape.yaml");
        Files.writeString(shape, Files.readString(Path.of("../docs/examples/homelab.yaml")).replace("    - vmid: 102\n", "    - vmid: abc\n"));
        Result bad = rackctl("plan", "validate", shape.toString());
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("shape.yaml:" + lineOf(shape, "    - vmid: abc") + ": spec.vms[1].vmid: ");

        Result missing = rackctl("plan", "validate", directory.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.yaml").contains("does not exist");
    }

    private static int lineOf(Path file, String line)
            throws IOException
    {
        java.util.List<String> lines = Files.readAllLines(file);
        for (int index = 0; index < lines.size(); index++) {
            if (lines.get(index).equals(line) || lines.get(index).startsWith(line + " ")) {
                return index + 1;
            }
        }
        throw new AssertionError("no line " + line + " in " + file);
    }

    private static Result rackctl(String... arguments)
    {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = Rackctl.run(arguments, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Result(int exitCode, String out, String err) {}
}
