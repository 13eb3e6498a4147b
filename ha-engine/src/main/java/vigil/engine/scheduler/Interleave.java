package vigil.engine.scheduler;

/**
 * Orderings between two clones when the 'then' clone (or, for stops and demotes, the 'first') is interleaved: each
 * instance waits only for the instance of the other clone on its own node (Pacemaker's interleave).
 */
final class Interleave {
    private Interleave() {}

    static boolean applies(Act first, Act then) {
        if (first.rsc == null || then.rsc == null || first.rsc == then.rsc) return false;
        if (!first.rsc.isClone() || !then.rsc.isClone()) return false;
        Rsc rsc = then.intervalMs == 0 && (then.task.equals("stop") || then.task.equals("demote")) ? first.rsc : then.rsc;
        return rsc.interleave;
    }

    static int update(WorkingSet ws, ActionGraph g, Act first, Act then, SchedNode node, int flags, int filter, int type) {
        return g.updatePrimitive(first, then, node, flags, filter, type);
    }
}
