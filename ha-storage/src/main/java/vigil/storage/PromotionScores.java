package vigil.storage;

import vigil.api.model.Score;

/**
 * The promotion score a DRBD instance reports, from its local disk state: UpToDate above Consistent above Outdated;
 * Inconsistent, Diskless, Failed and transitional states are not promotable. With resource-level fencing an Outdated
 * disk, or one the cluster marked outdated, is never promotable; neither is a device that lost quorum.
 */
public final class PromotionScores {
    public static final int UP_TO_DATE = 10_000;
    public static final int CONSISTENT = 5_000;
    public static final int OUTDATED = 1_000;
    /** Not promotable (Pacemaker's -INFINITY). */
    public static final int NOT_PROMOTABLE = Score.MINUS_INFINITY.value();

    private PromotionScores() {}

    public static int of(DiskState disk, FencingPolicy fencing) {
        switch (disk) {
            case UpToDate: return UP_TO_DATE;
            case Consistent: return CONSISTENT;
            case Outdated: return fencing.fences() ? NOT_PROMOTABLE : OUTDATED;
            default: return NOT_PROMOTABLE;
        }
    }

    /** The score of a resource on this node: its worst volume, quorum and the cluster's fencing mark. */
    public static int of(DrbdResourceStatus status, FencingPolicy fencing, boolean markedOutdated) {
        if (markedOutdated && fencing.fences()) return NOT_PROMOTABLE;
        if (!status.hasQuorum()) return NOT_PROMOTABLE;
        return of(status.worstDisk(), fencing);
    }

    public static boolean promotable(int score) { return score > NOT_PROMOTABLE; }
}
