package io.rackpilot.common.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionTarget;
import io.rackpilot.proto.v1.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestActionTargets
{
    @Test
    void everyActionDeclaresWhichAgentsReceiveIt()
    {
        for (FieldDescriptor field : Action.getDescriptor().getRealOneofs().get(0).getFields()) {
            Action.KindCase kind = Action.KindCase.forNumber(field.getNumber());
            assertThat(ActionTargets.of(kind)).as("action_target of %s", ActionNames.of(field)).isNotEqualTo(ActionTarget.ACTION_TARGET_UNSPECIFIED);
        }
    }

    @Test
    void hostActionsGoToHostsAndNodeActionsToNodes()
    {
        assertThat(ActionTargets.allows(Action.KindCase.VM_SHUTDOWN, Role.ROLE_HOST)).isTrue();
        assertThat(ActionTargets.allows(Action.KindCase.VM_SHUTDOWN, Role.ROLE_NODE)).isFalse();
        assertThat(ActionTargets.allows(Action.KindCase.PCI_DRIVER_BIND, Role.ROLE_NODE)).isFalse();
        assertThat(ActionTargets.allows(Action.KindCase.NFS_EXPORTS_APPLY, Role.ROLE_NODE)).isFalse();
        assertThat(ActionTargets.allows(Action.KindCase.KUBERNETES_NODE_DRAIN, Role.ROLE_NODE)).isTrue();
        assertThat(ActionTargets.allows(Action.KindCase.KUBERNETES_NODE_DRAIN, Role.ROLE_HOST)).isFalse();
        assertThat(ActionTargets.allows(Action.KindCase.PING, Role.ROLE_HOST)).isTrue();
        assertThat(ActionTargets.allows(Action.KindCase.INVENTORY_REFRESH, Role.ROLE_NODE)).isTrue();
        assertThat(ActionTargets.allows(Action.KindCase.PING, Role.ROLE_UNSPECIFIED)).isFalse();
        assertThat(ActionTargets.allows(Action.KindCase.KIND_NOT_SET, Role.ROLE_HOST)).isFalse();
        assertThat(ActionTargets.describe(Action.KindCase.VM_SHUTDOWN)).isEqualTo("a host action");
    }
}
