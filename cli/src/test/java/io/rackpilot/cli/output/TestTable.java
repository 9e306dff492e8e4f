package io.rackpilot.cli.output;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestTable
{
    @Test
    void alignsColumnsAndMarksEmptyCells()
    {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Table("ID", "ROLE", "STATE")
                .row("pve", "host", "connected")
                .row("k8s-node1", "node", "")
                .print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
                "ID         ROLE  STATE\n"
                        + "pve        host  connected\n"
                        + "k8s-node1  node  -\n");
    }

    @Test
    void rowsMustFitTheHeader()
    {
        assertThatThrownBy(() -> new Table("A", "B").row("only one")).hasMessage("expected 2 cells, got 1");
    }
}
