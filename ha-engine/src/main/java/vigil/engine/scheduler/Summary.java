package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import vigil.api.model.Role;

/**
 * The transition summary: one change per node fenced and per resource whose role or node changes, as crm_simulate
 * prints it (Pacemaker's LogActions): Start, Stop, Restart, Recover, Move, Migrate, Promote, Demote, Re-promote,
 * with the reason an action is needed ("due to node availability", "due to required X start") or blocked.
 */
final class Summary {
    private final WorkingSet ws;
    private final List<Transition.Change> out = new ArrayList<>();

    /** Starts with the fences; {@link #add} adds each top-level resource's changes. */
    Summary(WorkingSet ws) {
        this.ws = ws;
        // the fences are among the actions of no resource, which the working set keeps by key: looked for there, not
        // in every action
        List<Act> fences = new ArrayList<>();
        for (Act a : ws.pseudoByKey.values()) if (a.task.equals("stonith") && !a.optional()) fences.add(a);
        fences.sort((a, b) -> Integer.compare(b.id, a.id)); // newest first, as Pacemaker lists them
        for (Act a : fences) {
            String node = a.node.isGuest() ? a.node.id + " (resource: " + a.node.connection.container.id + ")" : a.node.id;
            out.add(new Transition.Change("Fence (" + a.fenceAction + ")", "", node, a.reason == null ? "" : a.reason));
        }
    }

    /** Adds the changes of a top-level resource and of everything in it; in the order of {@link WorkingSet#resources}. */
    void add(Rsc top) { resource(top); }

    List<Transition.Change> changes() { return out; }

    private void resource(Rsc rsc) {
        if (!rsc.isPrimitive()) {
            List<Rsc> children = rsc.children;
            if (rsc.isClone() && rsc.unique) {
                // placing sorts the instances; the instances of a globally-unique clone are listed by their number
                children = new ArrayList<>(children);
                children.sort(java.util.Comparator.comparingInt(Rsc::instanceNumber));
            }
            for (Rsc c : children) resource(c);
            return;
        }
        SchedNode next = rsc.assigned;
        SchedNode current = null;
        Role role = rsc.role;
        if (!rsc.runningOn.isEmpty()) {
            current = rsc.currentNode();
            if (role == Role.STOPPED) role = Role.STARTED;
        }
        if (current == null && rsc.orphan) return;
        if (!rsc.managed || current == null && next == null) return;
        boolean moving = current != null && next != null && current != next;
        Act start = first(rsc, "start", next, false);
        SchedNode startNode = start == null || !start.runnable() ? null : current;
        Act stop = first(rsc, "stop", startNode, startNode == null);
        if (stop == null && rsc.stopUnexpected) stop = first(rsc, "stop", null, true);
        Act promote = first(rsc, "promote", next, false);
        Act demote = first(rsc, "demote", next, false);
        Role nextRole = rsc.nextRole == null ? Role.STOPPED : rsc.nextRole;
        if (role == nextRole) {
            if (next == null) return;
            Act migrate = first(rsc, "migrate_from", next, false);
            if (migrate != null && current != null && migrate.runnable()) {
                item("Migrate", rsc, role, nextRole, current, next, start, null);
            } else if (start == null || start.optional()) {
                if (demote != null && promote != null && !demote.optional() && !promote.optional()) {
                    item("Re-promote", rsc, role, nextRole, current, next, promote, demote);
                }
            } else if (!start.runnable()) {
                item("Stop", rsc, role, nextRole, current, null, stop, stop != null && stop.reason != null ? stop : start);
            } else if (moving && current != null) {
                item(rsc.failed ? "Recover" : "Move", rsc, role, nextRole, current, next, stop, null);
            } else if (rsc.failed) {
                item("Recover", rsc, role, nextRole, current, null, stop, null);
            } else {
                item("Restart", rsc, role, nextRole, current, next, start, null);
            }
            return;
        }
        if (stop != null && (nextRole == Role.STOPPED || start != null && !start.runnable())) {
            for (SchedNode n : rsc.runningOn) {
                Act stopOp = first(rsc, "stop", n, false);
                item("Stop", rsc, role, nextRole, n, null, stopOp, stopOp != null && stopOp.reason != null ? stopOp : start);
            }
        } else if (stop != null && rsc.failed && rsc.stopToRecover) {
            item("Recover", rsc, role, nextRole, current, next, stop, start);
        } else if (moving) {
            item("Move", rsc, role, nextRole, current, next, stop, null);
        } else if (stop != null && !stop.optional()) {
            item("Restart", rsc, role, nextRole, current, next, start, null);
        } else if (role == Role.PROMOTED) {
            item("Demote", rsc, role, nextRole, current, next, demote, null);
        } else if (nextRole == Role.PROMOTED) {
            item("Promote", rsc, role, nextRole, current, next, promote, null);
        } else if (role == Role.STOPPED && Rsc.rank(nextRole) > Rsc.rank(Role.STOPPED)) {
            item("Start", rsc, role, nextRole, current, next, start, null);
        }
    }

    /** The newest action of {@code rsc} with this task on {@code node} (on any node when {@code anyNode}). */
    private static Act first(Rsc rsc, String task, SchedNode node, boolean anyNode) {
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            Act a = rsc.actions.get(i);
            if (a.task.equals(task) && a.intervalMs == 0 && (anyNode || a.node == node)) return a;
        }
        return null;
    }

    private void item(String change, Rsc rsc, Role role, Role nextRole, SchedNode origin, SchedNode destination, Act action, Act source) {
        if (source == null) source = action;
        boolean needRole = Rsc.rank(role) > Rsc.rank(Role.STARTED) || Rsc.rank(nextRole) > Rsc.rank(Role.UNPROMOTED);
        boolean sameHost = origin != null && destination != null && origin == destination;
        boolean sameRole = role == nextRole;
        String details;
        if (needRole && origin == null) details = role.text() + " -> " + nextRole.text() + " " + destination.id;
        else if (origin == null) details = destination.id;
        else if (needRole && destination == null) details = role.text() + " " + origin.id;
        else if (destination == null) details = origin.id;
        else if (needRole && sameRole && sameHost) details = role.text() + " " + origin.id;
        else if (sameRole && sameHost) details = origin.id;
        else if (needRole && sameRole) details = origin.id + " -> " + destination.id + " " + role.text();
        else if (sameRole) details = origin.id + " -> " + destination.id;
        else if (sameHost) details = role.text() + " -> " + nextRole.text() + " " + origin.id;
        else details = role.text() + " " + origin.id + " -> " + nextRole.text() + " " + destination.id;
        String reason = "";
        boolean runnable = action != null && action.runnable();
        if (source != null && source.reason != null && !runnable) reason = "due to " + source.reason + " (blocked)";
        else if (source != null && source.reason != null) reason = "due to " + source.reason;
        else if (!runnable) reason = "blocked";
        out.add(new Transition.Change(change, rsc.id, details, reason));
    }
}
