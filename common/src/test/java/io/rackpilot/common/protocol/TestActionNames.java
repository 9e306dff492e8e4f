package io.rackpilot.common.protocol;

import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.PingAction;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestActionNames
{
    @Test
    void namesComeFromTheSchema()
    {
        assertThat(ActionNames.of(Action.newBuilder().setPing(PingAction.getDefaultInstance()).build())).isEqualTo("agent.ping");
        assertThat(ActionNames.of(Action.KindCase.INVENTORY_REFRESH)).isEqualTo("inventory.refresh");
        assertThat(ActionNames.of(Action.getDefaultInstance())).isEqualTo("unset");
        assertThat(ActionNames.all()).contains("agent.ping", "inventory.refresh", "nfs.exports.apply", "vm.shutdown");
        assertThat(ActionNames.field("agent.ping")).hasValueSatisfying(field -> assertThat(field.getName()).isEqualTo("ping"));
        assertThat(ActionNames.field("agent.pong")).isEmpty();
    }

    @Test
    void everyActionHasAResultOfTheSameNumber()
    {
        for (com.google.protobuf.Descriptors.FieldDescriptor field : Action.getDescriptor().getFields()) {
            com.google.protobuf.Descriptors.FieldDescriptor result = io.rackpilot.proto.v1.ActionResult.getDescriptor().findFieldByNumber(field.getNumber());
            assertThat(result).as("ActionResult field for %s", field.getName()).isNotNull();
            assertThat(result.getName()).isEqualTo(field.getName());
        }
    }
}
