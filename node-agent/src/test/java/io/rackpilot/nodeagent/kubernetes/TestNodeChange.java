package io.rackpilot.nodeagent.kubernetes;

import io.rackpilot.nodeagent.kubernetes.NodeState.Taint;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class TestNodeChange
{
    @Property
    void everyChangeIsIdempotent(@ForAll("states") NodeState state, @ForAll("changes") NodeChange change)
    {
        NodeState once = change.applyTo(state);
        assertThat(change.applyTo(once)).isEqualTo(once);
    }

    @Property
    void aSetTaintLeavesExactlyOneTaintOfItsKeyAndEffectAndKeepsTheOthers(@ForAll("states") NodeState state, @ForAll("taints") Taint taint)
    {
        NodeState after = new NodeChange.SetTaint(taint).applyTo(state);
        assertThat(after.taints().stream().filter(taint::sameSlot)).hasSize(1).allMatch(found -> found.value().equals(taint.value()));
        assertThat(after.taints().stream().filter(other -> !other.sameSlot(taint)).toList())
                .isEqualTo(state.taints().stream().filter(other -> !other.sameSlot(taint)).toList());
        assertThat(after.labels()).isEqualTo(state.labels());
        assertThat(after.unschedulable()).isEqualTo(state.unschedulable());
    }

    @Property
    void removeTaintsRemovesOnlyItsKey(@ForAll("states") NodeState state, @ForAll("keys") String key)
    {
        NodeState after = new NodeChange.RemoveTaints(key, Optional.empty()).applyTo(state);
        assertThat(after.taints()).noneMatch(taint -> taint.key().equals(key));
        assertThat(after.taints()).isEqualTo(state.taints().stream().filter(taint -> !taint.key().equals(key)).toList());
    }

    @Property
    void labelChangesAreExactlyTheDifference(@ForAll("states") NodeState state, @ForAll("changes") NodeChange change)
    {
        NodeState after = change.applyTo(state);
        Map<String, String> changes = NodeState.labelChanges(state, after);
        Map<String, String> replayed = new HashMap<>(state.labels());
        changes.forEach((key, value) -> {
            if (value == null) {
                replayed.remove(key);
            }
            else {
                replayed.put(key, value);
            }
        });
        assertThat(replayed).isEqualTo(after.labels());
    }

    @Provide
    Arbitrary<String> keys()
    {
        return Arbitraries.of("nvidia.com/gpu", "rackpilot.io/test", "rackpilot.io/zone", "example.com/other");
    }

    @Provide
    Arbitrary<Taint> taints()
    {
        return Combinators.combine(keys(), Arbitraries.of("", "true", "false"), Arbitraries.of(KubernetesSyntax.TAINT_EFFECTS))
                .as((key, value, effect) -> new Taint(key, value, effect));
    }

    @Provide
    Arbitrary<NodeState> states()
    {
        Arbitrary<List<Taint>> taints = taints().list().ofMaxSize(5)
                .map(list -> list.stream().filter(distinctSlots(list)).toList());
        Arbitrary<Map<String, String>> labels = Arbitraries.maps(keys(), Arbitraries.of("a", "b", "")).ofMaxSize(4);
        return Combinators.combine(taints, labels, Arbitraries.of(true, false)).as(NodeState::new);
    }

    @Provide
    Arbitrary<NodeChange> changes()
    {
        return Arbitraries.oneOf(
                taints().map(NodeChange.SetTaint::new),
                Combinators.combine(keys(), Arbitraries.of(KubernetesSyntax.TAINT_EFFECTS).optional()).as(NodeChange.RemoveTaints::new),
                Combinators.combine(keys(), Arbitraries.of("a", "c")).as(NodeChange.SetLabel::new),
                keys().map(NodeChange.RemoveLabel::new),
                Arbitraries.of(true, false).map(NodeChange.SetUnschedulable::new));
    }

    private static Predicate<Taint> distinctSlots(List<Taint> list)
    {
        // a Node has at most one taint per key and effect: keep the first of each
        return taint -> list.stream().filter(taint::sameSlot).findFirst().orElseThrow() == taint;
    }
}
