package io.rackpilot.cli.client;

import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.AgentInfo;
import io.rackpilot.proto.v1.AgentState;
import io.rackpilot.proto.v1.Inventory;
import io.rackpilot.proto.v1.Role;
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
                .hasMessageStartingWith("--set timeout: ");
    }

    @Test
    void aDurationBeyondWhatProtobufHoldsIsRefused()
    {
        // found by TestActionParametersFuzzing: rackctl built a google.protobuf.Duration beyond its
        // range (10000 years), a message that cannot be written as JSON
        assertThatThrownBy(() -> ActionParameters.build("vm.start", null, List.of("vmid=201", "timeout=999999999d")))
                .hasMessage("--set timeout: '999999999d' is longer than 10000 years, the most a duration can be");
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
                .hasMessage("--set mesage: agent.ping has no field 'mesage' (fields: message)");
        assertThatThrownBy(() -> ActionParameters.build("inventory.refresh", null, List.of("all=true")))
                .hasMessage("--set all: inventory.refresh has no field 'all' (it takes no parameters)");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", null, List.of("message")))
                .hasMessage("--set message: expected KEY=VALUE, e.g. --set vmid=201");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "{\"nope\": 1}", List.of()))
                .hasMessage("--json nope: agent.ping has no field 'nope' (fields: message)");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", null, List.of("message.deeper=x")))
                .hasMessage("--set message.deeper: 'message' is not a nested message; use --json for lists of messages");
    }

    @Test
    void wholeNumbersSayTheirRange()
    {
        assertThatThrownBy(() -> ActionParameters.build("vm.start", null, List.of("vmid=abc")))
                .hasMessage("--set vmid: 'abc' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.build("vm.start", null, List.of("vmid=-1")))
                .hasMessage("--set vmid: '-1' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.build("vm.start", null, List.of("vmid=4294967296")))
                .hasMessage("--set vmid: '4294967296' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.build("vm.start", null, List.of("vmid=201.5")))
                .hasMessage("--set vmid: '201.5' is not a whole number (0 to 4294967295)");
        assertThat(ActionParameters.build("vm.start", null, List.of("vmid=4294967295")).getVmStart().getVmid()).isEqualTo(-1);
        assertThat(ActionParameters.build("pci.passthrough.attach", null, List.of("vmid=201", "slot=2")).getPciPassthroughAttach().getSlot()).isEqualTo(2);

        assertThatThrownBy(() -> ActionParameters.build("k8s.node.drain", null, List.of("gracePeriodSeconds=soon")))
                .hasMessage("--set gracePeriodSeconds: 'soon' is not a whole number (-9223372036854775808 to 9223372036854775807)");
        assertThatThrownBy(() -> ActionParameters.build("k8s.node.drain", null, List.of("grace_period_seconds=9223372036854775808")))
                .hasMessage("--set grace_period_seconds: '9223372036854775808' is not a whole number (-9223372036854775808 to 9223372036854775807)");
        assertThat(ActionParameters.build("k8s.node.drain", null, List.of("gracePeriodSeconds=-1")).getKubernetesNodeDrain().getGracePeriodSeconds()).isEqualTo(-1);

        assertThatThrownBy(() -> ActionParameters.build("vm.start", "{\"vmid\": \"abc\"}", List.of()))
                .hasMessage("--json vmid: 'abc' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.build("vm.start", "{\"vmid\": 201.5}", List.of()))
                .hasMessage("--json vmid: '201.5' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.build("vm.start", "{\"vmid\": 99999999999}", List.of()))
                .hasMessage("--json vmid: '99999999999' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.build("vm.start", "{\"vmid\": true}", List.of()))
                .hasMessage("--json vmid: expected a whole number (0 to 4294967295), got true");
        assertThat(ActionParameters.build("vm.start", "{\"vmid\": 201}", List.of()).getVmStart().getVmid()).isEqualTo(201);
        assertThat(ActionParameters.build("vm.start", "{\"vmid\": \"202\"}", List.of()).getVmStart().getVmid()).isEqualTo(202);
        assertThat(ActionParameters.build("vm.start", "{\"vmid\": 203.0}", List.of()).getVmStart().getVmid()).isEqualTo(203);
    }

    @Test
    void booleansAreTrueOrFalse()
    {
        assertThatThrownBy(() -> ActionParameters.build("vm.shutdown", null, List.of("vmid=201", "forceStop=yes")))
                .hasMessage("--set forceStop: 'yes' is not true or false");
        assertThatThrownBy(() -> ActionParameters.build("vm.shutdown", "{\"forceStop\": 1}", List.of()))
                .hasMessage("--json forceStop: expected true or false, got 1");
        assertThat(ActionParameters.build("vm.shutdown", null, List.of("force_stop=TRUE")).getVmShutdown().getForceStop()).isTrue();
        assertThat(ActionParameters.build("vm.shutdown", "{\"forceStop\": true}", List.of()).getVmShutdown().getForceStop()).isTrue();
        assertThat(ActionParameters.build("pci.passthrough.attach", null, List.of("rombar=false")).getPciPassthroughAttach().hasRombar()).isTrue();
    }

    @Test
    void durationsAreRefusedWithTheFormsTheyTake()
    {
        assertThatThrownBy(() -> ActionParameters.build("vm.stop", null, List.of("timeout=soon")))
                .hasMessage("--set timeout: expected a duration such as 500ms, 5s, 2m, 1h30m or PT5S, got \"soon\"");
        assertThatThrownBy(() -> ActionParameters.build("vm.stop", null, List.of("timeout=90")))
                .hasMessageStartingWith("--set timeout: expected a duration").hasMessageContaining("a duration needs a unit: 90s or 90ms");
        assertThatThrownBy(() -> ActionParameters.build("vm.stop", "{\"timeout\": \"soon\"}", List.of()))
                .hasMessage("--json timeout: expected a duration such as 500ms, 5s, 2m, 1h30m or PT5S, got \"soon\"");
        assertThatThrownBy(() -> ActionParameters.build("vm.stop", "{\"timeout\": -5}", List.of()))
                .hasMessage("--json timeout: '-5' is negative; a duration is at least 0s");
        assertThatThrownBy(() -> ActionParameters.build("vm.stop", "{\"timeout\": {\"seconds\": 5}}", List.of()))
                .hasMessage("--json timeout: expected a duration such as \"90s\", got an object");
        assertThatThrownBy(() -> ActionParameters.build("vm.stop", null, List.of("timeout.seconds=5")))
                .hasMessage("--set timeout.seconds: 'timeout' is not a nested message; use --json for lists of messages");

        // as rackctl -o json prints them (seconds), as the configuration writes them, and as protobuf's JSON does
        assertThat(ActionParameters.build("vm.stop", "{\"timeout\": 1.5}", List.of()).getVmStop().getTimeout().getNanos()).isEqualTo(500_000_000);
        assertThat(ActionParameters.build("vm.stop", "{\"timeout\": \"2m\"}", List.of()).getVmStop().getTimeout().getSeconds()).isEqualTo(120);
        assertThat(ActionParameters.build("vm.stop", "{\"timeout\": \"2.25s\"}", List.of()).getVmStop().getTimeout().getNanos()).isEqualTo(250_000_000);
        assertThat(ActionParameters.build("vm.stop", null, List.of("timeout=2.25s")).getVmStop().getTimeout().getSeconds()).isEqualTo(2);
    }

    @Test
    void enumsListTheirWords()
    {
        AgentInfo.Builder agent = AgentInfo.newBuilder();
        ActionParameters.merge("agent", agent, "{\"role\": \"host\"}", List.of("state=LOST"));
        assertThat(agent.getRole()).isEqualTo(Role.ROLE_HOST);
        assertThat(agent.getState()).isEqualTo(AgentState.AGENT_STATE_LOST);

        assertThatThrownBy(() -> ActionParameters.merge("agent", AgentInfo.newBuilder(), null, List.of("role=vm")))
                .hasMessage("--set role: 'vm' is not one of host, node");
        assertThatThrownBy(() -> ActionParameters.merge("agent", AgentInfo.newBuilder(), "{\"role\": 1}", List.of()))
                .hasMessage("--json role: expected one of host, node, got 1");
    }

    @Test
    void nestedFieldsAreNamedByTheirPath()
    {
        Inventory.Builder inventory = Inventory.newBuilder();
        ActionParameters.merge("inventory", inventory, "{\"cpu\": {\"sockets\": 2}}", List.of("memory.totalBytes=18446744073709551615", "system.hostname=pve"));
        assertThat(inventory.getCpu().getSockets()).isEqualTo(2);
        assertThat(inventory.getMemory().getTotalBytes()).isEqualTo(-1L);
        assertThat(inventory.getSystem().getHostname()).isEqualTo("pve");

        assertThatThrownBy(() -> ActionParameters.merge("inventory", Inventory.newBuilder(), null, List.of("cpu.sockets=two")))
                .hasMessage("--set cpu.sockets: 'two' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.merge("inventory", Inventory.newBuilder(), null, List.of("memory.totalBytes=-1")))
                .hasMessage("--set memory.totalBytes: '-1' is not a whole number (0 to 18446744073709551615)");
        assertThatThrownBy(() -> ActionParameters.merge("inventory", Inventory.newBuilder(), null, List.of("cpu.cores=2")))
                .hasMessage("--set cpu.cores: cpu has no field 'cores' (fields: model, vendor, sockets, physicalCores, logicalCores, maxFrequencyHertz)");
        assertThatThrownBy(() -> ActionParameters.merge("inventory", Inventory.newBuilder(), null, List.of("cpu=2")))
                .hasMessage("--set cpu: 'cpu' is a message; set its fields with cpu.FIELD=VALUE or use --json");
        assertThatThrownBy(() -> ActionParameters.merge("inventory", Inventory.newBuilder(), "{\"cpu\": {\"sockets\": \"two\"}}", List.of()))
                .hasMessage("--json cpu.sockets: 'two' is not a whole number (0 to 4294967295)");
        assertThatThrownBy(() -> ActionParameters.merge("inventory", Inventory.newBuilder(), "{\"cpu\": 2}", List.of()))
                .hasMessage("--json cpu: expected an object {...}, got 2");

        String exports = "{\"exports\": [{\"path\": \"/srv/nfs\", \"clients\": [{\"spec\": \"10.0.20.0/24\", \"options\": [\"rw\", \"sync\"]}]}]}";
        Action apply = ActionParameters.build("nfs.exports.apply", exports, List.of());
        assertThat(apply.getNfsExportsApply().getExports(0).getClients(0).getOptionsList()).containsExactly("rw", "sync");
        assertThatThrownBy(() -> ActionParameters.build("nfs.exports.apply", "{\"exports\": [{\"path\": \"/srv/nfs\", \"clients\": [{\"spec\": \"*\", \"option\": [\"rw\"]}]}]}", List.of()))
                .hasMessage("--json exports[0].clients[0].option: exports[0].clients[0] has no field 'option' (fields: spec, options)");
        assertThatThrownBy(() -> ActionParameters.build("nfs.exports.apply", "{\"exports\": [{\"path\": \"/srv/nfs\", \"clients\": [{\"spec\": \"*\", \"options\": \"rw\"}]}]}", List.of()))
                .hasMessage("--json exports[0].clients[0].options: expected a list [...] of text in quotes, got \"rw\"");
        assertThatThrownBy(() -> ActionParameters.build("nfs.exports.apply", "{\"exports\": [{\"path\": 5}]}", List.of()))
                .hasMessage("--json exports[0].path: expected text in quotes, got 5");
        assertThatThrownBy(() -> ActionParameters.build("nfs.exports.apply", "{\"exports\": [null]}", List.of()))
                .hasMessage("--json exports[0]: expected an object {...}, got null");
        assertThatThrownBy(() -> ActionParameters.build("nfs.exports.apply", null, List.of("exports.path=/srv")))
                .hasMessage("--set exports.path: 'exports' is not a nested message; use --json for lists of messages");
    }

    @Test
    void repeatedFieldsTakeSeveralSets()
    {
        Action restart = ActionParameters.build("k8s.node.restart-pods", "{\"labelSelectors\": [\"app=a\"]}", List.of("labelSelectors=app=b", "labelSelectors=app=c"));
        assertThat(restart.getKubernetesNodeRestartPods().getLabelSelectorsList()).containsExactly("app=a", "app=b", "app=c");
    }

    @Test
    void malformedJsonIsNamedAsSuch()
    {
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "{\"message\": ", List.of()))
                .hasMessageStartingWith("--json: not valid JSON at line 1, column ")
                .hasMessageNotContaining("Source")
                .hasMessageNotContaining("protobuf");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "{\"message\": \"a\", \"message\": \"b\"}", List.of()))
                .hasMessageStartingWith("--json: not valid JSON at line 1, column ")
                .hasMessageContaining("message");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "[1]", List.of()))
                .hasMessage("--json: expected an object such as '{\"vmid\": 201}', got [1]");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "", List.of()))
                .hasMessage("--json: empty; expected an object such as '{\"vmid\": 201}'");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "{} {}", List.of()))
                .hasMessage("--json: not valid JSON at line 1, column 4: more than one value; give one object");
        assertThatThrownBy(() -> ActionParameters.build("agent.ping", "{message: 1}", List.of()))
                .hasMessage("--json: not valid JSON at line 1, column 2: Unexpected character ('m'): was expecting double-quote to start field name");
        assertThat(ActionParameters.build("agent.ping", "{\"message\": null}", List.of()).getPing().getMessage()).isEmpty();
    }
}
