package vigil.engine.scheduler;

import vigil.api.model.Role;

/**
 * A colocation between two resources of this run: {@code dependent} is placed relative to {@code primary} (Pacemaker's
 * "rsc with with-rsc"). Roles null mean any role; {@code nodeAttribute} null means the same node.
 */
final class Coloc {
    final String id;
    final Rsc dependent;
    final Rsc primary;
    final int score;
    final Role dependentRole;
    final Role primaryRole;
    final String nodeAttribute;
    /** Whether the dependent's preferences may move the primary (the "influence" option; Pacemaker's "critical"). */
    final boolean influence;

    Coloc(String id, Rsc dependent, Rsc primary, int score, Role dependentRole, Role primaryRole, String nodeAttribute, boolean influence) {
        this.id = id;
        this.dependent = dependent;
        this.primary = primary;
        this.score = score;
        this.dependentRole = dependentRole;
        this.primaryRole = primaryRole;
        this.nodeAttribute = nodeAttribute;
        this.influence = influence;
    }

    /** Whether the dependent's preferences count for where {@code rsc} (the dependent or an instance of it) goes. */
    boolean hasInfluence(Rsc rsc) {
        Rsc r = rsc == null ? dependent : rsc;
        return influence || r.runningOn.isEmpty() && !r.isActive();
    }

    String attribute() { return nodeAttribute == null ? "#uname" : nodeAttribute; }

    @Override
    public String toString() { return id + "(" + dependent + " with " + primary + " " + Scores.text(score) + ")"; }
}
