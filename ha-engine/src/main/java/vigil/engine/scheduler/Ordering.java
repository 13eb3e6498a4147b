package vigil.engine.scheduler;

/**
 * An ordering between resource actions before the actions are known per node ({@code first} and {@code then} name an
 * action by resource and task, or are a given action), and the flags that say what the ordering implies.
 */
final class Ordering {
    static final int NONE = 0;
    /** Pure ordering: nothing implied. */
    static final int OPTIONAL = 0x1;
    static final int APPLY_FIRST_NON_MIGRATABLE = 0x2;
    /** If 'then' is required, 'first' is required too. */
    static final int IMPLIES_FIRST = 0x10;
    /** If 'first' is required, 'then' is required too. */
    static final int IMPLIES_THEN = 0x20;
    /** If 'then' is required and its resource is promoted, 'first' is required too. */
    static final int PROMOTED_IMPLIES_FIRST = 0x40;
    static final int IMPLIES_FIRST_MIGRATABLE = 0x80;
    /** 'then' is runnable only if 'first' is. */
    static final int RUNNABLE_LEFT = 0x100;
    /** 'then' can be a pseudo action only if 'first' is runnable. */
    static final int PSEUDO_LEFT = 0x200;
    static final int IMPLIES_THEN_ON_NODE = 0x400;
    static final int PROBE = 0x800;
    /** A restart: 'first' (a stop) is needed when 'then' (the start) is. */
    static final int RESTART = 0x1000;
    static final int STONITH_STOP = 0x2000;
    static final int SERIALIZE_ONLY = 0x4000;
    /** Only between actions on the same node. */
    static final int SAME_NODE = 0x8000;
    static final int IMPLIES_FIRST_PRINTED = 0x10000;
    static final int IMPLIES_THEN_PRINTED = 0x20000;
    /** A mandatory order that is not symmetrical. */
    static final int ASYMMETRICAL = 0x100000;
    static final int LOAD = 0x200000;
    /** 'then' needs only some of its 'first's (require-all=false, clone-min). */
    static final int ONE_OR_MORE = 0x400000;
    static final int ANTI_COLOCATION = 0x800000;
    static final int PRESERVE = 0x1000000;
    static final int THEN_CANCELS_FIRST = 0x2000000;

    final Rsc firstRsc;
    final String firstTask;
    final Act firstAct;
    final Rsc thenRsc;
    final String thenTask;
    final Act thenAct;
    int flags;

    Ordering(Rsc firstRsc, String firstTask, Act firstAct, Rsc thenRsc, String thenTask, Act thenAct, int flags) {
        this.firstRsc = firstRsc;
        this.firstTask = firstTask;
        this.firstAct = firstAct;
        this.thenRsc = thenRsc;
        this.thenTask = thenTask;
        this.thenAct = thenAct;
        this.flags = flags;
    }

    @Override
    public String toString() {
        return (firstAct != null ? firstAct.key() : firstRsc + " " + firstTask) + " -> " + (thenAct != null ? thenAct.key() : thenRsc + " " + thenTask)
                + " 0x" + Integer.toHexString(flags);
    }
}
