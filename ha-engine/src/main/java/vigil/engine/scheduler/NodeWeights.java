package vigil.engine.scheduler;

import java.util.Arrays;

/**
 * A resource's scores on the nodes it may be placed on (Pacemaker's "allowed nodes"): a node may be absent (never
 * considered, as in an opt-in cluster without a location for it) or present with a score, possibly -INFINITY.
 */
final class NodeWeights {
    private static final int ABSENT = Integer.MIN_VALUE;
    private final int[] w;

    NodeWeights(int nodes) {
        w = new int[nodes];
        Arrays.fill(w, ABSENT);
    }

    private NodeWeights(int[] w) { this.w = w; }

    NodeWeights copy() { return new NodeWeights(w.clone()); }

    int size() { return w.length; }

    boolean has(int node) { return w[node] != ABSENT; }

    /** The score on {@code node}; only meaningful when {@link #has}. */
    int get(int node) { return w[node]; }

    void set(int node, int score) { w[node] = score; }

    void remove(int node) { w[node] = ABSENT; }

    /** Adds {@code score} on {@code node}, making it present with that score if it was absent. */
    void add(int node, int score) {
        w[node] = w[node] == ABSENT ? score : Scores.add(w[node], score);
    }

    /** Whether some present node can run resources with a score of at least 0 (Pacemaker's can_run_any). */
    boolean canRunAny(SchedNode[] nodes) {
        for (int i = 0; i < w.length; i++) if (w[i] != ABSENT && w[i] >= 0 && nodes[i].canRunResources()) return true;
        return false;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < w.length; i++) if (w[i] != ABSENT) b.append(b.length() > 1 ? ", " : "").append(i).append('=').append(Scores.text(w[i]));
        return b.append('}').toString();
    }
}
