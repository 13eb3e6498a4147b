package vigil.engine.scheduler;

import vigil.api.model.Action;
import vigil.api.model.Constraint;
import vigil.api.model.OrderKind;

/**
 * Order constraints: what each configured order implies (a mandatory symmetrical order requires its 'then' when its
 * 'first' runs and makes 'then' unrunnable when 'first' cannot run; its inverse orders the stops), and how all
 * resource-level orderings become edges between the actions created for this run.
 */
final class Orderings {
    private Orderings() {}

    static void unpack(WorkingSet ws) {
        for (Constraint c : ws.cfg.constraints()) {
            if (!(c instanceof Constraint.Order o)) continue;
            Rsc first = Locations.constrained(ws, o.first());
            Rsc then = Locations.constrained(ws, o.then());
            if (first == null || then == null) continue;
            boolean symmetrical = o.symmetrical() && o.kind() != OrderKind.SERIALIZE;
            if (o.anyOf() != null) {
                anyOf(ws, o, first, then, symmetrical);
                continue;
            }
            add(ws, o.id(), first, o.firstAction(), then, o.thenAction(), o.kind(), symmetrical, o.requireAll());
        }
    }

    /**
     * An order after a resource set with require-all=false: 'then' waits for a pseudo action (named after the set)
     * that any one of the set's members completes; the stops are ordered pair by pair, as usual.
     */
    private static void anyOf(WorkingSet ws, Constraint.Order o, Rsc first, Rsc then, boolean symmetrical) {
        String fa = o.firstAction().text();
        String ta = o.thenAction().text();
        Act met = ws.pseudo(null, o.anyOf(), true);
        ws.requiredRunnableBefore.put(met, 1);
        met.set(Act.REQUIRES_ANY);
        ws.order(first, fa, null, null, null, met, Ordering.ONE_OR_MORE | Ordering.IMPLIES_THEN_PRINTED);
        ws.order(null, null, met, then, ta, null, flagsFor(o.kind(), fa, symmetrical ? Symmetry.SYMMETRIC : Symmetry.ASYMMETRIC) | Ordering.RUNNABLE_LEFT);
        if (symmetrical) ws.order(then, invert(ta), first, invert(fa), flagsFor(o.kind(), fa, Symmetry.INVERSE));
    }

    /** One configured order and, when symmetrical, its inverse. */
    static void add(WorkingSet ws, String id, Rsc first, Action firstAction, Rsc then, Action thenAction, OrderKind kind, boolean symmetrical,
                    boolean requireAll) {
        String fa = firstAction.text();
        String ta = thenAction.text();
        int flags = flagsFor(kind, fa, symmetrical ? Symmetry.SYMMETRIC : Symmetry.ASYMMETRIC);
        int min = first.isClone() ? new vigil.api.model.Meta(first.config.meta().values()).integer("clone-min").orElse(0) : 0;
        if (min == 0 && !requireAll && first.isClone()) min = 1;
        if (min > 0) {
            Act met = ws.pseudo(null, "clone-one-or-more:" + id, true);
            ws.requiredRunnableBefore.put(met, min);
            met.set(Act.REQUIRES_ANY);
            for (Rsc child : first.children) ws.order(child, fa, null, null, null, met, Ordering.ONE_OR_MORE | Ordering.IMPLIES_THEN_PRINTED);
            ws.order(null, null, met, then, ta, null, flags | Ordering.RUNNABLE_LEFT);
        } else {
            ws.order(first, fa, then, ta, flags);
        }
        if (!symmetrical) return;
        flags = flagsFor(kind, fa, Symmetry.INVERSE);
        ws.order(then, invert(ta), first, invert(fa), flags);
    }

    enum Symmetry { SYMMETRIC, ASYMMETRIC, INVERSE }

    static int flagsFor(OrderKind kind, String firstTask, Symmetry symmetry) {
        int flags = Ordering.OPTIONAL;
        switch (kind) {
            case OPTIONAL -> { }
            case SERIALIZE -> flags |= Ordering.SERIALIZE_ONLY;
            case MANDATORY -> {
                switch (symmetry) {
                    case ASYMMETRIC -> flags |= Ordering.ASYMMETRICAL;
                    case SYMMETRIC -> {
                        flags |= Ordering.IMPLIES_THEN;
                        if (firstTask.equals("start") || firstTask.equals("promote")) flags |= Ordering.RUNNABLE_LEFT;
                    }
                    case INVERSE -> flags |= Ordering.IMPLIES_FIRST;
                }
            }
        }
        return flags;
    }

    static String invert(String task) {
        return switch (task) {
            case "start" -> "stop";
            case "stop" -> "start";
            case "promote" -> "demote";
            case "demote" -> "promote";
            case "promoted" -> "demoted";
            case "demoted" -> "promoted";
            case "running" -> "stopped";
            case "stopped" -> "running";
            default -> task;
        };
    }

    // ---------------------------------------------------------------- resolving orderings to actions

    /** Turns every ordering into edges between actions (Pacemaker's rsc_order_first / rsc_order_then). */
    static void apply(WorkingSet ws) {
        for (int k = 0; k < ws.orderings.size(); k++) { // orderings added on the way are applied too
            Ordering o = ws.orderings.get(k);
            if (o.firstRsc != null) {
                orderFirst(ws, o);
            } else if (o.thenRsc != null) {
                orderThen(ws, o.firstAct, o.thenRsc, o);
            } else {
                WorkingSet.orderActions(o.firstAct, o.thenAct, o.flags);
            }
        }
    }

    // the actions of a task are visited newest first, in place: most orderings find one action, or none, and a list
    // per ordering was much of a plan's garbage

    private static void orderFirst(WorkingSet ws, Ordering o) {
        Rsc first = o.firstRsc;
        Rsc then = o.thenRsc;
        if (o.firstAct != null) {
            orderFirst(ws, o.firstAct, o);
            return;
        }
        boolean any = false;
        for (int i = first.actions.size() - 1; i >= 0; i--) {
            Act f = first.actions.get(i);
            if (f.intervalMs != 0 || !f.task.equals(o.firstTask)) continue;
            any = true;
            orderFirst(ws, f, o);
        }
        if (!any && first != then) {
            Role current = first.state(true) == vigil.api.model.Role.STOPPED ? Role.STOPPED : first.state(true) == vigil.api.model.Role.UNPROMOTED ? Role.UNPROMOTED : Role.OTHER;
            if (current == Role.STOPPED && o.firstTask.equals("stop") || current == Role.UNPROMOTED && o.firstTask.equals("demote")) return;
            orderFirst(ws, ws.action(first, o.firstTask, null, true), o);
        }
    }

    private static void orderFirst(WorkingSet ws, Act f, Ordering o) {
        Rsc thenRsc = o.thenRsc != null ? o.thenRsc : o.thenAct != null ? o.thenAct.rsc : null;
        if (thenRsc != null) orderThen(ws, f, thenRsc, o);
        else if (o.thenAct != null) WorkingSet.orderActions(f, o.thenAct, o.flags);
    }

    private enum Role { STOPPED, UNPROMOTED, OTHER }

    private static void orderThen(WorkingSet ws, Act first, Rsc then, Ordering o) {
        int type = o.flags;
        if (o.thenAct != null) {
            orderThen(first, o.thenAct, type);
            return;
        }
        for (int i = then.actions.size() - 1; i >= 0; i--) {
            Act t = then.actions.get(i);
            if (t.intervalMs == 0 && t.task.equals(o.thenTask)) orderThen(first, t, type);
        }
    }

    private static void orderThen(Act first, Act then, int type) {
        if (first != null) WorkingSet.orderActions(first, then, type);
        else if ((type & Ordering.IMPLIES_THEN) != 0) then.clear(Act.RUNNABLE);
    }
}
