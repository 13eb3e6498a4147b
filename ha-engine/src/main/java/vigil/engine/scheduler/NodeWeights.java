package vigil.engine.scheduler;

import java.util.Arrays;

/**
 * A resource's scores on the nodes it may be placed on (Pacemaker's "allowed nodes"): a node may be absent (never
 * considered, as in an opt-in cluster without a location for it) or present with a score, possibly -INFINITY.
 *
 * <p>Most resources have the same score on every node (all absent, or 0 in a symmetric cluster) until a location,
 * stickiness or colocation singles a node out, so the table is one shared value until a node's score differs; then
 * it becomes an array with a score per node. A plan over thousands of resources allocated and filled an array per
 * resource (and per copy) that never held two different values. Most tables that do differ differ on one node (a
 * location constraint, stickiness where the resource runs), so one node's score is held on its own before an array
 * is made.
 */
final class NodeWeights {
    private static final int ABSENT = Integer.MIN_VALUE;
    private final int size;
    /** Every node's score while {@link #w} is null, but {@link #single}'s. */
    private int uniform;
    /** While {@link #w} is null: the one node whose score is {@link #singleScore} instead, or -1. */
    private int single = -1;
    private int singleScore;
    /** A score per node, or null while every node has {@link #uniform} (but {@link #single}). */
    private int[] w;

    NodeWeights(int nodes) {
        size = nodes;
        uniform = ABSENT;
    }

    private NodeWeights(int size, int uniform, int single, int singleScore, int[] w) {
        this.size = size;
        this.uniform = uniform;
        this.single = single;
        this.singleScore = singleScore;
        this.w = w;
    }

    NodeWeights copy() { return new NodeWeights(size, uniform, single, singleScore, w == null ? null : w.clone()); }

    int size() { return size; }

    boolean has(int node) { return get(node) != ABSENT; }

    /** The score on {@code node}; only meaningful when {@link #has}. */
    int get(int node) { return w != null ? w[node] : node == single ? singleScore : uniform; }

    void set(int node, int score) {
        if (w == null) {
            if (node == single) {
                singleScore = score;
                return;
            }
            if (score == uniform) return;
            if (single < 0) {
                single = node;
                singleScore = score;
                return;
            }
            w = new int[size];
            Arrays.fill(w, uniform);
            w[single] = singleScore;
            single = -1;
        }
        w[node] = score;
    }

    void remove(int node) { set(node, ABSENT); }

    /** Adds {@code score} on {@code node}, making it present with that score if it was absent. */
    void add(int node, int score) {
        int old = get(node);
        set(node, old == ABSENT ? score : Scores.add(old, score));
    }

    /** {@link #add} on every node. */
    void addEverywhere(int score) {
        if (w == null) {
            uniform = uniform == ABSENT ? score : Scores.add(uniform, score);
            if (single >= 0) singleScore = singleScore == ABSENT ? score : Scores.add(singleScore, score);
            return;
        }
        for (int i = 0; i < size; i++) w[i] = w[i] == ABSENT ? score : Scores.add(w[i], score);
    }

    /** Whether some present node can run resources with a score of at least 0 (Pacemaker's can_run_any). */
    boolean canRunAny(SchedNode[] nodes) {
        for (int i = 0; i < size; i++) {
            int s = get(i);
            if (s != ABSENT && s >= 0 && nodes[i].canRunResources()) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < size; i++) if (has(i)) b.append(b.length() > 1 ? ", " : "").append(i).append('=').append(Scores.text(get(i)));
        return b.append('}').toString();
    }
}
