package io.rackpilot.coordinator.plan;

import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.reconcile.Homelabs;
import io.rackpilot.coordinator.store.InMemoryStore;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.common.testing.TestingClock;
import io.rackpilot.proto.v1.PlanRevision;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestPlanBook
{
    private static final Instant START = Instant.parse("2026-05-01T12:00:00Z");
    private static final String SEED = Homelabs.seedText();

    private final Store store = new InMemoryStore();
    private final TestingClock clock = new TestingClock(START);
    private final PlanBook book = new PlanBook(store, clock);

    private PlanBook.Applied apply(String text)
    {
        return book.apply(text, "homelab.yaml", false, OptionalLong.empty(), "alice", "first plan");
    }

    private static String gpuOn(int vmid)
    {
        return SEED.replace("      vm: 201\n", "      vm: " + vmid + "\n");
    }

    @Test
    void nothingBeforeTheFirstApply()
    {
        assertThat(book.current()).isEmpty();
        assertThat(book.currentRevision()).isZero();
        assertThat(book.revision(1)).isEmpty();
    }

    @Test
    void firstApplyIsRevisionOne()
    {
        PlanBook.Applied applied = apply(SEED);
        assertThat(applied.changed()).isTrue();
        assertThat(applied.revision().getRevision()).isEqualTo(1);
        assertThat(applied.revision().getText()).isEqualTo(SEED);
        assertThat(applied.revision().getSourceName()).isEqualTo("homelab.yaml");
        assertThat(applied.revision().getAppliedBy()).isEqualTo("alice");
        assertThat(applied.revision().getReason()).isEqualTo("first plan");
        assertThat(Timestamps.toInstant(applied.revision().getAppliedAt())).isEqualTo(START);
        assertThat(book.currentRevision()).isEqualTo(1);
        StoredPlan current = book.current().orElseThrow();
        assertThat(current.number()).isEqualTo(1);
        assertThat(current.plan().name()).isEqualTo("homelab");
        assertThat(current.plan().gpu("tesla-t4").orElseThrow().vm()).isEqualTo(OptionalInt.of(201));
    }

    @Test
    void sameTextChangesNothing()
    {
        apply(SEED);
        clock.advance(Duration.ofMinutes(1));
        PlanBook.Applied again = book.apply(SEED, "other.yaml", false, OptionalLong.empty(), "bob", "again");
        assertThat(again.changed()).isFalse();
        assertThat(again.revision().getRevision()).isEqualTo(1);
        assertThat(again.revision().getAppliedBy()).isEqualTo("alice");
        assertThat(book.currentRevision()).isEqualTo(1);
        assertThat(book.revision(2)).isEmpty();
        // with the right expectation too
        assertThat(book.apply(SEED, "homelab.yaml", false, OptionalLong.of(1), "bob", "again").changed()).isFalse();
    }

    @Test
    void expectRevisionMismatchIsAConflictAndStoresNothing()
    {
        apply(SEED);
        long storeRevision = store.revision();
        assertThatThrownBy(() -> book.apply(gpuOn(202), "homelab.yaml", false, OptionalLong.of(5), "bob", "move"))
                .isInstanceOfSatisfying(PlanRejectedException.class, rejected -> assertThat(rejected.reason()).isEqualTo(PlanRejectedException.Reason.CONFLICT))
                .hasMessageStartingWith("the stored plan is at revision 1, not 5 as expected");
        assertThatThrownBy(() -> book.apply(gpuOn(202), "homelab.yaml", false, OptionalLong.of(0), "bob", "move"))
                .isInstanceOf(PlanRejectedException.class)
                .hasMessageStartingWith("the stored plan is at revision 1, not 0 as expected");
        assertThat(store.revision()).isEqualTo(storeRevision);
        assertThat(book.currentRevision()).isEqualTo(1);
        assertThat(book.revision(2)).isEmpty();
        assertThat(book.current().orElseThrow().plan().gpu("tesla-t4").orElseThrow().vm()).isEqualTo(OptionalInt.of(201));
    }

    @Test
    void expectRevisionZeroOnAnEmptyStoreAndTheRightRevisionLater()
    {
        assertThat(book.apply(SEED, "homelab.yaml", false, OptionalLong.of(0), "alice", "").revision().getRevision()).isEqualTo(1);
        assertThat(book.apply(gpuOn(202), "homelab.yaml", false, OptionalLong.of(1), "alice", "").revision().getRevision()).isEqualTo(2);
        assertThatThrownBy(() -> new PlanBook(new InMemoryStore(), clock).apply(SEED, "homelab.yaml", false, OptionalLong.of(3), "alice", ""))
                .hasMessageStartingWith("the stored plan is at revision 0, not 3 as expected");
    }

    @Test
    void invalidPlanIsRejectedWithItsLine()
    {
        String invalid = SEED.replace("      cores: 16\n      memory: 32GiB", "      cores: sixteen\n      memory: 32GiB");
        assertThat(invalid).isNotEqualTo(SEED);
        int line = (int) invalid.substring(0, invalid.indexOf("cores: sixteen")).chars().filter(character -> character == '\n').count() + 1;
        assertThatThrownBy(() -> book.apply(invalid, "homelab.yaml", false, OptionalLong.empty(), "alice", ""))
                .isInstanceOfSatisfying(PlanRejectedException.class, rejected -> assertThat(rejected.reason()).isEqualTo(PlanRejectedException.Reason.INVALID))
                .hasMessageStartingWith("the plan is not valid:\n")
                .hasMessageContaining("homelab.yaml:" + line + ":");
        assertThat(book.current()).isEmpty();
        assertThat(store.revision()).isZero();
    }

    @Test
    void planThatParsesButDoesNotValidateIsRejected()
    {
        // the GPU on a VM the plan does not have
        String invalid = gpuOn(999);
        int line = (int) invalid.substring(0, invalid.indexOf("vm: 999")).chars().filter(character -> character == '\n').count() + 1;
        assertThatThrownBy(() -> book.apply(invalid, "homelab.yaml", false, OptionalLong.empty(), "alice", ""))
                .isInstanceOf(PlanRejectedException.class)
                .hasMessageContaining("homelab.yaml:" + line + ":");
        assertThat(book.current()).isEmpty();
    }

    @Test
    void dryRunStoresNothing()
    {
        AtomicInteger notified = new AtomicInteger();
        book.addListener(notified::incrementAndGet);
        PlanBook.Applied dryRun = book.apply(SEED, "homelab.yaml", true, OptionalLong.empty(), "alice", "");
        assertThat(dryRun.changed()).isTrue();
        assertThat(dryRun.revision().getRevision()).isEqualTo(1);
        assertThat(book.current()).isEmpty();
        assertThat(book.revision(1)).isEmpty();
        assertThat(store.revision()).isZero();
        assertThat(notified).hasValue(0);

        apply(SEED);
        assertThat(notified).hasValue(1);
        PlanBook.Applied secondDryRun = book.apply(gpuOn(202), "homelab.yaml", true, OptionalLong.of(1), "alice", "");
        assertThat(secondDryRun.revision().getRevision()).isEqualTo(2);
        assertThat(book.currentRevision()).isEqualTo(1);
        assertThat(book.revision(2)).isEmpty();
        assertThat(notified).hasValue(1);
        // a dry run still checks the expected revision
        assertThatThrownBy(() -> book.apply(gpuOn(202), "homelab.yaml", true, OptionalLong.of(7), "alice", ""))
                .hasMessageStartingWith("the stored plan is at revision 1, not 7");
    }

    @Test
    void listenersHearOnlyStoredRevisions()
    {
        AtomicInteger notified = new AtomicInteger();
        book.addListener(notified::incrementAndGet);
        apply(SEED);
        apply(SEED);
        apply(gpuOn(202));
        assertThat(notified).hasValue(2);
    }

    @Test
    void editStoresTheNextRevision()
    {
        apply(SEED);
        apply(gpuOn(203));
        clock.advance(Duration.ofMinutes(5));
        PlanBook.Applied edited = book.edit(2, text -> text.replace("      vm: 203\n", "      vm: 202\n"), "rackctl gpu move", "move the T4 to k8s-node2");
        assertThat(edited.changed()).isTrue();
        assertThat(edited.revision().getRevision()).isEqualTo(3);
        assertThat(edited.revision().getText()).isEqualTo(gpuOn(202));
        assertThat(edited.revision().getSourceName()).isEqualTo("homelab.yaml");
        assertThat(edited.revision().getAppliedBy()).isEqualTo("rackctl gpu move");
        assertThat(edited.revision().getReason()).isEqualTo("move the T4 to k8s-node2");
        assertThat(Timestamps.toInstant(edited.revision().getAppliedAt())).isEqualTo(START.plus(Duration.ofMinutes(5)));
        assertThat(book.current().orElseThrow().plan().gpu("tesla-t4").orElseThrow().vm()).isEqualTo(OptionalInt.of(202));
    }

    @Test
    void editOfAMovedRevisionIsAConflict()
    {
        apply(SEED);
        apply(gpuOn(203));
        assertThatThrownBy(() -> book.edit(1, text -> text.replace("      vm: 203\n", "      vm: 202\n"), "rackctl", ""))
                .isInstanceOfSatisfying(PlanRejectedException.class, rejected -> assertThat(rejected.reason()).isEqualTo(PlanRejectedException.Reason.CONFLICT))
                .hasMessageStartingWith("the stored plan is at revision 2, not 1 as expected");
        assertThat(book.currentRevision()).isEqualTo(2);
    }

    @Test
    void editBeforeAnyPlanIsNotFound()
    {
        assertThatThrownBy(() -> book.edit(0, text -> text, "rackctl", ""))
                .isInstanceOfSatisfying(PlanRejectedException.class, rejected -> assertThat(rejected.reason()).isEqualTo(PlanRejectedException.Reason.NOT_FOUND))
                .hasMessageContaining("rackctl plan apply");
    }

    @Test
    void editThatBreaksThePlanIsInvalid()
    {
        apply(SEED);
        assertThatThrownBy(() -> book.edit(1, text -> text.replace("      vm: 201\n", "      vm: 42\n"), "rackctl", ""))
                .isInstanceOfSatisfying(PlanRejectedException.class, rejected -> assertThat(rejected.reason()).isEqualTo(PlanRejectedException.Reason.INVALID));
        assertThat(book.currentRevision()).isEqualTo(1);
    }

    @Test
    void everyRevisionIsReadableByNumber()
    {
        List<String> texts = List.of(SEED, gpuOn(202), gpuOn(203), SEED);
        for (String text : texts) {
            apply(text);
        }
        for (int number = 1; number <= texts.size(); number++) {
            PlanRevision revision = book.revision(number).orElseThrow();
            assertThat(revision.getRevision()).isEqualTo(number);
            assertThat(revision.getText()).isEqualTo(texts.get(number - 1));
        }
        assertThat(book.revision(5)).isEmpty();
        assertThat(book.revision(0)).isEmpty();
        assertThat(book.currentRevision()).isEqualTo(4);
    }

    @Test
    void currentSurvivesANewBookOnTheSameStore()
    {
        apply(SEED);
        apply(gpuOn(204));
        PlanBook reopened = new PlanBook(store, clock);
        StoredPlan current = reopened.current().orElseThrow();
        assertThat(current.number()).isEqualTo(2);
        assertThat(current.plan().gpu("tesla-t4").orElseThrow().vm()).isEqualTo(OptionalInt.of(204));
        assertThat(reopened.revision(1).orElseThrow().getText()).isEqualTo(SEED);
        // and goes on numbering from there
        assertThat(reopened.apply(SEED, "homelab.yaml", false, OptionalLong.of(2), "alice", "").revision().getRevision()).isEqualTo(3);
        // the first book sees what the second stored
        assertThat(book.current().orElseThrow().number()).isEqualTo(3);
    }
}
