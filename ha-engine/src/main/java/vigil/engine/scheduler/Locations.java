package vigil.engine.scheduler;

import java.util.LinkedHashSet;
import vigil.api.model.Constraint;
import vigil.api.model.Role;

/**
 * Where resources may go before colocations are considered: the symmetric-cluster default, location constraints,
 * stickiness toward the current node, and bans after migration-threshold failures (Pacemaker's placement constraints
 * and "apply stickiness").
 */
final class Locations {
    private Locations() {}

    static void apply(WorkingSet ws) {
        // in a symmetric cluster every resource got score 0 everywhere when it was unpacked
        if (!ws.symmetric) {
            // a guest's connection may run wherever its container may: it opts in everywhere
            for (Rsc r : ws.resources) if (r.container != null && RemoteNodes.remoteNodeOf(ws, r) != null) scoreEverywhere(r, 0);
        }
        for (Constraint c : ws.cfg.constraints()) {
            if (!(c instanceof Constraint.Location l) || l.expiredAt(ws.now)) continue;
            Rsc rsc = constrained(ws, l.resource());
            SchedNode node = ws.node(l.node());
            if (rsc == null || node == null) continue;
            NodeWeights scores = ws.newWeights();
            scores.set(node.index, l.score().value());
            Loc loc = new Loc(l.id(), rsc, l.role() == Role.STARTED ? null : l.role(), scores, "always");
            ws.locations.add(loc);
            rsc.locations = Rsc.editable(rsc.locations);
            rsc.locations.add(loc);
            applyTo(rsc, loc);
        }
        for (Rsc r : ws.resources) {
            stickinessAndFailures(ws, r);
            // a clone's promotion scores read only its own instances' scores, final once their stickiness is in
            if (r.isClone() && r.promotable) promotionScores(ws, r);
        }
    }

    /**
     * A promotable instance prefers the nodes where its agent reported a positive promotion score. The priority of an
     * instance of a globally-unique clone rises to its best such score, so that the instances with better scores are
     * placed first and win ties when the promoted ones are chosen (Pacemaker raises it for anonymous instances too;
     * their scores belong to the node rather than the instance, and the reordering only makes interchangeable
     * instances trade nodes, restarting copies in a settled cluster).
     */
    private static void promotionScores(WorkingSet ws, Rsc clone) {
        if (clone.promotedMax == 0) return;
        for (Rsc child : clone.children) {
            for (SchedNode n : ws.nodes) {
                if (!child.allowed.has(n.index) || !n.canRunResources()) continue;
                int score = Promotion.score(ws, child, n, 0);
                if (score > 0) child.allowed.set(n.index, Scores.add(child.allowed.get(n.index), score));
                if (score > child.priority && clone.unique) child.priority = score;
            }
        }
    }

    /**
     * The resource a constraint names: a primitive or group inside a clone stands for the clone (its instances are
     * the clone's to place).
     */
    static Rsc constrained(WorkingSet ws, String id) {
        Rsc r = ws.rsc(id);
        if (r != null && r.cloneParent() == null) return r;
        Rsc clone = ws.byConfigId.get(id);
        if (clone != null) return clone;
        return r;
    }

    /** Adds {@code score} on {@code node} to the resource and everything inside it (Pacemaker's resource_location). */
    static void score(Rsc rsc, SchedNode node, int score) {
        for (Rsc c : rsc.children) score(c, node, score);
        rsc.allowed.add(node.index, score);
    }

    /** Adds {@code score} on every node to the resource and everything inside it. */
    private static void scoreEverywhere(Rsc rsc, int score) {
        for (int i = 0; i < rsc.children.size(); i++) scoreEverywhere(rsc.children.get(i), score);
        rsc.allowed.addEverywhere(score);
    }

    /** A ban on every node (-INFINITY), e.g. target-role=Stopped. */
    static void banEverywhere(WorkingSet ws, Rsc rsc) {
        scoreEverywhere(rsc, -Scores.INF);
    }

    /** Applies a location to a resource as Pacemaker's rsc_location methods do for its variant. */
    static void applyTo(Rsc rsc, Loc loc) {
        switch (rsc.variant) {
            case PRIMITIVE -> applyToPrimitive(rsc, loc);
            case GROUP -> {
                applyToPrimitive(rsc, loc);
                // the first member takes the scores; the others only learn that the nodes exist (score 0)
                Loc zero = loc;
                for (Rsc child : rsc.children) {
                    applyTo(child, zero);
                    if (zero == loc) zero = zeroed(loc);
                }
            }
            case CLONE -> {
                applyToPrimitive(rsc, loc);
                for (Rsc child : rsc.children) applyTo(child, loc);
            }
        }
    }

    private static Loc zeroed(Loc loc) {
        NodeWeights z = loc.scores.copy();
        for (int i = 0; i < z.size(); i++) if (z.has(i)) z.set(i, 0);
        return new Loc(loc.id, loc.rsc, loc.role, z, loc.discovery);
    }

    private static void applyToPrimitive(Rsc rsc, Loc loc) {
        if (loc.role != null && loc.role != rsc.nextRole) return; // role-specific: for promotion
        for (int i = 0; i < loc.scores.size(); i++) if (loc.scores.has(i)) rsc.allowed.add(i, loc.scores.get(i));
    }

    /**
     * Stickiness toward the node a resource runs on, and the migration-threshold bans (Pacemaker's
     * common_apply_stickiness). Each node's score only depends on what happens on that node, so a resource is done
     * for all nodes at once.
     */
    private static void stickinessAndFailures(WorkingSet ws, Rsc rsc) {
        if (!rsc.isPrimitive()) {
            for (Rsc c : rsc.children) stickinessAndFailures(ws, c);
            return;
        }
        if (rsc.managed && rsc.stickiness != 0 && rsc.runningOn.size() == 1) {
            SchedNode node = rsc.runningOn.get(0);
            if (rsc.allowed.has(node.index) || ws.symmetric) score(rsc, node, rsc.stickiness);
        }
        if (rsc.failuresIgnored || !anyFailure(rsc)) return;
        for (SchedNode node : ws.nodes) {
            int fails = rsc.failuresOn(node);
            if (fails <= 0) continue;
            int remaining = rsc.migrationThreshold == Scores.INF ? Scores.INF - fails : rsc.migrationThreshold - fails;
            if (remaining <= 0 || fails >= Scores.INF) {
                Rsc ban = rsc.unique || rsc.cloneParent() == null ? rsc : rsc.top();
                score(ban, node, -Scores.INF);
                if (ban.failBanned.isEmpty()) ban.failBanned = new LinkedHashSet<>();
                ban.failBanned.add(node);
            }
        }
    }

    /** Whether it, or what it contains, has failures counted on some node: else no node can reach its threshold. */
    private static boolean anyFailure(Rsc rsc) {
        if (rsc.failedSomewhere()) return true;
        for (int i = 0; i < rsc.fillers.size(); i++) if (rsc.fillers.get(i).failedSomewhere()) return true;
        return false;
    }
}
