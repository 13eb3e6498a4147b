package vigil.engine.scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One node of a transition's DAG.
 *
 * @param id       unique within the transition, in a deterministic order
 * @param kind     what to do
 * @param resource the primitive id ({@code ""} for FENCE)
 * @param node     where it runs (for FENCE: the target)
 * @param peer     MIGRATE_TO: the target node; MIGRATE_FROM: the source node; PROMOTE: the node still Promoted while a
 *                 VM live-migrates from it (a dual-primary window, see {@link DualPrimaryWindow}); otherwise {@code ""}
 * @param interval MONITOR: the recurring interval; zero otherwise
 * @param after    ids of the actions that must complete successfully first
 * @param reason   why the scheduler chose it, for logs and {@code simulate}
 */
public record PlannedAction(int id, ActionKind kind, String resource, String node, String peer, Duration interval,
                            SortedSet<Integer> after, String reason) {
    private static final SortedSet<Integer> NOTHING_BEFORE = java.util.Collections.emptySortedSet();

    public PlannedAction {
        Objects.requireNonNull(kind, "kind");
        resource = resource == null ? "" : resource;
        Objects.requireNonNull(node, "node");
        peer = peer == null ? "" : peer;
        interval = interval == null ? Duration.ZERO : interval;
        if (after == null || after.isEmpty()) after = NOTHING_BEFORE;
        else if (!(after instanceof ActionIds)) after = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(after)); // that one is immutable
        reason = reason == null ? "" : reason;
    }

    @Override
    public String toString() {
        String what = kind == ActionKind.FENCE ? "fence " + node
                : resource + "_" + kind.text() + (interval.isZero() ? "" : "_" + interval.toMillis()) + " " + node;
        return "#" + id + " " + what + (peer.isEmpty() ? "" : " (peer " + peer + ")") + (after.isEmpty() ? "" : " after " + after);
    }
}
