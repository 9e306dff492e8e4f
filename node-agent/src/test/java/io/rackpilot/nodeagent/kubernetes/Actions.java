package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.agent.command.ActionException;
import io.rackpilot.agent.command.ActionHandler;
import io.rackpilot.agent.command.PreparedAction;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.ActionResult;
import io.rackpilot.proto.v1.KubernetesCordonAction;
import io.rackpilot.proto.v1.KubernetesLabelAction;
import io.rackpilot.proto.v1.KubernetesTaintAction;
import io.rackpilot.proto.v1.KubernetesUncordonAction;
import io.rackpilot.proto.v1.KubernetesUnlabelAction;
import io.rackpilot.proto.v1.KubernetesUntaintAction;

import java.util.List;

/**
 * Runs an action through a handler the way the agent's command executor does (prepare, then apply
 * unless already in place), and builds the k8s.node.* actions.
 */
final class Actions
{
    private Actions() {}

    record Ran(boolean changed, String message, ActionResult result) {}

    static Ran run(List<ActionHandler> handlers, Action action)
            throws ActionException, InterruptedException
    {
        ActionHandler handler = handlers.stream().filter(candidate -> candidate.kind() == action.getKindCase()).findFirst().orElseThrow();
        PreparedAction prepared = handler.prepare(action);
        if (prepared.alreadyInPlace()) {
            return new Ran(false, prepared.summary(), prepared.preview());
        }
        PreparedAction.Applied applied = prepared.apply();
        return new Ran(applied.changed(), applied.message(), applied.result());
    }

    static Action taint(String key, String value, String effect)
    {
        return Action.newBuilder().setKubernetesNodeTaint(KubernetesTaintAction.newBuilder().setKey(key).setValue(value).setEffect(effect)).build();
    }

    static Action untaint(String key, String effect)
    {
        return Action.newBuilder().setKubernetesNodeUntaint(KubernetesUntaintAction.newBuilder().setKey(key).setEffect(effect)).build();
    }

    static Action label(String key, String value)
    {
        return Action.newBuilder().setKubernetesNodeLabel(KubernetesLabelAction.newBuilder().setKey(key).setValue(value)).build();
    }

    static Action unlabel(String key)
    {
        return Action.newBuilder().setKubernetesNodeUnlabel(KubernetesUnlabelAction.newBuilder().setKey(key)).build();
    }

    static Action cordon()
    {
        return Action.newBuilder().setKubernetesNodeCordon(KubernetesCordonAction.getDefaultInstance()).build();
    }

    static Action uncordon()
    {
        return Action.newBuilder().setKubernetesNodeUncordon(KubernetesUncordonAction.getDefaultInstance()).build();
    }
}
