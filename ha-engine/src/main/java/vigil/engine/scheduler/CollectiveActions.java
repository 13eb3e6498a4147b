package vigil.engine.scheduler;

import vigil.api.model.Role;

/**
 * Groups and clones (Pacemaker's collective resources): their members' actions, the pseudo actions that stand for
 * the whole ("grp_running_0", "clone_stopped_0"), and the orderings and colocations that hold a group together and a
 * clone's instances between its pseudo actions.
 */
final class CollectiveActions {
    private CollectiveActions() {}

    // ---------------------------------------------------------------- internal constraints

    static void internalConstraints(WorkingSet ws, Rsc rsc) {
        switch (rsc.variant) {
            case PRIMITIVE -> primitiveConstraints(ws, rsc);
            case GROUP -> groupConstraints(ws, rsc);
            case CLONE -> cloneConstraints(ws, rsc);
        }
    }

    private static void primitiveConstraints(WorkingSet ws, Rsc rsc) {
        if (!rsc.managed) return;
        ws.order(rsc, "stop", rsc, "start", Ordering.OPTIONAL | Ordering.IMPLIES_THEN | Ordering.RESTART);
        if (rsc.top().promotable || Rsc.rank(rsc.role) > Rsc.rank(Role.UNPROMOTED)) {
            ws.order(rsc, "demote", rsc, "stop", Ordering.PROMOTED_IMPLIES_FIRST);
            ws.order(rsc, "start", rsc, "promote", Ordering.RUNNABLE_LEFT);
        }
    }

    private static void groupConstraints(WorkingSet ws, Rsc group) {
        boolean promotable = group.top().promotable;
        ws.order(group, "stopped", group, "start", Ordering.OPTIONAL);
        ws.order(group, "start", group, "running", Ordering.RUNNABLE_LEFT);
        ws.order(group, "stop", group, "stopped", Ordering.RUNNABLE_LEFT);
        Rsc last = null;
        Rsc lastActive = null;
        for (Rsc child : group.children) {
            int stop = Ordering.NONE;
            int stopped = Ordering.IMPLIES_THEN_PRINTED;
            int start = Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT;
            int started = Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_THEN | Ordering.IMPLIES_THEN_PRINTED;
            internalConstraints(ws, child);
            if (last == null) {
                stop |= Ordering.OPTIONAL;
                stopped = Ordering.IMPLIES_THEN;
            } else {
                Colocations.add(ws, new Coloc("group:internal_colocation", child, last, Scores.INF, null, null, null, child.critical));
            }
            if (promotable) {
                ws.order(group, "demote", child, "demote", stop | Ordering.IMPLIES_FIRST_PRINTED);
                ws.order(child, "demote", group, "demoted", stopped);
                ws.order(child, "promote", group, "promoted", started);
                ws.order(group, "promote", child, "promote", Ordering.IMPLIES_FIRST_PRINTED);
            }
            ws.order(group, "start", child, "start", Ordering.IMPLIES_FIRST_PRINTED);
            ws.order(group, "stop", child, "stop", stop | Ordering.IMPLIES_FIRST_PRINTED);
            ws.order(child, "stop", group, "stopped", stopped);
            ws.order(child, "start", group, "running", started);
            if (last != null) {
                ws.order(last, "start", child, "start", start);
                ws.order(child, "stop", last, "stop", Ordering.OPTIONAL | Ordering.RESTART);
                if (promotable) {
                    ws.order(last, "promote", child, "promote", start);
                    ws.order(child, "demote", last, "demote", Ordering.OPTIONAL);
                }
            } else {
                ws.order(group, "start", child, "start", Ordering.NONE);
                if (promotable) ws.order(group, "promote", child, "promote", Ordering.NONE);
            }
            // a partially active group still stops in sequence
            if (!child.runningOn.isEmpty()) {
                if (last != null && last.runningOn.isEmpty() && lastActive != null && !lastActive.runningOn.isEmpty()) {
                    ws.order(child, "stop", lastActive, "stop", Ordering.OPTIONAL);
                }
                lastActive = child;
            }
            last = child;
        }
        if (last != null) {
            ws.order(group, "stop", last, "stop", Ordering.IMPLIES_THEN);
            ws.order(last, "stop", group, "stopped", Ordering.OPTIONAL);
            if (promotable) {
                ws.order(group, "demote", last, "demote", Ordering.IMPLIES_THEN);
                ws.order(last, "demote", group, "demoted", Ordering.OPTIONAL);
            }
        }
    }

    private static void cloneConstraints(WorkingSet ws, Rsc clone) {
        ws.order(clone, "stopped", clone, "start", Ordering.OPTIONAL);
        ws.order(clone, "start", clone, "running", Ordering.RUNNABLE_LEFT);
        ws.order(clone, "stop", clone, "stopped", Ordering.RUNNABLE_LEFT);
        if (clone.promotable) {
            ws.order(clone, "demoted", clone, "stop", Ordering.OPTIONAL);
            ws.order(clone, "running", clone, "promote", Ordering.RUNNABLE_LEFT);
        }
        java.util.List<Rsc> children = new java.util.ArrayList<>(clone.children);
        if (clone.orderedClone) children.sort((a, b) -> a.id.compareTo(b.id));
        Rsc last = null;
        for (Rsc child : children) {
            internalConstraints(ws, child);
            ws.order(clone, "start", child, "start", Ordering.RUNNABLE_LEFT | Ordering.IMPLIES_FIRST_PRINTED);
            ws.order(child, "start", clone, "running", Ordering.IMPLIES_THEN_PRINTED);
            if (clone.orderedClone && last != null) ws.order(last, "start", child, "start", Ordering.OPTIONAL);
            ws.order(clone, "stop", child, "stop", Ordering.IMPLIES_FIRST_PRINTED);
            ws.order(child, "stop", clone, "stopped", Ordering.IMPLIES_THEN_PRINTED);
            if (clone.orderedClone && last != null) ws.order(child, "stop", last, "stop", Ordering.OPTIONAL);
            last = child;
        }
        if (clone.promotable) {
            ws.order(clone, "stopped", clone, "start", Ordering.OPTIONAL);
            ws.order(clone, "stopped", clone, "promote", Ordering.OPTIONAL);
            ws.order(clone, "demoted", clone, "start", Ordering.OPTIONAL);
            ws.order(clone, "running", clone, "promote", Ordering.OPTIONAL);
            ws.order(clone, "demoted", clone, "stop", Ordering.OPTIONAL);
            ws.order(clone, "demote", clone, "demoted", Ordering.OPTIONAL);
            ws.order(clone, "demoted", clone, "promote", Ordering.OPTIONAL);
            last = null;
            for (Rsc child : clone.children) {
                ws.order(child, "demote", child, "promote", Ordering.OPTIONAL);
                ws.order(clone, "promote", child, "promote", Ordering.OPTIONAL);
                ws.order(child, "promote", clone, "promoted", Ordering.OPTIONAL);
                if (last != null && clone.orderedClone) ws.order(last, "promote", child, "promote", Ordering.OPTIONAL);
                ws.order(clone, "demote", child, "demote", Ordering.IMPLIES_FIRST_PRINTED);
                ws.order(child, "demote", clone, "demoted", Ordering.IMPLIES_THEN_PRINTED);
                if (last != null && clone.orderedClone) ws.order(child, "demote", last, "demote", Ordering.OPTIONAL);
                last = child;
            }
        }
    }

    // ---------------------------------------------------------------- actions

    static void create(WorkingSet ws, Rsc rsc) {
        switch (rsc.variant) {
            case PRIMITIVE -> PrimitiveActions.create(ws, rsc);
            case GROUP -> groupActions(ws, rsc);
            case CLONE -> cloneActions(ws, rsc);
        }
    }

    private static void groupActions(WorkingSet ws, Rsc group) {
        for (Rsc child : group.children) create(ws, child);
        pseudo(ws, group, "start", true, true);
        pseudo(ws, group, "running", true, true);
        pseudo(ws, group, "stop", true, true);
        pseudo(ws, group, "stopped", true, true);
        if (group.top().promotable) {
            pseudo(ws, group, "demote", true, true);
            pseudo(ws, group, "demoted", true, true);
            pseudo(ws, group, "promote", true, true);
            pseudo(ws, group, "promoted", true, true);
        }
    }

    /** A collective's pseudo action; one that completes something is runnable only once its members make it so. */
    private static Act pseudo(WorkingSet ws, Rsc rsc, String task, boolean optional, boolean runnable) {
        Act a = ws.pseudo(rsc, task, optional);
        if (runnable) a.set(Act.RUNNABLE); else a.clear(Act.RUNNABLE);
        return a;
    }

    private static void cloneActions(WorkingSet ws, Rsc clone) {
        boolean active = false, starting = false, stopping = false, dependentMigrations = true;
        for (Rsc child : clone.children) {
            create(ws, child);
            boolean[] s = new boolean[3];
            pseudoStatus(child, s);
            if (s[0] && s[1]) dependentMigrations = false;
            stopping |= s[0];
            starting |= s[1];
            active |= s[2];
        }
        Act start = pseudo(ws, clone, "start", !starting, true);
        Act started = pseudo(ws, clone, "running", !starting, active || starting);
        Act stop = pseudo(ws, clone, "stop", !stopping, true);
        Act stopped = pseudo(ws, clone, "stopped", !stopping, true);
        if (dependentMigrations) stop.set(Act.MIGRATE_RUNNABLE);
        Notifications.clone(ws, clone, start, started, stop, stopped);
        if (clone.promotable) {
            boolean promoting = false, demoting = false;
            for (Rsc child : clone.children) {
                boolean[] pd = new boolean[2];
                promotableStatus(child, pd);
                promoting |= pd[0];
                demoting |= pd[1];
            }
            Act promote = pseudo(ws, clone, "promote", !promoting, true);
            Act promoted = pseudo(ws, clone, "promoted", !promoting, true);
            Act demote = pseudo(ws, clone, "demote", !demoting, true);
            Act demoted = pseudo(ws, clone, "demoted", !demoting, true);
            Notifications.promotable(ws, clone, promote, promoted, demote, demoted);
        }
    }

    /** Whether an instance stops, starts, is active: {stopping, starting, active}. */
    private static void pseudoStatus(Rsc r, boolean[] s) {
        if (!r.isPrimitive()) {
            for (Rsc c : r.children) pseudoStatus(c, s);
            return;
        }
        if (!r.runningOn.isEmpty()) s[2] = true;
        for (int i = r.actions.size() - 1; i >= 0; i--) {
            Act a = r.actions.get(i);
            if (s[0] && s[1]) return;
            if (a.optional()) continue;
            if (!a.pseudo() && !a.runnable()) continue;
            if (a.task.equals("stop") && (a.pseudo() || a.runnable())) s[0] = true;
            else if (a.task.equals("start") && a.runnable()) s[1] = true;
        }
    }

    /** Whether an instance promotes or demotes: {promoting, demoting}. */
    private static void promotableStatus(Rsc r, boolean[] pd) {
        if (!r.isPrimitive()) {
            for (Rsc c : r.children) promotableStatus(c, pd);
            return;
        }
        for (Act a : r.actions) {
            if (a.optional()) continue;
            if (a.task.equals("promote")) pd[0] = true;
            if (a.task.equals("demote")) pd[1] = true;
        }
    }
}
