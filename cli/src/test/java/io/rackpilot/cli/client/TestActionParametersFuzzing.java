package io.rackpilot.cli.client;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.rackpilot.proto.v1.Action;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of rackctl's action parameters ({@code rackctl exec AGENT ACTION --json
 * JSON --set key=value ...}) with Jazzer (see docs/testing.md). The input is text: the first line
 * is the action's name, the second the {@code --json} value (an empty line: no --json), every
 * further line one {@code --set}. The builder answers with an action whose message is valid (it
 * can be written as protobuf JSON, durations within protobuf's range) or an
 * {@link IllegalArgumentException} that names what is wrong. Regression inputs:
 * {@code src/test/resources/io/rackpilot/cli/client/TestActionParametersFuzzingInputs/buildAction}.
 */
final class TestActionParametersFuzzing
{
    @FuzzTest(maxDuration = "30s")
    void buildAction(byte[] input)
    {
        List<String> lines = Arrays.asList(new String(input, StandardCharsets.UTF_8).split("\n", -1));
        String actionName = lines.get(0);
        String json = lines.size() > 1 && !lines.get(1).isEmpty() ? lines.get(1) : null;
        List<String> assignments = lines.size() > 2 ? lines.subList(2, lines.size()) : List.of();

        Action action;
        try {
            action = ActionParameters.build(actionName, json, assignments);
        }
        catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(action.getKindCase()).isNotEqualTo(Action.KindCase.KIND_NOT_SET);
        try {
            assertThat(JsonFormat.printer().print(action)).isNotEmpty();
        }
        catch (InvalidProtocolBufferException e) {
            throw new AssertionError("rackctl built an action that is not a valid message: " + e.getMessage(), e);
        }
    }
}
