package vigil.engine.scheduler;

import java.util.Arrays;

/**
 * One action of a planning run, real (a start of rsc on a node) or a pseudo action that only exists to order others
 * (a clone's "running", a fence's implied stops). Flags follow Pacemaker's: an optional action is not needed (it is
 * dropped from the plan unless something makes it required), an unrunnable one cannot happen (then it is "blocked").
 */
final class Act {
    static final int OPTIONAL = 1;
    static final int RUNNABLE = 2;
    static final int PSEUDO = 4;
    /** A migration may still replace this stop / start pair. */
    static final int MIGRATE_RUNNABLE = 8;
    /** Runnable when at least {@link WorkingSet#requiredRunnableBefore} of the actions before it are (clone-min, require-all=false). */
    static final int REQUIRES_ANY = 16;
    static final int PRINT_ALWAYS = 32;
    /** A recurring monitor made while its resource's next role was Stopped (an unmanaged resource stays monitored). */
    static final int STOPPED_MONITOR = 128;

    enum Needs { NOTHING, QUORUM, FENCING }

    /** Position in the run's action list: keeps every derived order deterministic. */
    final int id;
    final String task;
    final Rsc rsc;
    /** Its resource's variant (null without a resource): the graph update reads it for every edge in every pass. */
    final Rsc.Variant variant;
    final SchedNode node;
    final long intervalMs;
    int flags;
    String reason;
    /** The orderings into and out of it ({@link #before}, {@link #after}), made at the first edge: many actions have none on one side. */
    private Edges before;
    private Edges after;
    /** For a fence: the fence action (reboot, off, on). */
    String fenceAction = "";
    /** migrate_to / migrate_from: the other node. */
    SchedNode peer;

    Act(int id, String task, Rsc rsc, SchedNode node, long intervalMs, int flags) {
        this.id = id;
        this.task = task;
        this.rsc = rsc;
        this.variant = rsc == null ? null : rsc.variant;
        this.node = node;
        this.intervalMs = intervalMs;
        this.flags = flags;
    }

    /**
     * Pacemaker's operation key, made when asked for (only messages read it): {@code rsc_start_0},
     * {@code rsc_monitor_10000}, {@code clone_running_0}; an action of no resource is named by its task, a fence by
     * its task and node ({@code stonith-node1}).
     */
    String key() {
        if (rsc != null) return key(rsc.id, task, intervalMs);
        return node == null ? task : task + "-" + node.id;
    }

    /** What it needs besides its node to run: a primitive's actions other than stops and demotes need fencing or quorum, as configured. */
    Needs needs() {
        if (variant != Rsc.Variant.PRIMITIVE || task.equals("stop") || task.equals("demote")) return Needs.NOTHING;
        if (rsc.needsFencing) return Needs.FENCING;
        if (rsc.needsQuorum) return Needs.QUORUM;
        return Needs.NOTHING;
    }

    /** The actions it waits for, with the orderings' types. */
    Edges before() { return before == null ? Edges.NONE : before; }

    /** The actions that wait for it. */
    Edges after() { return after == null ? Edges.NONE : after; }

    /** Adds the edge {@code this -> then}. */
    void addAfter(Act then, int type) {
        if (after == null) after = new Edges();
        after.add(then, type);
        if (then.before == null) then.before = new Edges();
        then.before.add(this, type);
    }

    boolean is(int flag) { return (flags & flag) != 0; }

    void set(int flag) { flags |= flag; }

    void clear(int flag) { flags &= ~flag; }

    boolean optional() { return is(OPTIONAL); }

    boolean runnable() { return is(RUNNABLE); }

    boolean pseudo() { return is(PSEUDO); }

    /**
     * The ordering edges on one side of an action, in the order added: the action before / after it and the ordering's
     * {@code type} flags (Pacemaker's). Edges are only ever added, so an edge keeps its index. Most sides have one
     * edge: it is held in place, and only the second and later go into two arrays (rather than an object per edge: a
     * plan over thousands of resources has tens of thousands of them).
     */
    static final class Edges {
        private static final Act[] NO_ACTIONS = new Act[0];
        private static final int[] NO_TYPES = new int[0];
        /** No edges (never added to: {@link Act#addAfter} makes an action's own). */
        static final Edges NONE = new Edges();
        private Act first;
        private int firstType;
        /** Edges 1, 2, ... at index 0, 1, ... */
        private Act[] others = NO_ACTIONS;
        private int[] types = NO_TYPES;
        private int size;

        int size() { return size; }

        boolean isEmpty() { return size == 0; }

        Act other(int i) { return i == 0 ? first : others[i - 1]; }

        int type(int i) { return i == 0 ? firstType : types[i - 1]; }

        void setType(int i, int type) {
            if (i == 0) firstType = type;
            else types[i - 1] = type;
        }

        private void add(Act other, int type) {
            if (size == 0) {
                first = other;
                firstType = type;
            } else {
                if (size - 1 == others.length) {
                    int capacity = Math.max(2, 2 * others.length);
                    others = Arrays.copyOf(others, capacity);
                    types = Arrays.copyOf(types, capacity);
                }
                others[size - 1] = other;
                types[size - 1] = type;
            }
            size++;
        }
    }

    static String key(String rsc, String task, long intervalMs) { return rsc + "_" + task + "_" + intervalMs; }

    @Override
    public String toString() { return key() + (node == null ? "" : " " + node.id); }
}
