package io.rackpilot.common.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class TestYamlLoader
{
    @TempDir
    Path directory;

    @Test
    void readsEveryKindOfValue()
    {
        SampleConfig config = parse("""
                coordinator:
                  address: devvm
                  port: 7451
                  initialBackoff: 250ms
                  advertiseHost: 10.0.20.101
                tls:
                  ca: /srv/ca.pem
                  enabled: false
                stateDirectory: /tmp/state
                heartbeatInterval: 1h30m
                maxMessageSize: 8MiB
                labels:
                  nvidia.com/gpu.present: "true"
                  zone: rack-1
                peers:
                  - weight: 3
                    name: k8s-node1
                """);

        assertThat(config.coordinator()).isEqualTo(new SampleConfig.Coordinator("devvm", 7451, Duration.ofMillis(250), Optional.of("10.0.20.101")));
        assertThat(config.tls()).isEqualTo(new SampleConfig.Tls(Path.of("/srv/ca.pem"), false));
        assertThat(config.stateDirectory()).isEqualTo(Path.of("/tmp/state"));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofMinutes(90));
        assertThat(config.maxMessageSize()).isEqualTo(DataSize.ofMebibytes(8));
        assertThat(config.labels()).containsExactly(Map.entry("nvidia.com/gpu.present", "true"), Map.entry("zone", "rack-1"));
        assertThat(config.peers()).containsExactly(new SampleConfig.Peer(3, "k8s-node1"));
    }

    @Test
    void emptyDocumentGivesEveryDefault()
    {
        SampleConfig defaults = new SampleConfig(null, null, null, null, null, null, null, null);
        assertThat(defaults.coordinator().port()).isEqualTo(7450);
        assertThat(defaults.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        for (String empty : List.of("", "\n\n", "# only a comment\n", "---\n", "~\n")) {
            assertThat(parse(empty)).as("document %s", empty).isEqualTo(defaults);
        }
    }

    @Test
    void absentAndEmptyValuesTakeDefaults()
    {
        SampleConfig config = parse("""
                coordinator:
                  port:
                tls:
                """);
        assertThat(config.coordinator().port()).isEqualTo(7450);
        assertThat(config.coordinator().address()).isEqualTo("localhost");
        assertThat(config.coordinator().advertiseHost()).isEmpty();
        assertThat(config.tls()).isEqualTo(SampleConfig.Tls.DEFAULT);
        assertThat(config.labels()).isEmpty();
    }

    @Test
    void unknownTopLevelKeySuggestsTheClosestKnownOne()
    {
        assertFailure("""
                tls:
                  enabled: true
                cordinator:
                  address: devvm
                """)
                .hasMessage("sample.yaml:3:1: unknown key 'cordinator', did you mean 'coordinator'? "
                        + "(known keys: coordinator, tls, metrics, stateDirectory, heartbeatInterval, maxMessageSize, labels, peers)")
                .satisfies(failure -> assertLocation(failure, 3, 1, "cordinator"));
    }

    @Test
    void unknownNestedKeyNamesItsPath()
    {
        assertFailure("""
                coordinator:
                  address: devvm
                  adress: devvm
                """)
                .hasMessage("sample.yaml:3:3: coordinator.adress: unknown key 'adress', did you mean 'address'? "
                        + "(known keys: address, port, initialBackoff, advertiseHost)")
                .satisfies(failure -> assertLocation(failure, 3, 3, "coordinator.adress"));

        assertFailure("""
                peers:
                  - name: a
                    weight: 1
                  - name: b
                    wieght: 2
                """)
                .hasMessageStartingWith("sample.yaml:5:5: peers[1].wieght: unknown key 'wieght', did you mean 'weight'?")
                .satisfies(failure -> assertLocation(failure, 5, 5, "peers[1].wieght"));
    }

    @Test
    void unknownKeyFarFromEveryKnownOneHasNoSuggestion()
    {
        assertFailure("banana: 1\n")
                .hasMessageStartingWith("sample.yaml:1:1: unknown key 'banana' (known keys: ");
    }

    @Test
    void wrongTypesAreNotCoerced()
    {
        assertFailure("""
                coordinator:
                  address: devvm
                  port: abc
                """)
                .hasMessage("sample.yaml:3:9: coordinator.port: expected an integer, got \"abc\"")
                .satisfies(failure -> assertLocation(failure, 3, 9, "coordinator.port"));
        assertFailure("coordinator:\n  port: \"7450\"\n")
                .hasMessage("sample.yaml:2:9: coordinator.port: expected an integer, got \"7450\"");
        assertFailure("coordinator:\n  port: 7450.5\n")
                .hasMessage("sample.yaml:2:9: coordinator.port: expected an integer, got 7450.5");
        assertFailure("tls:\n  enabled: 1\n")
                .hasMessage("sample.yaml:2:12: tls.enabled: expected true or false, got 1");
        assertFailure("tls:\n  enabled: \"true\"\n")
                .hasMessage("sample.yaml:2:12: tls.enabled: expected true or false, got \"true\"");
        assertFailure("tls: [1, 2]\n")
                .hasMessage("sample.yaml:1:6: tls: expected a mapping, got a list");
        assertFailure("peers: k8s-node1\n")
                .hasMessage("sample.yaml:1:8: peers: expected a list, got \"k8s-node1\"");
        assertFailure("labels:\n  zone: [a]\n")
                .hasMessage("sample.yaml:2:9: labels.zone: expected a string, got a list");
        assertFailure("coordinator:\n  port: 1:30\n")
                .hasMessage("sample.yaml:2:9: coordinator.port: expected an integer, got \"1:30\"");
        assertFailure("coordinator:\n  port: 06:00.0\n")
                .hasMessage("sample.yaml:2:9: coordinator.port: expected a number, got 06:00.0");
        assertFailure("- a\n- b\n")
                .hasMessage("sample.yaml:1:1: expected a mapping, got a list");
    }

    @Test
    void emptyValueForARequiredNumberIsAnError()
    {
        assertFailure("""
                peers:
                  - name: a
                    weight:
                """)
                .hasMessage("sample.yaml:3:12: peers[0].weight: expected an integer, got an empty value");
    }

    @Test
    void missingRequiredKeysAreReportedAtTheirObject()
    {
        assertFailure("""
                peers:
                  - name: a
                    weight: 1
                  - name: b
                """)
                .hasMessage("sample.yaml:4:5: peers[1]: missing required key 'weight'")
                .satisfies(failure -> assertLocation(failure, 4, 5, "peers[1].weight"));
        assertFailure("""
                peers:
                  - weight: 1
                """)
                .hasMessage("sample.yaml:2:5: peers[0]: missing required key 'name'");
        assertFailure("""
                peers:
                  - weight: 1
                    name:
                """)
                .hasMessage("sample.yaml:3:10: peers[0].name: a value is required, got an empty value");
        assertFailure("""
                peers:
                  - weight: 1
                    name: "  "
                """)
                .hasMessage("sample.yaml:3:11: peers[0].name: must not be empty");
        assertFailure("""
                peers:
                  - weight: 1
                    name: a
                  -
                """)
                .hasMessage("sample.yaml:4:4: peers[1]: a value is required, got an empty value");
        assertFailure("""
                labels:
                  zone: a
                  nvidia.com/gpu.present:
                """)
                .hasMessage("sample.yaml:3:26: labels[\"nvidia.com/gpu.present\"]: a value is required, got an empty value")
                .satisfies(failure -> assertLocation(failure, 3, 26, "labels[\"nvidia.com/gpu.present\"]"));
    }

    record Switch(boolean on, String label) {}

    @Test
    void primitivesAreRequired()
    {
        assertThat(YamlLoader.parse("on: true\n", "switch.yaml", Switch.class)).isEqualTo(new Switch(true, null));
        assertThatThrownBy(() -> YamlLoader.parse("label: a\n", "switch.yaml", Switch.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("switch.yaml:1:1: missing required key 'on'");
        assertThatThrownBy(() -> YamlLoader.parse("", "switch.yaml", Switch.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("switch.yaml:1:1: missing required key 'on'");
        assertThatThrownBy(() -> YamlLoader.parse("on: true\nlabl: a\n", "switch.yaml", Switch.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("switch.yaml:2:1: unknown key 'labl', did you mean 'label'? (known keys: on, label)");
        assertThatThrownBy(() -> YamlLoader.parse("labl: a\n", "switch.yaml", Switch.class))
                .as("a misspelt key is reported before the missing key it may be")
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("switch.yaml:1:1: unknown key 'labl'");
    }

    @Test
    void stringsKeepTheTextYamlWouldReadAsANumber()
    {
        assertThat(YamlLoader.parse("on: true\nlabel: 06:00.0\n", "switch.yaml", Switch.class).label()).isEqualTo("06:00.0");
        assertThat(YamlLoader.parse("on: true\nlabel: 1.10\n", "switch.yaml", Switch.class).label()).isEqualTo("1.10");
        assertThat(YamlLoader.parse("on: true\nlabel: 0x1F\n", "switch.yaml", Switch.class).label()).isEqualTo("0x1F");
        assertThat(YamlLoader.parse("on: true\nlabel: no\n", "switch.yaml", Switch.class).label()).isEqualTo("no");
        assertThat(parse("peers:\n  - weight: 1\n    name: 0700\n").peers().get(0).name()).isEqualTo("0700");
    }

    @Test
    void valueRefusedByAConstructorIsReportedAtItsLine()
    {
        assertFailure("""
                coordinator:
                  address: devvm
                  port: 70000
                """)
                .hasMessage("sample.yaml:3:9: coordinator.port: must be between 1 and 65535, got 70000")
                .satisfies(failure -> assertLocation(failure, 3, 9, "coordinator.port"));
        assertFailure("heartbeatInterval: 0s\n")
                .hasMessage("sample.yaml:1:20: heartbeatInterval: must be longer than zero");
    }

    @Test
    void duplicateKeysAreRejected()
    {
        assertFailure("""
                coordinator:
                  address: devvm
                  port: 7450
                  address: k8s-master
                """)
                .hasMessage("sample.yaml:4:3: coordinator.address: duplicate key 'address' (first written on line 2)")
                .satisfies(failure -> assertLocation(failure, 4, 3, "coordinator.address"));
        assertFailure("""
                tls:
                  enabled: true
                metrics:
                  listen: 0.0.0.0:1
                tls:
                  enabled: false
                """)
                .hasMessage("sample.yaml:5:1: duplicate key 'tls' (first written on line 1)");
    }

    @Test
    void badDurationsAndSizesShowTheAcceptedForms()
    {
        assertFailure("""
                coordinator:
                  initialBackoff: 5 seconds
                """)
                .hasMessage("sample.yaml:2:19: coordinator.initialBackoff: expected a duration such as 500ms, 5s, 2m, 1h30m or PT5S, got \"5 seconds\"")
                .satisfies(failure -> assertLocation(failure, 2, 19, "coordinator.initialBackoff"));
        assertFailure("heartbeatInterval: 5\n")
                .hasMessage("sample.yaml:1:20: heartbeatInterval: expected a duration such as 500ms, 5s, 2m, 1h30m or PT5S, got 5 (a duration needs a unit: 5s or 5ms)");
        assertFailure("heartbeatInterval: {seconds: 5}\n")
                .hasMessage("sample.yaml:1:20: heartbeatInterval: expected a duration such as 500ms, 5s, 2m, 1h30m or PT5S, got a mapping");
        assertFailure("maxMessageSize: 4 megabytes\n")
                .hasMessage("sample.yaml:1:17: maxMessageSize: expected a size such as 512KiB, 4MiB, 160GiB, 1.1TB or a number of bytes, got \"4 megabytes\"");
        assertThat(parse("heartbeatInterval: PT5S\nmaxMessageSize: 1048576\n"))
                .extracting(SampleConfig::heartbeatInterval, SampleConfig::maxMessageSize)
                .containsExactly(Duration.ofSeconds(5), DataSize.ofMebibytes(1));
    }

    @Test
    void invalidYamlNamesTheLine()
    {
        assertFailure("""
                coordinator:
                  address: devvm
                   port: 5
                """)
                .hasMessage("sample.yaml:3:8: invalid YAML: mapping values are not allowed here");
        assertFailure("coordinator:\n\taddress: devvm\n")
                .hasMessageStartingWith("sample.yaml:2:1: invalid YAML: found character '\\t(TAB)' that cannot start any token");
    }

    @Test
    void onlyOneDocumentIsAllowed()
    {
        assertFailure("""
                tls:
                  enabled: true
                ---
                tls:
                  enabled: false
                """)
                .hasMessage("sample.yaml:4:1: only one YAML document is allowed, found a second one");
    }

    @Test
    void loadsAFileAndNamesItInMessages()
            throws IOException
    {
        Path file = directory.resolve("node-agent.yaml");
        Files.writeString(file, "coordinator:\n  port: 7452\n  cordinator: x\n");
        assertThatThrownBy(() -> YamlLoader.load(file, SampleConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":3:3: coordinator.cordinator: unknown key 'cordinator'")
                .asInstanceOf(type(ConfigException.class))
                .satisfies(failure -> {
                    assertThat(failure.file()).contains(file);
                    assertThat(failure.sourceName()).isEqualTo(file.toString());
                });

        Files.writeString(file, "coordinator:\n  port: 7452\n");
        assertThat(YamlLoader.load(file, SampleConfig.class).coordinator().port()).isEqualTo(7452);

        Files.writeString(file, "");
        assertThat(YamlLoader.load(file, SampleConfig.class)).isEqualTo(new SampleConfig(null, null, null, null, null, null, null, null));
    }

    @Test
    void missingOrUnreadableFileIsNamed()
            throws IOException
    {
        Path missing = directory.resolve("absent.yaml");
        assertThatThrownBy(() -> YamlLoader.load(missing, SampleConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": cannot read: file does not exist")
                .asInstanceOf(type(ConfigException.class))
                .satisfies(failure -> assertThat(failure.file()).contains(missing));

        assertThatThrownBy(() -> YamlLoader.load(directory, SampleConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage(directory + ": cannot read: is a directory");

        Path binary = directory.resolve("binary.yaml");
        Files.write(binary, new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n'});
        assertThatThrownBy(() -> YamlLoader.load(binary, SampleConfig.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage(binary + ": cannot read: not a UTF-8 text file");
    }

    @Test
    void configBuiltInCodeReportsRefusedValuesWithTheirKey()
    {
        assertThatThrownBy(() -> new SampleConfig.Coordinator(null, 0, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port: must be between 1 and 65535, got 0");
    }

    private static SampleConfig parse(String yaml)
    {
        return YamlLoader.parse(yaml, "sample.yaml", SampleConfig.class);
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertFailure(String yaml)
    {
        return assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class);
    }

    private static void assertLocation(Throwable failure, int line, int column, String fieldPath)
    {
        ConfigException exception = (ConfigException) failure;
        assertThat(exception.line()).isEqualTo(line);
        assertThat(exception.column()).isEqualTo(column);
        assertThat(exception.fieldPath()).isEqualTo(fieldPath);
        assertThat(exception.file()).isEmpty();
        assertThat(exception.sourceName()).isEqualTo("sample.yaml");
    }
}
