package io.rackpilot.common.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionTarget;
import io.rackpilot.proto.v1.OptionsProto;
import io.rackpilot.proto.v1.Role;

import static java.util.Objects.requireNonNull;

/**
 * Which agents may receive an action, as declared in the schema by the {@code action_target} option
 * on each field of {@code Action.kind}: host actions go to host-agents, node actions to node-agents.
 * The role to compare is the one in the agent's certificate.
 */
public final class ActionTargets
{
    private ActionTargets() {}

    public static ActionTarget of(Action.KindCase kind)
    {
        requireNonNull(kind, "kind is null");
        if (kind == Action.KindCase.KIND_NOT_SET) {
            return ActionTarget.ACTION_TARGET_UNSPECIFIED;
        }
        FieldDescriptor field = Action.getDescriptor().findFieldByNumber(kind.getNumber());
        return field.getOptions().getExtension(OptionsProto.actionTarget);
    }

    /**
     * True when an agent whose certificate has {@code role} may receive an action of this kind. An
     * action whose target is not declared goes to no agent.
     */
    public static boolean allows(Action.KindCase kind, Role role)
    {
        requireNonNull(role, "role is null");
        return switch (of(kind)) {
            case ACTION_TARGET_ANY_AGENT -> role == Role.ROLE_HOST || role == Role.ROLE_NODE;
            case ACTION_TARGET_HOST -> role == Role.ROLE_HOST;
            case ACTION_TARGET_NODE -> role == Role.ROLE_NODE;
            case ACTION_TARGET_UNSPECIFIED, UNRECOGNIZED -> false;
        };
    }

    /**
     * "a host action", "a node action", "an action for any agent": for messages.
     */
    public static String describe(Action.KindCase kind)
    {
        return switch (of(kind)) {
            case ACTION_TARGET_ANY_AGENT -> "an action for any agent";
            case ACTION_TARGET_HOST -> "a host action";
            case ACTION_TARGET_NODE -> "a node action";
            case ACTION_TARGET_UNSPECIFIED, UNRECOGNIZED -> "an action no agent may receive (its target is not declared)";
        };
    }
}
