package io.rackpilot.coordinator.plan;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rackpilot.common.protocol.Timestamps;
import io.rackpilot.coordinator.store.Store;
import io.rackpilot.coordinator.store.StoredRecord;
import io.rackpilot.plan.HomelabPlan;
import io.rackpilot.plan.validation.PlanFinding;
import io.rackpilot.plan.validation.PlanValidation;
import io.rackpilot.plan.validation.PlanValidator;
import io.rackpilot.proto.v1.PlanRevision;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * The homelab plan's revisions, kept in the store: {@code plan/revisions/N} for every revision ever
 * applied and {@code plan/current} for the one in force. A new revision is stored only when it
 * validates and, when the caller says which revision it expects to replace, only when that is still
 * the current one (compare-and-swap on {@code plan/current}), as Nomad's {@code -check-index}.
 */
public final class PlanBook
{
    static final String CURRENT = "plan/current";
    static final String REVISIONS = "plan/revisions/";

    private final Store store;
    private final Clock clock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private Optional<StoredPlan> cached = Optional.empty();

    public PlanBook(Store store, Clock clock)
    {
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Called after every stored revision.
     */
    public void addListener(Runnable listener)
    {
        listeners.add(requireNonNull(listener, "listener is null"));
    }

    /**
     * The plan in force; empty until one is applied.
     */
    public synchronized Optional<StoredPlan> current()
    {
        Optional<StoredRecord> record = store.get(CURRENT);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        PlanRevision revision = parse(record.get());
        if (cached.isPresent() && cached.get().number() == revision.getRevision()) {
            return cached;
        }
        PlanValidation validation = PlanValidator.validate(revision.getText(), revision.getSourceName());
        if (validation.plan().isEmpty()) {
            throw new IllegalStateException("stored plan revision " + revision.getRevision() + " no longer validates: " + describe(validation.errors()));
        }
        cached = Optional.of(new StoredPlan(revision, validation.plan().get()));
        return cached;
    }

    public long currentRevision()
    {
        return store.get(CURRENT).map(record -> parse(record).getRevision()).orElse(0L);
    }

    public Optional<PlanRevision> revision(long number)
    {
        return store.get(revisionKey(number)).map(PlanBook::parse);
    }

    /**
     * Validates {@code text} and stores it as the next revision, unless it equals the current one.
     *
     * @param expectRevision when present, the revision the caller expects to replace (0: none yet)
     * @throws PlanRejectedException naming every error, or the revision that moved
     */
    public Applied apply(String text, String sourceName, boolean dryRun, OptionalLong expectRevision, String appliedBy, String reason)
    {
        requireNonNull(text, "text is null");
        requireNonNull(sourceName, "sourceName is null");
        PlanValidation validation = PlanValidator.validate(text, sourceName);
        if (!validation.errors().isEmpty()) {
            throw new PlanRejectedException(PlanRejectedException.Reason.INVALID, "the plan is not valid:\n" + describe(validation.errors()));
        }
        List<String> warnings = validation.warnings().stream().map(PlanFinding::toString).toList();
        Applied applied;
        synchronized (this) {
            Optional<StoredRecord> currentRecord = store.get(CURRENT);
            long currentNumber = currentRecord.map(record -> parse(record).getRevision()).orElse(0L);
            if (expectRevision.isPresent() && expectRevision.getAsLong() != currentNumber) {
                throw new PlanRejectedException(PlanRejectedException.Reason.CONFLICT,
                        "the stored plan is at revision " + currentNumber + ", not " + expectRevision.getAsLong() + " as expected: someone applied a plan (or moved a GPU) since; "
                                + "look at `rackctl plan show` and `rackctl plan diff FILE`, then apply again");
            }
            if (currentRecord.isPresent() && parse(currentRecord.get()).getText().equals(text)) {
                return new Applied(parse(currentRecord.get()), false, warnings, validation.plan().orElseThrow());
            }
            PlanRevision revision = PlanRevision.newBuilder()
                    .setRevision(currentNumber + 1)
                    .setText(text)
                    .setSourceName(sourceName)
                    .setAppliedAt(Timestamps.of(clock.instant()))
                    .setAppliedBy(appliedBy)
                    .setReason(reason)
                    .build();
            if (dryRun) {
                return new Applied(revision, true, warnings, validation.plan().orElseThrow());
            }
            long expectedModRevision = currentRecord.map(StoredRecord::modRevision).orElse(0L);
            store.put(revisionKey(revision.getRevision()), revision.toByteArray());
            if (store.putIfModRevision(CURRENT, revision.toByteArray(), expectedModRevision).isEmpty()) {
                throw new PlanRejectedException(PlanRejectedException.Reason.CONFLICT, "the stored plan changed while this one was being stored; apply again");
            }
            cached = Optional.of(new StoredPlan(revision, validation.plan().orElseThrow()));
            applied = new Applied(revision, true, warnings, validation.plan().orElseThrow());
        }
        listeners.forEach(Runnable::run);
        return applied;
    }

    /**
     * Stores the current plan's text changed by {@code edit} as the next revision (the text edit of
     * {@code rackctl gpu move}), only when the current revision is {@code expectRevision}.
     */
    public Applied edit(long expectRevision, UnaryOperator<String> edit, String appliedBy, String reason)
    {
        StoredPlan current = current().orElseThrow(() -> new PlanRejectedException(PlanRejectedException.Reason.NOT_FOUND, "no plan has been applied yet: run `rackctl plan apply FILE` first"));
        String text = edit.apply(current.revision().getText());
        return apply(text, current.revision().getSourceName(), false, OptionalLong.of(expectRevision), appliedBy, reason);
    }

    /**
     * @param revision the revision stored (or, for a dry run, the one that would be)
     * @param changed false when the text equalled the current plan's and nothing was stored
     * @param warnings the validator's warnings, one line each
     * @param plan the plan read from the text
     */
    public record Applied(PlanRevision revision, boolean changed, List<String> warnings, HomelabPlan plan)
    {
        public Applied
        {
            requireNonNull(revision, "revision is null");
            warnings = List.copyOf(warnings);
            requireNonNull(plan, "plan is null");
        }
    }

    private static String revisionKey(long number)
    {
        return REVISIONS + String.format("%020d", number);
    }

    private static String describe(List<PlanFinding> findings)
    {
        return findings.stream().map(PlanFinding::toString).collect(Collectors.joining("\n"));
    }

    private static PlanRevision parse(StoredRecord record)
    {
        try {
            return PlanRevision.parseFrom(record.value());
        }
        catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the stored plan " + record.key() + " is unreadable", e);
        }
    }
}
