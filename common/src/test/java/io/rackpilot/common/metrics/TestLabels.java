package io.rackpilot.common.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestLabels
{
    @Test
    void keepsLabelsSortedByName()
    {
        Labels labels = Labels.of("version", "0.1.0", "id", "k8s-node1", "role", "node");

        assertThat(labels.names()).containsExactly("id", "role", "version");
        assertThat(labels.values()).containsExactly("k8s-node1", "node", "0.1.0");
        assertThat(labels).isEqualTo(Labels.of("id", "k8s-node1", "role", "node", "version", "0.1.0"));
        assertThat(labels).hasSameHashCodeAs(Labels.of(Map.of("id", "k8s-node1", "role", "node", "version", "0.1.0")));
        assertThat(labels.value("role")).contains("node");
        assertThat(labels.value("uuid")).isEmpty();
        assertThat(labels.size()).isEqualTo(3);
    }

    @Test
    void writesThePrometheusNotationWithEscapedValues()
    {
        assertThat(Labels.of("action", "agent.ping", "outcome", "succeeded").toString())
                .isEqualTo("{action=\"agent.ping\",outcome=\"succeeded\"}");
        assertThat(Labels.of("name", "Intel(R) \"Xeon\" C:\\x\nnext").toString())
                .isEqualTo("{name=\"Intel(R) \\\"Xeon\\\" C:\\\\x\\nnext\"}");
        assertThat(Labels.empty().toString()).isEmpty();
        assertThat(Labels.empty().isEmpty()).isTrue();
    }

    @Test
    void addsALabel()
    {
        Labels labels = Labels.of("uuid", "GPU-1").with("index", "0");

        assertThat(labels.asMap()).containsExactly(Map.entry("index", "0"), Map.entry("uuid", "GPU-1"));
        assertThatThrownBy(() -> labels.with("uuid", "GPU-2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label 'uuid' is given twice");
    }

    @Test
    void refusesInvalidLabelNames()
    {
        for (String name : List.of("pci-bus-id", "1st", "", "gpu.uuid", "naïve")) {
            assertThatThrownBy(() -> Labels.of(name, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid label name '" + name + "': must match [a-zA-Z_][a-zA-Z0-9_]*");
        }
        assertThatThrownBy(() -> Labels.of("__name__", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid label name '__name__': names starting with __ are reserved by Prometheus");
        assertThatThrownBy(() -> Labels.of("quantile", "0.5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved for summaries and histograms");
        assertThatThrownBy(() -> Labels.of("le", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved");
    }

    @Test
    void refusesMalformedArguments()
    {
        assertThatThrownBy(() -> Labels.of("id", "a", "version"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Labels.of needs name/value pairs, got 3 arguments");
        assertThatThrownBy(() -> Labels.of("id", "a", "id", "b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label 'id' is given twice");
        assertThatThrownBy(() -> Labels.of("id", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value of label 'id' is null");
    }

    @Test
    void acceptsAnyValue()
    {
        Labels labels = Labels.of("a", "", "b", " spaced out ", "c", "ünïcödé");

        assertThat(labels.values()).containsExactly("", " spaced out ", "ünïcödé");
    }
}
