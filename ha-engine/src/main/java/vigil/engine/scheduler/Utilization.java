package vigil.engine.scheduler;

/** placement-strategy and utilization: node capacities and what resources use of them. */
final class Utilization {
    private Utilization() {}

    /** Nodes without room are not considered (for strategies other than default); returns the preferred node left. */
    static SchedNode filter(WorkingSet ws, Rsc rsc, SchedNode prefer) { return prefer; }

    static int compareCapacity(SchedNode a, SchedNode b) { return 0; }

    static void consume(SchedNode n, Rsc rsc) { }

    static void release(SchedNode n, Rsc rsc) { }

    static void constraints(WorkingSet ws, Rsc rsc) { }
}
