package vigil.engine.scheduler;

import java.util.Arrays;
import java.util.List;
import vigil.api.model.Role;

/**
 * Propagates what orderings imply between actions until nothing changes (Pacemaker's update of actions along their
 * orderings): an action that must wait for one that cannot run cannot run either ("unrunnable rsc start"), one that
 * follows a required action may become required ("required rsc start": a restart), a start that cannot happen makes
 * the stop before it required, and so on. Each change remembers the action that caused it: that is the reason the
 * transition summary prints.
 */
final class ActionGraph {
    static final int UPDATED_FIRST = 1;
    static final int UPDATED_THEN = 2;
    static final int DISABLE = 4;

    private final WorkingSet ws;

    /**
     * For an action that needs only some of the actions before it ({@link Act#REQUIRES_ANY}), by id: how many of them
     * can run, as counted by its latest update. Made at the first such action: most plans have none.
     */
    private int[] runnableBefore;

    private ActionGraph(WorkingSet ws) { this.ws = ws; }

    private int[] runnableBefore(Act a) {
        if (runnableBefore == null || a.id >= runnableBefore.length) {
            runnableBefore = runnableBefore == null ? new int[ws.actions.size()] : Arrays.copyOf(runnableBefore, ws.actions.size());
        }
        return runnableBefore;
    }

    /**
     * Passes over all actions until nothing changes: an action can become unrunnable late (a start blocked by its
     * colocation, a promote by what it is ordered after) after what is ordered after it was visited. Pacemaker 2.1
     * makes one pass, and then starts or restarts what depends on an action that cannot run.
     */
    static void update(WorkingSet ws) {
        ActionGraph g = new ActionGraph(ws);
        int[] before = new int[ws.actions.size()]; // every action's flags before a pass (one array unless a pass adds actions)
        for (int pass = 0; pass < 20; pass++) {
            int count = ws.actions.size();
            if (before.length != count) before = new int[count];
            for (int i = 0; i < count; i++) before[i] = ws.actions.get(i).flags;
            for (int i = count - 1; i >= 0; i--) g.updateAction(ws.actions.get(i), 0);
            boolean changed = ws.actions.size() != count;
            for (int i = 0; i < count && !changed; i++) changed = before[i] != ws.actions.get(i).flags;
            if (!changed) break;
        }
    }

    private void updateAction(Act then, int depth) {
        if (depth > 2000) return; // a pathological chain: what is left is settled by the outer passes
        int lastFlags = then.flags;
        int changed = 0;
        if (then.is(Act.REQUIRES_ANY)) {
            runnableBefore(then)[then.id] = 0;
            ws.requiredRunnableBefore.putIfAbsent(then, 1);
            then.clear(Act.RUNNABLE);
        }
        // a group's start is where the group is placed; the variant is read off the action, so that a pass over
        // primitives' actions does not load each resource
        SchedNode thenNode = then.variant == Rsc.Variant.GROUP && then.task.equals("start") ? then.rsc.location() : then.node;
        for (int i = then.before().size() - 1; i >= 0; i--) {
            if (i >= then.before().size()) continue;
            Act first = then.before().other(i);
            SchedNode firstNode = first.variant == Rsc.Variant.GROUP && first.task.equals("start") ? first.rsc.location() : first.node;
            if ((then.before().type(i) & Ordering.SAME_NODE) != 0 && firstNode != null && thenNode != null && firstNode != thenNode) {
                then.before().setType(i, Ordering.NONE);
                continue;
            }
            changed &= ~UPDATED_FIRST;
            if (first.rsc != null && (then.before().type(i) & Ordering.THEN_CANCELS_FIRST) != 0 && !then.optional()) first.set(Act.OPTIONAL);
            Act expanded = first;
            if (first.rsc != null && then.rsc != null && first.rsc != then.rsc && first.variant != Rsc.Variant.PRIMITIVE && !first.rsc.isAncestorOf(then.rsc)) {
                expanded = expand(first);
            }
            int firstFlags = flagsOf(expanded, thenNode);
            int thenFlags = flagsOf(then, firstNode);
            if (expanded == first) {
                changed |= updateOrdered(expanded, then, then.node, firstFlags & ~Act.PSEUDO, thenFlags, then.before().type(i));
            } else if (WorkingSet.orderActions(expanded, then, then.before().type(i))) {
                changed |= UPDATED_THEN | DISABLE;
            }
            if ((changed & DISABLE) != 0) {
                changed &= ~DISABLE;
                then.before().setType(i, Ordering.NONE);
            }
            if ((changed & UPDATED_FIRST) != 0) {
                for (int k = expanded.after().size() - 1; k >= 0; k--) updateAction(expanded.after().other(k), depth + 1);
                updateAction(expanded, depth + 1);
            }
        }
        if (then.is(Act.REQUIRES_ANY)) {
            if (lastFlags != then.flags) changed |= UPDATED_THEN;
            else changed &= ~UPDATED_THEN;
        }
        if ((changed & UPDATED_THEN) != 0) {
            if ((lastFlags & Act.RUNNABLE) != 0 && !then.runnable()) blockColocatedStarts(then, depth);
            updateAction(then, depth + 1);
            for (int k = then.after().size() - 1; k >= 0; k--) updateAction(then.after().other(k), depth + 1);
        }
    }

    /** A collective's start / stop / promote / demote stands for its completion when another resource waits for it. */
    private static Act expand(Act a) {
        Rsc rsc = a.rsc;
        if (rsc == null || rsc.isPrimitive()) return a;
        String to = switch (a.task) {
            case "start" -> "running";
            case "stop" -> "stopped";
            case "promote" -> "promoted";
            case "demote" -> "demoted";
            default -> null;
        };
        if (to == null) return a;
        boolean notify = (rsc.parent == null) && rsc.notify;
        Act r = null;
        if (notify) r = Notifications.confirmedPost(rsc, to);
        if (r == null) r = WorkingSet.find(rsc, to, 0, null);
        return r == null ? a : r;
    }

    /** An action's flags as orderings see them: a group's or clone's pseudo action summarises its members' (Pacemaker's action_flags). */
    private int flagsOf(Act a, SchedNode node) {
        if (a.rsc == null) return a.flags;
        int flags = flagsFor(a, null);
        if (a.variant == Rsc.Variant.CLONE && node != null) {
            int cf = flagsFor(a, node);
            if ((cf & Act.RUNNABLE) == 0 && (flags & Act.RUNNABLE) != 0) cf |= Act.RUNNABLE;
            flags = cf;
        }
        return flags;
    }

    private int flagsFor(Act a, SchedNode node) {
        return switch (a.variant) {
            case PRIMITIVE -> a.flags;
            case GROUP -> groupFlags(a, node);
            case CLONE -> cloneFlags(a, node);
        };
    }

    private int groupFlags(Act a, SchedNode node) {
        int flags = Act.OPTIONAL | Act.RUNNABLE | Act.PSEUDO;
        for (Rsc child : a.rsc.children) {
            String task = memberTask(a.task);
            Act ca = firstOf(child, task, node);
            if (ca != null) {
                int cf = flagsFor(ca, node);
                if ((flags & Act.OPTIONAL) != 0 && (cf & Act.OPTIONAL) == 0) {
                    flags &= ~Act.OPTIONAL;
                    a.clear(Act.OPTIONAL);
                }
                if (!task.equals(a.task) && (flags & Act.RUNNABLE) != 0 && (cf & Act.RUNNABLE) == 0) {
                    flags &= ~Act.RUNNABLE;
                    a.clear(Act.RUNNABLE);
                }
            } else if (!task.equals("stop") && !task.equals("demote")) {
                flags &= ~Act.RUNNABLE;
            }
        }
        return flags;
    }

    private int cloneFlags(Act a, SchedNode node) {
        int flags = Act.OPTIONAL | Act.RUNNABLE | Act.PSEUDO;
        String task = memberTask(a.task);
        boolean anyRunnable = false;
        for (Rsc child : a.rsc.children) {
            Act ca = firstOf(child, task, child.isPrimitive() ? node : null);
            if (ca == null) continue;
            int cf = flagsFor(ca, node);
            if ((flags & Act.OPTIONAL) != 0 && (cf & Act.OPTIONAL) == 0) {
                flags &= ~Act.OPTIONAL;
                a.clear(Act.OPTIONAL);
            }
            if ((cf & Act.RUNNABLE) != 0) anyRunnable = true;
        }
        if (!anyRunnable) {
            flags &= ~Act.RUNNABLE;
            if (node == null) a.clear(Act.RUNNABLE);
        }
        return flags;
    }

    /** The member task a collective's action stands for: running -> start, stopped -> stop, ... */
    private static String memberTask(String task) {
        return switch (task) {
            case "running" -> "start";
            case "stopped" -> "stop";
            case "promoted" -> "promote";
            case "demoted" -> "demote";
            default -> task;
        };
    }

    private static Act firstOf(Rsc r, String task, SchedNode node) {
        for (int i = r.actions.size() - 1; i >= 0; i--) {
            Act a = r.actions.get(i);
            if (a.task.equals(task) && a.intervalMs == 0 && (node == null || a.node == node)) return a;
        }
        return null;
    }

    // ---------------------------------------------------------------- one ordering

    /** Applies what one ordering edge implies (Pacemaker's graph_update_action), bit by bit of its type. */
    private int updateOrdered(Act first, Act then, SchedNode node, int firstFlags, int thenFlags, int type) {
        int changed = 0;
        if ((type & Ordering.IMPLIES_THEN_ON_NODE) != 0) {
            type &= ~Ordering.IMPLIES_THEN_ON_NODE;
            type |= Ordering.IMPLIES_THEN;
            node = first.node;
        }
        if ((type & Ordering.IMPLIES_THEN) != 0) {
            if (then.rsc != null) changed |= dispatch(first, then, node, firstFlags & Act.OPTIONAL, Act.OPTIONAL, Ordering.IMPLIES_THEN);
            else if ((firstFlags & Act.OPTIONAL) == 0 && then.optional()) {
                then.clear(Act.OPTIONAL);
                changed |= UPDATED_THEN;
            }
        }
        if ((type & Ordering.RESTART) != 0 && then.rsc != null) {
            changed |= dispatch(first, then, node, firstFlags, Act.OPTIONAL | Act.RUNNABLE, Ordering.RESTART);
        }
        if ((type & Ordering.IMPLIES_FIRST) != 0) {
            if (first.rsc != null) changed |= dispatch(first.variant, first, then, node, firstFlags, Act.OPTIONAL, Ordering.IMPLIES_FIRST);
            else if ((thenFlags & Act.OPTIONAL) == 0 && first.optional()) {
                first.clear(Act.OPTIONAL);
                changed |= UPDATED_FIRST;
            }
        }
        if ((type & Ordering.PROMOTED_IMPLIES_FIRST) != 0 && then.rsc != null) {
            changed |= dispatch(first, then, node, firstFlags & Act.OPTIONAL, Act.OPTIONAL, Ordering.PROMOTED_IMPLIES_FIRST);
        }
        if ((type & Ordering.ONE_OR_MORE) != 0) {
            if (then.rsc != null) {
                changed |= dispatch(first, then, node, firstFlags, Act.RUNNABLE, Ordering.ONE_OR_MORE);
            } else if ((firstFlags & Act.RUNNABLE) != 0) {
                int runnable = ++runnableBefore(then)[then.id];
                if (runnable >= ws.requiredRunnableBefore.getOrDefault(then, 0) && !then.runnable()) {
                    then.set(Act.RUNNABLE);
                    changed |= UPDATED_THEN;
                }
            }
        }
        if ((type & Ordering.RUNNABLE_LEFT) != 0) {
            if (then.rsc != null) changed |= dispatch(first, then, node, firstFlags, Act.RUNNABLE, Ordering.RUNNABLE_LEFT);
            else if ((firstFlags & Act.RUNNABLE) == 0 && then.runnable()) {
                then.clear(Act.RUNNABLE);
                changed |= UPDATED_THEN;
            }
        }
        if ((type & Ordering.IMPLIES_FIRST_MIGRATABLE) != 0 && then.rsc != null) {
            changed |= dispatch(first, then, node, firstFlags, Act.OPTIONAL, Ordering.IMPLIES_FIRST_MIGRATABLE);
        }
        if ((type & Ordering.PSEUDO_LEFT) != 0 && then.rsc != null) {
            changed |= dispatch(first, then, node, firstFlags, Act.OPTIONAL, Ordering.PSEUDO_LEFT);
        }
        if ((type & Ordering.ASYMMETRICAL) != 0 && then.rsc != null) {
            changed |= dispatch(first, then, node, firstFlags, Act.RUNNABLE, Ordering.ASYMMETRICAL);
        }
        if (first.runnable() && (type & Ordering.IMPLIES_THEN_PRINTED) != 0 && (firstFlags & Act.OPTIONAL) == 0) then.set(Act.PRINT_ALWAYS);
        if ((type & Ordering.IMPLIES_FIRST_PRINTED) != 0 && (thenFlags & Act.OPTIONAL) == 0) first.set(Act.PRINT_ALWAYS);
        if ((type & (Ordering.IMPLIES_THEN | Ordering.IMPLIES_FIRST | Ordering.RESTART)) != 0 && first.rsc != null && first.task.equals("stop")
                && !first.runnable() && !first.rsc.managed && first.rsc.blocked) {
            if (then.runnable()) {
                then.clear(Act.RUNNABLE);
                changed |= UPDATED_THEN;
            }
        }
        return changed;
    }

    /** The update for one ordering type, as the 'then' resource's variant does it. */
    private int dispatch(Act first, Act then, SchedNode node, int flags, int filter, int type) {
        return dispatch(then.variant, first, then, node, flags, filter, type);
    }

    /** The update for one ordering type, as {@code variant} does it (the 'then' resource's, or for implies-first the 'first''s). */
    private int dispatch(Rsc.Variant variant, Act first, Act then, SchedNode node, int flags, int filter, int type) {
        if (variant == Rsc.Variant.PRIMITIVE) return updatePrimitive(first, then, node, flags, filter, type);
        if (variant == Rsc.Variant.GROUP) {
            int changed = updatePrimitive(first, then, node, flags, filter, type);
            if (then.rsc == null) return changed;
            for (Rsc child : then.rsc.children) {
                Act ca = firstOf(child, then.task, node);
                if (ca != null) changed |= dispatch(first, ca, node, flags, filter, type);
            }
            return changed;
        }
        if (Interleave.applies(first, then)) return Interleave.update(ws, this, first, then, node, flags, filter, type);
        int changed = updatePrimitive(first, then, node, flags, filter, type);
        if (then.rsc == null) return changed;
        for (Rsc child : then.rsc.children) {
            Act ca = firstOf(child, then.task, node);
            if (ca == null) continue;
            int cf = flagsFor(ca, node);
            int childChanged = 0;
            if ((cf & Act.RUNNABLE) != 0) childChanged = dispatch(first, ca, node, flags, filter, type);
            changed |= childChanged;
            if ((childChanged & UPDATED_THEN) != 0) {
                for (int k = ca.after().size() - 1; k >= 0; k--) updateAction(ca.after().other(k), 1);
            }
        }
        return changed;
    }

    /** Pacemaker's native update of an ordered pair for one ordering type. */
    int updatePrimitive(Act first, Act then, SchedNode node, int flags, int filter, int type) {
        int thenBefore = then.flags;
        int firstBefore = first.flags;
        if ((type & Ordering.ASYMMETRICAL) != 0) {
            Rsc thenRsc = then.rsc;
            Role role = thenRsc == null ? null : thenRsc.state(true);
            if (thenRsc == null) {
                // nothing
            } else if (role == Role.STOPPED && then.task.equals("stop")) {
                // already stopped: nothing to order
            } else if (Rsc.rank(role) >= Rsc.rank(Role.STARTED) && then.task.equals("start") && then.optional() && then.node != null
                    && thenRsc.runningOn.size() == 1 && thenRsc.runningOn.get(0) == then.node) {
                // already running there: nothing to do unless it restarts
            } else if (!first.runnable()) {
                implies(then, first, Act.OPTIONAL);
                implies(then, first, Act.RUNNABLE);
            }
        }
        if ((type & Ordering.IMPLIES_FIRST) != 0 && (thenBefore & Act.OPTIONAL) == 0) {
            // As Pacemaker 2.1 has it, this tests 'first' twice, so it makes 'first' required only when its summarised
            // flags (a clone's) already say it is: in practice a required 'then' does not require its 'first'.
            if ((filter & Act.OPTIONAL) != 0 && (flags & Act.OPTIONAL) == 0 && first.optional()) implies(first, then, Act.OPTIONAL);
            if ((flags & Act.MIGRATE_RUNNABLE) != 0 && !then.is(Act.MIGRATE_RUNNABLE)) implies(first, then, Act.MIGRATE_RUNNABLE);
        }
        if ((type & Ordering.PROMOTED_IMPLIES_FIRST) != 0) {
            if ((filter & Act.OPTIONAL) != 0 && !then.optional() && then.rsc != null && then.rsc.role == Role.PROMOTED) {
                implies(first, then, Act.OPTIONAL);
                if (first.is(Act.MIGRATE_RUNNABLE) && !then.is(Act.MIGRATE_RUNNABLE)) implies(first, then, Act.MIGRATE_RUNNABLE);
            }
        }
        if ((type & Ordering.IMPLIES_FIRST_MIGRATABLE) != 0 && (filter & Act.OPTIONAL) != 0) {
            if (!then.is(Act.MIGRATE_RUNNABLE) || !then.runnable()) implies(first, then, Act.RUNNABLE);
            if (!then.optional()) implies(first, then, Act.OPTIONAL);
        }
        if ((type & Ordering.PSEUDO_LEFT) != 0 && (filter & Act.OPTIONAL) != 0) {
            if (!first.runnable()) {
                implies(then, first, Act.MIGRATE_RUNNABLE);
                then.clear(Act.PSEUDO);
            }
        }
        if ((type & Ordering.RUNNABLE_LEFT) != 0 && (filter & Act.RUNNABLE) != 0 && then.runnable() && (flags & Act.RUNNABLE) == 0) {
            implies(then, first, Act.RUNNABLE);
            implies(then, first, Act.MIGRATE_RUNNABLE);
        }
        if ((type & Ordering.IMPLIES_THEN) != 0 && (filter & Act.OPTIONAL) != 0 && then.optional() && (flags & Act.OPTIONAL) == 0
                && !first.is(Act.MIGRATE_RUNNABLE)) {
            implies(then, first, Act.OPTIONAL);
        }
        if ((type & Ordering.RESTART) != 0) restart(first, then, filter);
        int changed = 0;
        if (thenBefore != then.flags) {
            changed |= UPDATED_THEN;
            if (then.rsc != null && then.rsc.parent != null) updateAction(then, 1);
        }
        if (firstBefore != first.flags) changed |= UPDATED_FIRST;
        return changed;
    }

    /** A restart: the stop is needed when the start is (and when the start cannot run, so as not to keep it running). */
    private void restart(Act first, Act then, int filter) {
        String reason = null;
        if ((filter & Act.OPTIONAL) != 0 && !then.optional()) reason = "restart";
        if ((filter & Act.RUNNABLE) != 0 && !then.runnable() && then.rsc != null && then.rsc.managed && first.rsc == then.rsc) reason = "stop";
        if (reason == null) return;
        if (first.runnable()) implies(first, then, Act.OPTIONAL);
        if (!then.optional()) implies(first, then, Act.OPTIONAL);
        if (!then.is(Act.MIGRATE_RUNNABLE)) implies(first, then, Act.MIGRATE_RUNNABLE);
        if (!first.optional() && !first.runnable()) implies(then, first, Act.RUNNABLE);
    }

    /**
     * Clears {@code flag} on {@code action} because of {@code cause}, and remembers why (Pacemaker's
     * pe_action_implies): "required rsc start" when it becomes required, "unrunnable rsc start" when it cannot run.
     */
    static boolean implies(Act action, Act cause, int flag) {
        String change;
        boolean overwrite = false;
        if (flag == Act.RUNNABLE) change = "unrunnable";
        else if (flag == Act.OPTIONAL) change = "required";
        else if (flag == Act.MIGRATE_RUNNABLE) { change = "unrunnable"; overwrite = true; }
        else change = null;
        boolean update = action.is(flag);
        if (update) action.clear(flag);
        if (update && change != null && cause != null && action.rsc != cause.rsc) {
            String text = cause.rsc == null ? change + " " + cause.task : change + " " + cause.rsc.id + " " + cause.task;
            if (action.reason == null || overwrite) action.reason = text;
        }
        return update;
    }

    /**
     * A start that became unrunnable blocks the starts of what must be colocated with its resource: everywhere when
     * none of the resource can start; for a clone, also on each node where an instance cannot start and no other
     * instance stays or becomes active (a dependent placed with such an instance would run without the clone).
     */
    private void blockColocatedStarts(Act action, int depth) {
        if (action.runnable() || !action.task.equals("start") || action.rsc == null) return;
        Rsc rsc = action.rsc.top();
        if (colocatedWith(rsc).isEmpty()) return;
        if (noneCanStart(rsc)) {
            blockDependentStarts(rsc, action.rsc.id, null, depth);
        } else if (rsc.variant == Rsc.Variant.CLONE) {
            for (Act start : unrunnableInstanceStarts(rsc)) {
                if (!activeAfter(rsc, start.node)) blockDependentStarts(rsc, rsc.id, start.node, depth);
            }
        }
    }

    /** The colocations with {@code rsc}: a placed group keeps them on its last member (see GroupAssigner). */
    private static List<Coloc> colocatedWith(Rsc rsc) {
        if (!rsc.isGroup() || rsc.children.isEmpty() || !rsc.withThis.isEmpty()) return rsc.withThis;
        return rsc.children.get(rsc.children.size() - 1).withThis;
    }

    private void blockDependentStarts(Rsc rsc, String blockedId, SchedNode only, int depth) {
        for (Coloc c : List.copyOf(colocatedWith(rsc))) {
            if (c.score == Scores.INF) blockStarts(c.dependent, "colocation with " + blockedId, only, depth);
        }
    }

    private static List<Act> unrunnableInstanceStarts(Rsc clone) {
        List<Act> out = new java.util.ArrayList<>();
        for (Rsc instance : clone.children) {
            for (Rsc p : instance.isPrimitive() ? List.of(instance) : instance.children) {
                for (Act a : p.actions) if (a.task.equals("start") && a.node != null && !a.runnable()) out.add(a);
            }
        }
        return out;
    }

    private static boolean noneCanStart(Rsc rsc) {
        for (Rsc child : rsc.children) {
            Act start = WorkingSet.first(child, "start", null);
            if (start == null || start.runnable()) return false;
        }
        return true;
    }

    /** Whether an instance of {@code clone} stays active on {@code node} or starts there in this transition. */
    private static boolean activeAfter(Rsc clone, SchedNode node) {
        for (Rsc instance : clone.children) {
            for (Rsc p : instance.isPrimitive() ? List.of(instance) : instance.children) {
                Act start = WorkingSet.first(p, "start", node);
                boolean starts = start != null && start.node == node && start.runnable() && !start.optional();
                Act stop = WorkingSet.first(p, "stop", node);
                boolean stays = p.runningOn.contains(node) && (stop == null || stop.node != node || stop.optional());
                if (starts || stays) return true;
            }
        }
        return false;
    }

    /**
     * Blocks a dependent's starts (on {@code only}, or anywhere when null), and its members' and instances' too: what
     * cannot start as a whole cannot start in part.
     */
    private void blockStarts(Rsc dependent, String reason, SchedNode only, int depth) {
        for (Act a : List.copyOf(dependent.actions)) {
            if (!a.task.equals("start") || !a.runnable() || only != null && a.node != only) continue;
            a.clear(Act.RUNNABLE);
            if (a.reason == null) a.reason = reason;
            blockColocatedStarts(a, depth + 1);
            updateAction(a, depth + 1);
        }
        for (Rsc child : dependent.children) blockStarts(child, reason, only, depth);
    }
}
