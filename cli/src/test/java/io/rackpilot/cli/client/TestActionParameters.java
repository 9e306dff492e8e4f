package io.rackpilot.cli.client;

import io.rackpilot.proto.v1.Action;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestActionParameters
{
    @Test
    void buildsTypedActionsFromSetAndJson()
    {
        Action fromSet = ActionParameters.build("agent.ping", null, List.of("message=hello world"));
        assertThat(fromSet.getPing().getMessage()).isEqualTo("hello world");

        Action fromJson = ActionParameters.build("agent.ping", "{\"message\": \"hi\"}", List.of());
        assertThat(fromJson.getPing().getMessage()).isEqualTo("hi");

        Action setWins = ActionParameters.build("agent.ping", "{\"message\": \"hi\"}", List.of("message=there"));
        assertThat(setWins.getPing().getMessage()).isEqualTo("there");

        Action empty = ActionParameters.build("inventory.refresh", null, List.of());
        assertThat(empty.hasInventoryRefresh()).isTrue();
    }

    @Test
    void valuesMayContainEqualsSigns()
    {
        assertThat(ActionParameters.build("agent.ping", null, List.of("message=a=b")).getPing().getMessage()).isEqualTo("a=b");
    }

    @Test
    void everyMistakeNamesTheFieldOrAction()
    {
        assertThatThrownBy(() -> ActionParameters.build("agent.pong", null, List.of()))
                .hasMessageStartingWith("unknown action 'agent.pong' (actions: agent.ping, inventory.refresh, nfs.exports.apply, ");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", null, List.of("mesage=x")))
                .hasMessage("--set mesage=x: agent.ping has no field 'mesage' (fields: message)");
        assertThatThrownBy(() -> ActionParameters.build("inventory.refresh", null, List.of("all=true")))
                .hasMessage("--set all=true: inventory.refresh has no field 'all' (it takes no parameters)");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", null, List.of("message")))
                .hasMessage("--set message: expected key=value");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "{\"message\": ", List.of()))
                .hasMessageStartingWith("--json for agent.ping: ");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "{\"nope\": 1}", List.of()))
                .hasMessageStartingWith("--json for agent.ping: ").hasMessageContaining("nope");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", null, List.of("message.deeper=x")))
                .hasMessageContaining("'message' is not a nested message");
    }
}
