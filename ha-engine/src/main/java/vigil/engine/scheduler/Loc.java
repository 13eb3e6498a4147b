package vigil.engine.scheduler;

import vigil.api.model.Role;

/** A location constraint resolved for this run: a score per node (from its node or its rules), optionally for one role. */
final class Loc {
    final String id;
    final Rsc rsc;
    final Role role;
    /** node index -> score; absent nodes are not named by the constraint. */
    final NodeWeights scores;
    /** resource-discovery: always, never or exclusive. */
    final String discovery;

    Loc(String id, Rsc rsc, Role role, NodeWeights scores, String discovery) {
        this.id = id;
        this.rsc = rsc;
        this.role = role;
        this.scores = scores;
        this.discovery = discovery;
    }

    @Override
    public String toString() { return id + "(" + rsc + " " + scores + ")"; }
}
