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
    void durationsAreWrittenAsInTheConfiguration()
    {
        Action drain = ActionParameters.build("k8s.node.drain", null, List.of("resource=nvidia.com/gpu", "timeout=90s", "gracePeriodSeconds=30"));
        assertThat(drain.getKubernetesNodeDrain().getTimeout().getSeconds()).isEqualTo(90);
        assertThat(drain.getKubernetesNodeDrain().getGracePeriodSeconds()).isEqualTo(30);
        assertThat(ActionParameters.build("vm.start", null, List.of("vmid=201", "timeout=250ms")).getVmStart().getTimeout().getNanos()).isEqualTo(250_000_000);
        assertThatThrownBy(() -> ActionParameters.build("k8s.node.drain", null, List.of("timeout=soon")))
                .hasMessageStartingWith("--set timeout=soon: ");
    }

    @Test
    void aDurationBeyondWhatProtobufHoldsIsRefused()
    {
        // found by TestActionParametersFuzzing: rackctl built a google.protobuf.Duration beyond its
        // range (10000 years), a message that cannot be written as JSON
        assertThatThrownBy(() -> ActionParameters.build("vm.start", null, List.of("vmid=201", "timeout=999999999d")))
                .hasMessage("--set timeout=999999999d: a duration can be at most 10000 years");
        assertThat(ActionParameters.build("vm.start", null, List.of("vmid=201", "timeout=3652424d")).getVmStart().getTimeout().getSeconds())
                .isEqualTo(3652424L * 86400);
    }

    @Test
    void kubernetesActionsByName()
    {
        Action taint = ActionParameters.build("k8s.node.taint", null, List.of("key=rackpilot.io/test", "value=x", "effect=NoSchedule"));
        assertThat(taint.getKubernetesNodeTaint().getKey()).isEqualTo("rackpilot.io/test");
        assertThat(taint.getKubernetesNodeTaint().getEffect()).isEqualTo("NoSchedule");
        assertThat(ActionParameters.build("k8s.node.cordon", null, List.of()).hasKubernetesNodeCordon()).isTrue();
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
                .hasMessageStartingWith("unknown action 'agent.pong' (actions: agent.ping, inventory.refresh, k8s.node.clear-resource, k8s.node.cordon, k8s.node.drain, ");
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
