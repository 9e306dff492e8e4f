package io.rackpilot.common.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.OptionsProto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The operator-facing names of actions ("agent.ping"), as declared in the schema by the
 * {@code action_name} option on each field of {@code Action.kind}.
 */
public final class ActionNames
{
    private ActionNames() {}

    public static String of(Action action)
    {
        return of(action.getKindCase());
    }

    public static String of(Action.KindCase kind)
    {
        if (kind == Action.KindCase.KIND_NOT_SET) {
            return "unset";
        }
        return of(Action.getDescriptor().findFieldByNumber(kind.getNumber()));
    }

    public static String of(FieldDescriptor field)
    {
        String name = field.getOptions().getExtension(OptionsProto.actionName);
        return name.isEmpty() ? field.getName() : name;
    }

    /**
     * The field of {@code Action.kind} an operator-facing name stands for.
     */
    public static Optional<FieldDescriptor> field(String actionName)
    {
        for (FieldDescriptor field : Action.getDescriptor().getRealOneofs().get(0).getFields()) {
            if (of(field).equals(actionName)) {
                return Optional.of(field);
            }
        }
        return Optional.empty();
    }

    public static List<String> all()
    {
        List<String> names = new ArrayList<>();
        for (FieldDescriptor field : Action.getDescriptor().getRealOneofs().get(0).getFields()) {
            names.add(of(field));
        }
        Collections.sort(names);
        return List.copyOf(names);
    }
}
