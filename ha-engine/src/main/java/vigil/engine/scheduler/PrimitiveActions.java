package vigil.engine.scheduler;

import vigil.api.model.Role;

/**
 * The actions that take one primitive from its current role and node to its next (Pacemaker's primitive actions):
 * down from the current role step by step (demote, stop) where it must restart, move or recover, then up to the next
 * role (start, promote), each step required or optional; recurring monitors; live migration where allowed.
 */
final class PrimitiveActions {
    private PrimitiveActions() {}

    static void create(WorkingSet ws, Rsc rsc) {
        SchedNode chosen = rsc.assigned;
        if (rsc.nextRole == null) {
            rsc.nextRole = chosen == null ? Role.STOPPED : rsc.inPromotable() ? Role.UNPROMOTED : Role.STARTED;
            rsc.nextRoleWhy = "allocation";
        }
        int allActive = rsc.runningOn.size();
        int cleanActive = 0;
        for (int i = 0; i < allActive; i++) if (rsc.runningOn.get(i).online && !rsc.runningOn.get(i).unclean) cleanActive++;
        SchedNode current = rsc.activeNode();
        boolean needStop = false;
        boolean needPromote = false;
        boolean moving = false;
        boolean allowMigrate = rsc.allowMigrate;
        boolean multiplyActive;
        if (allActive == 2 && cleanActive == 2 && chosen != null && rsc.migrationSource != null && rsc.migrationTarget != null
                && current == rsc.migrationSource && chosen == rsc.migrationTarget) {
            multiplyActive = false; // a partial migration to the chosen node: continue it
        } else if (!rsc.needsFencing) {
            multiplyActive = cleanActive > 1;
        } else {
            multiplyActive = allActive > 1;
        }
        if (multiplyActive) {
            if (rsc.migrationTarget != null && rsc.migrationSource != null) {
                multiplyActive = false; // a migration toward another node than chosen: stopped on both
            }
            if (rsc.multipleActive.equals("stop_start") || rsc.multipleActive.equals("stop_unexpected")) needStop = true;
            if (rsc.multipleActive.equals("stop_unexpected")) rsc.stopUnexpected = true;
            rsc.migrationSource = null;
            rsc.migrationTarget = null;
            allowMigrate = false;
        }
        if (!multiplyActive) rsc.stopUnexpected = false;
        if (rsc.startPending) {
            Act start = ws.action(rsc, "start", chosen, true);
            start.set(Act.PRINT_ALWAYS);
        }
        if (current != null && chosen != null && current != chosen) {
            moving = true;
            needStop = true;
        } else if (rsc.failed) {
            if (rsc.stopToRecover) needStop = true;
            else if (rsc.nextRole == Role.PROMOTED) needPromote = true;
        } else if (rsc.blocked) {
            needStop = true;
        } else if (Rsc.rank(rsc.role) > Rsc.rank(Role.STARTED) && current != null && chosen != null) {
            Act start = ws.action(rsc, "start", chosen, true);
            if (!start.optional()) needStop = true;
        }
        // down to Stopped, as far as a restart needs (optional otherwise)
        rsc.restarting = true;
        Role role = rsc.role;
        while (role != Role.STOPPED) {
            Role next = next(role, Role.STOPPED);
            if (!step(ws, rsc, role, next, current, !needStop)) break;
            role = next;
        }
        // back up to the current role
        while (Rsc.rank(rsc.role) <= Rsc.rank(rsc.nextRole) && role != rsc.role && !rsc.blocked) {
            boolean required = needStop;
            Role next = next(role, rsc.role);
            if (next == Role.PROMOTED && needPromote) required = true;
            if (!step(ws, rsc, role, next, chosen, !required)) break;
            role = next;
        }
        rsc.restarting = false;
        if (rsc.role == Role.PROMOTED && rsc.nextRole == Role.PROMOTED && current != null && current == chosen) {
            // a promoted copy restarted where it stays promoted (by an ordering that requires its start later) is
            // promoted again in the same transition; Pacemaker 2.1.5 leaves it unpromoted until the next one, while
            // what must run with its promoted role already runs
            ws.order(rsc, "start", rsc, "promote", Ordering.IMPLIES_THEN);
        }
        // the steps that are needed from the current role to the next
        role = rsc.role;
        while (role != rsc.nextRole) {
            Role next = next(role, rsc.nextRole);
            if (!step(ws, rsc, role, next, chosen, false)) break;
            role = next;
        }
        if (!rsc.blocked && (rsc.nextRole != Role.STOPPED || !rsc.managed)) {
            Act start = ws.action(rsc, "start", chosen, true);
            monitors(ws, rsc, start, chosen);
        }
        if (rsc.migrationTarget != null && (chosen == null || rsc.migrationTarget != chosen)) {
            allowMigrate = false;
        } else if (!moving || !rsc.managed || rsc.failed || rsc.startPending || current != null && current.unclean
                || Rsc.rank(rsc.nextRole) < Rsc.rank(Role.STARTED)) {
            allowMigrate = false;
        }
        if (allowMigrate) Migration.create(ws, rsc, current, chosen);
    }

    /** The next role on the way from {@code from} to {@code to} (Pacemaker's role state matrix). */
    static Role next(Role from, Role to) {
        return switch (from) {
            case STOPPED -> to == Role.STOPPED ? Role.STOPPED : to == Role.STARTED ? Role.STARTED : Role.UNPROMOTED;
            case STARTED -> to;
            case UNPROMOTED -> to == Role.PROMOTED ? Role.PROMOTED : to == Role.UNPROMOTED ? Role.UNPROMOTED : Role.STOPPED;
            case PROMOTED -> to == Role.PROMOTED ? Role.PROMOTED : Role.UNPROMOTED;
        };
    }

    /** The action between two adjacent roles (Pacemaker's role action matrix); false when the way is blocked. */
    private static boolean step(WorkingSet ws, Rsc rsc, Role from, Role to, SchedNode node, boolean optional) {
        switch (from) {
            case STOPPED:
                if (to == Role.STOPPED) return true;
                if (to == Role.PROMOTED) return false;
                return start(ws, rsc, node, optional);
            case STARTED:
                if (to == Role.STOPPED) return stop(ws, rsc, optional);
                if (to == Role.PROMOTED) return promote(ws, rsc, node, optional);
                return true;
            case UNPROMOTED:
                if (to == Role.STOPPED || to == Role.STARTED) return stop(ws, rsc, optional);
                if (to == Role.PROMOTED) return promote(ws, rsc, node, optional);
                return true;
            default:
                if (to == Role.PROMOTED) return true;
                return demote(ws, rsc, optional);
        }
    }

    static boolean stop(WorkingSet ws, Rsc rsc, boolean optional) {
        // runningOn is settled by now (the status unpacker fills it): it is read in place
        for (int i = 0; i < rsc.runningOn.size(); i++) {
            SchedNode n = rsc.runningOn.get(i);
            boolean opt = optional;
            if (rsc.migrationTarget != null) {
                if (rsc.migrationTarget == n && rsc.assigned == rsc.migrationTarget) continue;
                opt = false;
            }
            if (expectedNode(rsc, n)) continue; // multiple-active=stop_unexpected: it keeps running where it belongs
            Act stop = ws.action(rsc, "stop", n, opt);
            if (rsc.assigned == null) setReason(stop, "node availability", true);
            else if (rsc.stopUnexpected && rsc.restarting) setReason(stop, "being multiply active", false);
            if (!rsc.managed) stop.clear(Act.RUNNABLE);
        }
        return true;
    }

    static boolean start(WorkingSet ws, Rsc rsc, SchedNode next, boolean optional) {
        Act start = ws.action(rsc, "start", next, true);
        if (start.runnable() && !optional) start.clear(Act.OPTIONAL);
        if (expectedNode(rsc, next)) start.set(Act.PSEUDO); // already running where it belongs
        return true;
    }

    /** The node a multiply active resource with multiple-active=stop_unexpected keeps running on while it restarts. */
    private static boolean expectedNode(Rsc rsc, SchedNode n) {
        return rsc.stopUnexpected && rsc.restarting && rsc.nextRole != null && rsc.nextRole != Role.STOPPED && rsc.assigned != null && rsc.assigned == n;
    }

    static boolean promote(WorkingSet ws, Rsc rsc, SchedNode next, boolean optional) {
        if (next == null) return false;
        boolean runnable = true;
        for (Act a : WorkingSet.find(rsc, "start", next, false)) if (!a.runnable()) runnable = false;
        if (runnable) {
            ws.action(rsc, "promote", next, optional);
            return true;
        }
        for (Act a : WorkingSet.find(rsc, "promote", next, false)) a.clear(Act.RUNNABLE);
        return true;
    }

    static boolean demote(WorkingSet ws, Rsc rsc, boolean optional) {
        for (int i = 0; i < rsc.runningOn.size(); i++) ws.action(rsc, "demote", rsc.runningOn.get(i), optional);
        return true;
    }

    static void setReason(Act a, String reason, boolean overwrite) {
        if (a.reason == null || overwrite) a.reason = reason;
    }

    /**
     * Recurring monitors after what makes the resource active in its next role. A monitor stays optional while its
     * resource keeps running as it is (its monitor already runs; the executor keeps it) and becomes required with the
     * start, so that a resource restarted because of an ordering (made required later) is monitored again.
     */
    private static void monitors(WorkingSet ws, Rsc rsc, Act start, SchedNode node) {
        if (node == null || !rsc.isPrimitive()) return;
        Role next = rsc.nextRole;
        long intervalMs = next == Role.PROMOTED ? rsc.promotedMonitorMs : rsc.monitorMs;
        if (intervalMs < 0) return;
        Act after = null;
        if (next == Role.PROMOTED) after = WorkingSet.first(rsc, "promote", node);
        else if (rsc.role == Role.PROMOTED && rsc.activeNode() == node) after = WorkingSet.first(rsc, "demote", node);
        boolean startRequired = !start.optional();
        boolean roleChange = after != null && !after.optional();
        Act mon = ws.action(rsc, "monitor", intervalMs, node, !startRequired && !roleChange);
        if (next == Role.STOPPED) mon.set(Act.STOPPED_MONITOR); else mon.clear(Act.STOPPED_MONITOR);
        if (!start.runnable() || !node.online || node.unclean) mon.clear(Act.RUNNABLE);
        ws.order(rsc, "start", null, null, null, mon, Ordering.IMPLIES_THEN | Ordering.RUNNABLE_LEFT);
        if (after != null) ws.order(rsc, after.task, null, null, null, mon, Ordering.OPTIONAL | Ordering.RUNNABLE_LEFT);
    }
}
