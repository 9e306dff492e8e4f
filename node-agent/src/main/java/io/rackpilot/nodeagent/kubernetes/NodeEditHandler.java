package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.KubernetesLabelAction;
import io.rackpilot.proto.v1.KubernetesNodeResult;
import io.rackpilot.proto.v1.KubernetesTaintAction;
import io.rackpilot.proto.v1.KubernetesUntaintAction;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The k8s.node.* edits of the agent's own Node: taint, untaint, label, unlabel, cordon and uncordon.
 * Each validates its parameters (Kubernetes' syntax, the allowed key prefixes) before any call,
 * reads the Node to say what would change, and applies the change with {@link NodeEditor}
 * (resourceVersion, retried on 409). A change already in place is not sent.
 */
public final class NodeEditHandler
        implements ActionHandler
{
    @FunctionalInterface
    interface ChangeParser
    {
        NodeChange parse(Action action)
                throws ActionException;
    }

    private final Action.KindCase kind;
    private final OwnNode ownNode;
    private final ChangeParser parser;

    NodeEditHandler(Action.KindCase kind, OwnNode ownNode, ChangeParser parser)
    {
        this.kind = requireNonNull(kind, "kind is null");
        this.ownNode = requireNonNull(ownNode, "ownNode is null");
        this.parser = requireNonNull(parser, "parser is null");
    }

    public static List<ActionHandler> all(OwnNode ownNode, KeyGuard guard)
    {
        requireNonNull(guard, "guard is null");
        return List.of(
                new NodeEditHandler(Action.KindCase.KUBERNETES_NODE_TAINT, ownNode, action -> taint(guard, action.getKubernetesNodeTaint())),
                new NodeEditHandler(Action.KindCase.KUBERNETES_NODE_UNTAINT, ownNode, action -> untaint(guard, action.getKubernetesNodeUntaint())),
                new NodeEditHandler(Action.KindCase.KUBERNETES_NODE_LABEL, ownNode, action -> label(guard, action.getKubernetesNodeLabel())),
                new NodeEditHandler(Action.KindCase.KUBERNETES_NODE_UNLABEL, ownNode, action -> {
                    guard.checkKey("key", action.getKubernetesNodeUnlabel().getKey());
                    return new NodeChange.RemoveLabel(action.getKubernetesNodeUnlabel().getKey());
                }),
                new NodeEditHandler(Action.KindCase.KUBERNETES_NODE_CORDON, ownNode, action -> new NodeChange.SetUnschedulable(true)),
                new NodeEditHandler(Action.KindCase.KUBERNETES_NODE_UNCORDON, ownNode, action -> new NodeChange.SetUnschedulable(false)));
    }

    private static NodeChange taint(KeyGuard guard, KubernetesTaintAction taint)
            throws ActionException
    {
        guard.checkKey("key", taint.getKey());
        KeyGuard.checkValue("value", taint.getValue());
        KeyGuard.checkEffect("effect", taint.getEffect());
        return new NodeChange.SetTaint(new NodeState.Taint(taint.getKey(), taint.getValue(), taint.getEffect()));
    }

    private static NodeChange untaint(KeyGuard guard, KubernetesUntaintAction untaint)
            throws ActionException
    {
        guard.checkKey("key", untaint.getKey());
        if (!untaint.getEffect().isEmpty()) {
            KeyGuard.checkEffect("effect", untaint.getEffect());
        }
        return new NodeChange.RemoveTaints(untaint.getKey(), Optional.of(untaint.getEffect()).filter(effect -> !effect.isEmpty()));
    }

    private static NodeChange label(KeyGuard guard, KubernetesLabelAction label)
            throws ActionException
    {
        guard.checkKey("key", label.getKey());
        KeyGuard.checkValue("value", label.getValue());
        return new NodeChange.SetLabel(label.getKey(), label.getValue());
    }

    @Override
    public Action.KindCase kind()
    {
        return kind;
    }

    @Override
    public PreparedAction prepare(Action action)
            throws ActionException
    {
        NodeChange change = parser.parse(action);
        String nodeName = ownNode.requireName();
        NodeEditor editor = new NodeEditor(ownNode.requireApi());
        NodeState before;
        try {
            before = editor.current(nodeName);
        }
        catch (KubernetesApiException e) {
            throw ActionException.failed(e.getMessage(), e);
        }
        NodeState after = change.applyTo(before);
        boolean inPlace = after.equals(before);
        String summary = inPlace
                ? "Node " + nodeName + " is already as asked (" + change.describe() + ")"
                : "would " + change.describe() + " on Node " + nodeName;
        ActionResult preview = result(after.toResult(nodeName));
        return PreparedAction.of(summary, inPlace, preview, () -> {
            NodeEditor.Edited edited;
            try {
                edited = editor.edit(nodeName, change);
            }
            catch (KubernetesApiException e) {
                throw ActionException.failed(e.getMessage(), e);
            }
            String message = edited.changed()
                    ? change.describe() + " on Node " + nodeName + (edited.attempts() > 1 ? " (after " + (edited.attempts() - 1) + " conflicting edits)" : "")
                    : "Node " + nodeName + " is already as asked (" + change.describe() + ")";
            return new PreparedAction.Applied(edited.changed(), message, result(edited.after().toResult(nodeName)));
        });
    }

    private ActionResult result(KubernetesNodeResult node)
    {
        // ActionResult's fields carry the numbers of Action's: the result goes in the same slot.
        return ActionResult.newBuilder()
                .setField(ActionResult.getDescriptor().findFieldByNumber(kind.getNumber()), node)
                .build();
    }
}
