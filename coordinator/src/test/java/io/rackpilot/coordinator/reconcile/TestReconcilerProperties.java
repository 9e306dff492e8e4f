package io.rackpilot.coordinator.reconcile;

import io.rackpilot.coordinator.observed.ObservedAgent;
import io.rackpilot.coordinator.observed.ObservedHomelab;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.Taint;
import io.rackpilot.proto.v1.Action;
import io.rackpilot.proto.v1.KubernetesNodeInfo;
import io.rackpilot.proto.v1.KubernetesTaint;
import io.rackpilot.proto.v1.NvmlStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static io.rackpilot.coordinator.reconcile.Homelabs.GPU_ID;
import static io.rackpilot.coordinator.reconcile.Homelabs.LABEL_KEY;
import static io.rackpilot.coordinator.reconcile.Homelabs.NODE_AGENTS;
import static io.rackpilot.coordinator.reconcile.Homelabs.TAINT_EFFECT;
import static io.rackpilot.coordinator.reconcile.Homelabs.TAINT_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciler over random observations of the seed homelab: GPUs reported anywhere, taints and
 * labels in any state, agents connected or lost, NVML in any state, reports fresh or stale.
 */
class TestReconcilerProperties
{
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofMinutes(2);
    private static final HomelabPlan PLAN = Homelabs.seedPlan();
    private static final Reconciler ENFORCING = new Reconciler(ReconcileMode.parse(Map.of(), "reconcile.mode"), STALE_AFTER);

    enum TaintState
    {
        ABSENT, EXACT, WRONG_VALUE, OTHER_EFFECT, EXACT_AND_OTHER_EFFECT
    }

    enum LabelState
    {
        ABSENT, RIGHT, WRONG_VALUE
    }

    /**
     * One node-agent as generated.
     *
     * @param age how old its report is; empty for a report without a collection time
     */
    record NodeSpec(
            boolean connected,
            boolean reported,
            NvmlStatus.State nvml,
            int gpus,
            Optional<Duration> age,
            KubernetesNodeInfo.State kubernetes,
            TaintState taint,
            LabelState label,
            boolean unrelatedLabel)
    {
        boolean positiveFreshReport()
        {
            boolean positive = nvml == NvmlStatus.State.STATE_AVAILABLE || nvml == NvmlStatus.State.STATE_SIMULATED || nvml == NvmlStatus.State.STATE_ABSENT;
            boolean fresh = age.map(value -> value.compareTo(STALE_AFTER) <= 0).orElse(false);
            return connected && reported && positive && fresh && kubernetes == KubernetesNodeInfo.State.STATE_FOUND;
        }

        int reportedGpus()
        {
            return nvml == NvmlStatus.State.STATE_ABSENT ? 0 : gpus;
        }

        boolean untrusted()
        {
            return !connected || !reported || nvml == NvmlStatus.State.STATE_ERROR || nvml == NvmlStatus.State.STATE_UNSPECIFIED
                    || age.map(value -> value.compareTo(STALE_AFTER) > 0).orElse(true);
        }
    }

    record Scenario(List<NodeSpec> nodes, int cardVmid, Optional<Integer> settled, Map<String, String> modes)
    {
    }

    /** Taints and labels of each agent's Node, as the actions change them. */
    record NodeObjects(Map<String, List<KubernetesTaint>> taints, Map<String, Map<String, String>> labels)
    {
    }

    @Provide
    Arbitrary<NodeSpec> nodeSpecs()
    {
        return Builders.withBuilder(() -> new Object[9])
                .use(Arbitraries.of(true, true, true, false)).in((values, value) -> set(values, 0, value))
                .use(Arbitraries.of(true, true, true, true, false)).in((values, value) -> set(values, 1, value))
                .use(Arbitraries.of(NvmlStatus.State.STATE_UNSPECIFIED, NvmlStatus.State.STATE_AVAILABLE, NvmlStatus.State.STATE_ABSENT,
                        NvmlStatus.State.STATE_ERROR, NvmlStatus.State.STATE_SIMULATED)).in((values, value) -> set(values, 2, value))
                .use(Arbitraries.integers().between(0, 2)).in((values, value) -> set(values, 3, value))
                .use(Arbitraries.of(Optional.of(Duration.ZERO), Optional.of(Duration.ofSeconds(30)), Optional.of(STALE_AFTER), Optional.of(STALE_AFTER.plusMillis(1)),
                        Optional.of(Duration.ofHours(3)), Optional.<Duration>empty())).in((values, value) -> set(values, 4, value))
                .use(Arbitraries.of(KubernetesNodeInfo.State.STATE_FOUND, KubernetesNodeInfo.State.STATE_FOUND, KubernetesNodeInfo.State.STATE_FOUND,
                        KubernetesNodeInfo.State.STATE_NOT_FOUND, KubernetesNodeInfo.State.STATE_UNREACHABLE)).in((values, value) -> set(values, 5, value))
                .use(Arbitraries.of(TaintState.class)).in((values, value) -> set(values, 6, value))
                .use(Arbitraries.of(LabelState.class)).in((values, value) -> set(values, 7, value))
                .use(Arbitraries.of(true, false)).in((values, value) -> set(values, 8, value))
                .build(values -> new NodeSpec((Boolean) values[0], (Boolean) values[1], (NvmlStatus.State) values[2], (Integer) values[3],
                        castAge(values[4]), (KubernetesNodeInfo.State) values[5], (TaintState) values[6], (LabelState) values[7], (Boolean) values[8]));
    }

    @SuppressWarnings("unchecked")
    private static Optional<Duration> castAge(Object value)
    {
        return (Optional<Duration>) value;
    }

    private static Object[] set(Object[] values, int index, Object value)
    {
        values[index] = value;
        return values;
    }

    @Provide
    Arbitrary<Scenario> scenarios()
    {
        Arbitrary<String> mode = Arbitraries.of("enforce", "observe");
        Arbitrary<Map<String, String>> modes = net.jqwik.api.Combinators.combine(mode, mode, mode)
                .as((nfs, policy, assignment) -> Map.of("nfs-export", nfs, "gpu-node-policy", policy, "gpu-assignment", assignment));
        return net.jqwik.api.Combinators.combine(
                        nodeSpecs().list().ofSize(NODE_AGENTS.size()),
                        Arbitraries.of(0, 200, 201, 202, 203, 204, 220),
                        Arbitraries.of(Optional.<Integer>empty(), Optional.of(201), Optional.of(202), Optional.of(0)),
                        modes)
                .as(Scenario::new);
    }

    @Provide
    Arbitrary<Scenario> enforcedScenarios()
    {
        return scenarios().map(scenario -> new Scenario(scenario.nodes(), scenario.cardVmid(), scenario.settled(), Map.of()));
    }

    private static NodeObjects initialObjects(Scenario scenario)
    {
        Map<String, List<KubernetesTaint>> taints = new LinkedHashMap<>();
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        for (int index = 0; index < NODE_AGENTS.size(); index++) {
            NodeSpec node = scenario.nodes().get(index);
            List<KubernetesTaint> nodeTaints = new ArrayList<>();
            KubernetesTaint exact = Homelabs.policyTaint();
            KubernetesTaint otherEffect = exact.toBuilder().setEffect("NoSchedule").build();
            switch (node.taint()) {
                case ABSENT -> { }
                case EXACT -> nodeTaints.add(exact);
                case WRONG_VALUE -> nodeTaints.add(exact.toBuilder().setValue("false").build());
                case OTHER_EFFECT -> nodeTaints.add(otherEffect);
                case EXACT_AND_OTHER_EFFECT -> {
                    nodeTaints.add(otherEffect);
                    nodeTaints.add(exact);
                }
            }
            Map<String, String> nodeLabels = new TreeMap<>();
            switch (node.label()) {
                case ABSENT -> { }
                case RIGHT -> nodeLabels.put(LABEL_KEY, "true");
                case WRONG_VALUE -> nodeLabels.put(LABEL_KEY, "");
            }
            if (node.unrelatedLabel()) {
                nodeLabels.put("kubernetes.io/os", "linux");
            }
            taints.put(NODE_AGENTS.get(index), nodeTaints);
            labels.put(NODE_AGENTS.get(index), nodeLabels);
        }
        return new NodeObjects(taints, labels);
    }

    private static ObservedHomelab observe(Scenario scenario, NodeObjects objects)
    {
        Homelabs homelab = new Homelabs(PLAN, NOW).placeCardInProxmox(scenario.cardVmid());
        scenario.settled().ifPresent(vmid -> homelab.settled(GPU_ID, vmid));
        for (int index = 0; index < NODE_AGENTS.size(); index++) {
            String agent = NODE_AGENTS.get(index);
            NodeSpec node = scenario.nodes().get(index);
            homelab.gpus(agent, node.gpus()).nvml(agent, node.nvml()).kubernetesState(agent, node.kubernetes())
                    .taints(agent, objects.taints().get(agent)).labels(agent, objects.labels().get(agent));
            if (node.age().isPresent()) {
                homelab.reportAge(agent, node.age().get());
            }
            else {
                homelab.withoutCollectedAt(agent);
            }
            if (!node.connected()) {
                homelab.lost(agent);
            }
            if (!node.reported()) {
                homelab.withoutReport(agent);
            }
        }
        return homelab.build();
    }

    private static Reconciler reconciler(Scenario scenario)
    {
        return new Reconciler(ReconcileMode.parse(scenario.modes(), "reconcile.mode"), STALE_AFTER);
    }

    /**
     * What an agent does with a taint or label action: a Node has at most one taint per key and
     * effect, so tainting replaces one with the same key and effect.
     */
    private static NodeObjects applyPolicyActions(NodeObjects objects, List<ReconcileAction> actions)
    {
        Map<String, List<KubernetesTaint>> taints = new LinkedHashMap<>();
        objects.taints().forEach((agent, list) -> taints.put(agent, new ArrayList<>(list)));
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        objects.labels().forEach((agent, map) -> labels.put(agent, new TreeMap<>(map)));
        for (ReconcileAction action : actions) {
            if (!(action instanceof ReconcileAction.AgentCommand command)) {
                continue;
            }
            Action typed = command.action();
            List<KubernetesTaint> nodeTaints = taints.get(command.agentId());
            Map<String, String> nodeLabels = labels.get(command.agentId());
            switch (typed.getKindCase()) {
                case KUBERNETES_NODE_TAINT -> {
                    nodeTaints.removeIf(taint -> taint.getKey().equals(typed.getKubernetesNodeTaint().getKey()) && taint.getEffect().equals(typed.getKubernetesNodeTaint().getEffect()));
                    nodeTaints.add(KubernetesTaint.newBuilder().setKey(typed.getKubernetesNodeTaint().getKey()).setValue(typed.getKubernetesNodeTaint().getValue())
                            .setEffect(typed.getKubernetesNodeTaint().getEffect()).build());
                }
                case KUBERNETES_NODE_UNTAINT -> nodeTaints.removeIf(taint -> taint.getKey().equals(typed.getKubernetesNodeUntaint().getKey())
                        && taint.getEffect().equals(typed.getKubernetesNodeUntaint().getEffect()));
                case KUBERNETES_NODE_LABEL -> nodeLabels.put(typed.getKubernetesNodeLabel().getKey(), typed.getKubernetesNodeLabel().getValue());
                case KUBERNETES_NODE_UNLABEL -> nodeLabels.remove(typed.getKubernetesNodeUnlabel().getKey());
                default -> { }
            }
        }
        return new NodeObjects(taints, labels);
    }

    private static boolean isPolicyAction(ReconcileAction action)
    {
        return action.kind() == DriftKind.GPU_NODE_TAINT || action.kind() == DriftKind.GPU_NODE_LABEL;
    }

    @Property(tries = 400)
    void computeIsDeterministic(@ForAll("scenarios") Scenario scenario)
    {
        NodeObjects objects = initialObjects(scenario);
        Reconciliation first = reconciler(scenario).compute(PLAN, 3, observe(scenario, objects), NOW);
        Reconciliation second = reconciler(scenario).compute(PLAN, 3, observe(scenario, objects), NOW);
        assertThat(second).isEqualTo(first);
        // the order the agents are listed in does not matter either
        ObservedHomelab observed = observe(scenario, objects);
        List<ObservedAgent> reversed = new ArrayList<>(observed.agents());
        java.util.Collections.reverse(reversed);
        Reconciliation shuffled = reconciler(scenario).compute(PLAN, 3, new ObservedHomelab(reversed, observed.moves(), observed.settledPlacements()), NOW);
        assertThat(shuffled.actions()).containsExactlyInAnyOrderElementsOf(first.actions());
        assertThat(shuffled.drift()).containsExactlyInAnyOrderElementsOf(first.drift());
    }

    @Property(tries = 400)
    void policyConvergesInOneStep(@ForAll("enforcedScenarios") Scenario scenario)
    {
        NodeObjects objects = initialObjects(scenario);
        Reconciliation first = ENFORCING.compute(PLAN, 3, observe(scenario, objects), NOW);
        NodeObjects after = applyPolicyActions(objects, first.actions());
        Reconciliation second = ENFORCING.compute(PLAN, 3, observe(scenario, after), NOW);
        assertThat(second.actions()).noneMatch(TestReconcilerProperties::isPolicyAction);
        assertThat(second.drift()).noneMatch(item -> item.getKind().equals(DriftKind.GPU_NODE_TAINT.label()) || item.getKind().equals(DriftKind.GPU_NODE_LABEL.label()));
    }

    @Property(tries = 400)
    void noActionForAnUntrustedAgent(@ForAll("scenarios") Scenario scenario)
    {
        Reconciliation reconciliation = reconciler(scenario).compute(PLAN, 3, observe(scenario, initialObjects(scenario)), NOW);
        Set<String> untrusted = new HashSet<>();
        for (int index = 0; index < NODE_AGENTS.size(); index++) {
            if (scenario.nodes().get(index).untrusted()) {
                untrusted.add(NODE_AGENTS.get(index));
            }
        }
        assertThat(reconciliation.actions())
                .filteredOn(action -> action instanceof ReconcileAction.AgentCommand)
                .extracting(action -> ((ReconcileAction.AgentCommand) action).agentId())
                .noneMatch(untrusted::contains);
    }

    @Property(tries = 400)
    void policyEndsTrueOnEveryPositivelyReportingNodeAndUntouchedElsewhere(@ForAll("enforcedScenarios") Scenario scenario)
    {
        NodeObjects objects = initialObjects(scenario);
        Reconciliation reconciliation = ENFORCING.compute(PLAN, 3, observe(scenario, objects), NOW);
        NodeObjects after = applyPolicyActions(objects, reconciliation.actions());
        Taint taint = PLAN.spec().gpuNodePolicy().taints().get(0);
        for (int index = 0; index < NODE_AGENTS.size(); index++) {
            String agent = NODE_AGENTS.get(index);
            NodeSpec node = scenario.nodes().get(index);
            List<KubernetesTaint> taints = after.taints().get(agent);
            Map<String, String> labels = after.labels().get(agent);
            if (!node.positiveFreshReport()) {
                assertThat(taints).as("taints of %s", agent).isEqualTo(objects.taints().get(agent));
                assertThat(labels).as("labels of %s", agent).isEqualTo(objects.labels().get(agent));
            }
            else if (node.reportedGpus() > 0) {
                assertThat(taints).as("taints of %s", agent)
                        .filteredOn(actual -> actual.getKey().equals(TAINT_KEY) && actual.getEffect().equals(TAINT_EFFECT))
                        .containsExactly(KubernetesTaint.newBuilder().setKey(taint.key()).setValue(taint.value()).setEffect(taint.effect().kubernetesName()).build());
                assertThat(labels).as("labels of %s", agent).containsAllEntriesOf(PLAN.spec().gpuNodePolicy().labels());
            }
            else {
                assertThat(taints).as("taints of %s", agent).noneMatch(actual -> actual.getKey().equals(TAINT_KEY) && actual.getEffect().equals(TAINT_EFFECT));
                assertThat(labels).as("labels of %s", agent).doesNotContainKeys(PLAN.spec().gpuNodePolicy().labels().keySet().toArray(String[]::new));
            }
            // what the policy does not name is never touched
            assertThat(taints).as("taints of %s", agent).filteredOn(actual -> !actual.getEffect().equals(TAINT_EFFECT))
                    .isEqualTo(objects.taints().get(agent).stream().filter(actual -> !actual.getEffect().equals(TAINT_EFFECT)).toList());
            assertThat(labels.get("kubernetes.io/os")).isEqualTo(objects.labels().get(agent).get("kubernetes.io/os"));
        }
    }

    @Property(tries = 400)
    void noTwoActionsShareAKey(@ForAll("scenarios") Scenario scenario)
    {
        Reconciliation reconciliation = reconciler(scenario).compute(PLAN, 3, observe(scenario, initialObjects(scenario)), NOW);
        Map<String, ReconcileAction> byKey = new HashMap<>();
        for (ReconcileAction action : reconciliation.actions()) {
            assertThat(byKey.put(action.key(), action)).as("another action with key %s", action.key()).isNull();
        }
    }

    @Property(tries = 200)
    void everyEnforcedDriftHasAnActionOrSaysWhyNot(@ForAll("scenarios") Scenario scenario)
    {
        Reconciliation reconciliation = reconciler(scenario).compute(PLAN, 3, observe(scenario, initialObjects(scenario)), NOW);
        // policy drift is enforced exactly when its group is, and then comes with its action
        long policyDrift = reconciliation.drift().stream().filter(item -> item.getKind().equals("gpu-node-taint") || item.getKind().equals("gpu-node-label")).count();
        long policyActions = reconciliation.actions().stream().filter(TestReconcilerProperties::isPolicyAction).count();
        if (scenario.modes().get("gpu-node-policy").equals("enforce")) {
            assertThat(policyActions).isEqualTo(policyDrift);
        }
        else {
            assertThat(policyActions).isZero();
        }
        assertThat(reconciliation.drift()).filteredOn(item -> item.getKind().startsWith("vm-") || item.getKind().equals("agent-missing"))
                .allSatisfy(item -> assertThat(item.getEnforced()).isFalse());
    }
}
