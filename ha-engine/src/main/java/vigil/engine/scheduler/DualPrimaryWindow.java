package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * Live migration inside a dual-primary window, where Vigil deliberately differs from Pacemaker. An allow-migrate VM
 * that needs a promotable clone (such as DRBD) Promoted where it runs cannot live-migrate in Pacemaker when the
 * source copy is demoted: the VM stops before the demote and starts after the promote. Vigil
 * instead promotes the target first with the source as its peer (the DRBD driver then allows two Primaries for this
 * one migration), migrates the VM, stops what is left of it on the source, and demotes the source last, which closes
 * the window. The controller plans again after every result, so the same rewrite also finishes a window that is
 * already open (both copies Promoted) and a migration whose migrate_to already ran.
 *
 * <p>Applied to the finished plan, only where nothing else the VM depends on changes; anything unusual (a failed
 * copy, a restart, two VMs moving on one disk, an order cycle) keeps Pacemaker's stop and start.
 */
final class DualPrimaryWindow {
    private DualPrimaryWindow() {}

    /** Rewrites {@code t}; only a configuration with a promotable clone of a primitive (a disk) can have a window. */
    static Transition apply(ClusterState state, Transition t) {
        Set<String> disksTaken = new HashSet<>();
        // indexed once, at the first VM: with thousands of resources, scanning every action and constraint per VM
        // dominated the plan
        Map<String, List<Constraint>> needs = null;
        Map<String, List<PlannedAction>> byResource = null;
        for (Resource r : state.config().resources()) {
            if (!(r instanceof Primitive vm) || !vm.meta().allowMigrate()) continue;
            if (needs == null) {
                needs = new HashMap<>();
                for (Constraint c : state.config().constraints()) {
                    String dependent = c instanceof Constraint.Colocation col ? col.resource() : c instanceof Constraint.Order o ? o.then() : null;
                    if (dependent != null) needs.computeIfAbsent(dependent, k -> new ArrayList<>()).add(c);
                }
            }
            List<Constraint> vmNeeds = needs.getOrDefault(vm.id(), List.of());
            // without a promotable disk there is no window: the plan is not indexed for such a VM
            if (vmNeeds.stream().noneMatch(c -> promotedDisk(state.config(), vm, c) != null)) continue;
            if (byResource == null) byResource = byResource(t);
            Transition rewritten = window(state, t, byResource, vmNeeds, vm, disksTaken);
            if (rewritten != null) {
                t = rewritten;
                byResource = byResource(t);
            }
        }
        return t;
    }

    private static Map<String, List<PlannedAction>> byResource(Transition t) {
        Map<String, List<PlannedAction>> out = new HashMap<>();
        for (PlannedAction a : t.actions()) out.computeIfAbsent(a.resource(), k -> new ArrayList<>()).add(a);
        return out;
    }

    private static Transition window(ClusterState state, Transition t, Map<String, List<PlannedAction>> byResource, List<Constraint> vmNeeds,
                                     Primitive vm, Set<String> disksTaken) {
        ClusterConfig cfg = state.config();
        List<PlannedAction> vmActions = byResource.getOrDefault(vm.id(), List.of());
        PlannedAction stop = single(vmActions, ActionKind.STOP);
        PlannedAction start = single(vmActions, ActionKind.START);
        if (stop == null || start == null || stop.node().equals(start.node())) return null;
        for (PlannedAction a : vmActions) if (a != stop && a != start && a.kind() != ActionKind.MONITOR) return null;
        String src = stop.node();
        String dest = start.node();
        if (!state.activeNodes(vm.id()).equals(List.of(src)) || !state.node(src).isOnline()) return null;
        ResourceState vmHere = state.resource(vm.id(), src);
        if (vmHere.failCount() > 0 || vmHere.blocked() || !moveChange(t, vm.id())) return null;

        Clone disk = null;
        for (Constraint c : vmNeeds) {
            Resource needed = dependency(cfg, vm, c);
            if (needed == null) continue;
            Clone cl = promotedDisk(cfg, vm, c);
            if (cl != null) {
                if (disk != null && !disk.id().equals(cl.id())) return null;
                disk = cl;
            } else {
                for (Primitive p : needed.primitives()) if (byResource.containsKey(p.id())) return null; // something else it needs changes
            }
        }
        if (disk == null) return null;
        String d = disk.child().id();
        List<PlannedAction> diskActions = byResource.getOrDefault(d, List.of());
        PlannedAction demote = single(diskActions, ActionKind.DEMOTE);
        PlannedAction promote = single(diskActions, ActionKind.PROMOTE);
        if (demote == null || !demote.node().equals(src)) return null;
        for (PlannedAction a : diskActions) {
            if (a == demote || a == promote || a.kind() == ActionKind.MONITOR) continue;
            if (a.kind() == ActionKind.STOP && a.node().equals(src) && a.after().contains(demote.id())) continue; // the source leaves
            if (a.node().equals(src) || a.node().equals(dest)) return null; // a copy starts or restarts there: no window
        }
        ResourceState diskSrc = state.resource(d, src);
        ResourceState diskDest = state.resource(d, dest);
        if (diskSrc.role() != Role.PROMOTED || diskSrc.failCount() > 0 || diskDest.failCount() > 0 || !state.node(dest).isOnline()) return null;
        if (promote != null) {
            if (!promote.node().equals(dest) || diskDest.role() != Role.UNPROMOTED) return null;
        } else if (diskDest.role() != Role.PROMOTED) {
            return null;
        }
        if (!disksTaken.add(d)) return null;
        boolean migratedTo = lastOperationSucceeded(vmHere, "migrate_to");

        // the rewrite: ids of the new plan's actions are assigned after a topological sort below
        int next = t.actions().size();
        int migrateTo = migratedTo ? -1 : next++;
        int migrateFrom = next++;
        Map<Integer, TreeSet<Integer>> after = new HashMap<>();
        for (PlannedAction a : t.actions()) after.put(a.id(), new TreeSet<>(a.after()));
        // whatever waited for the VM's start now waits for its migrate_from; the stop comes after it
        for (TreeSet<Integer> deps : after.values()) if (deps.remove(start.id())) deps.add(migrateFrom);
        if (promote != null) {
            after.get(promote.id()).removeAll(List.of(stop.id(), demote.id()));
        }
        TreeSet<Integer> from = new TreeSet<>(start.after());
        from.remove(stop.id());
        from.remove(demote.id());
        if (migrateTo >= 0) {
            TreeSet<Integer> to = new TreeSet<>(stop.after());
            if (promote != null) to.add(promote.id());
            after.put(migrateTo, to);
            from.add(migrateTo);
        } else if (promote != null) {
            from.add(promote.id());
        }
        after.put(migrateFrom, from);
        after.get(stop.id()).add(migrateFrom);
        after.get(demote.id()).add(stop.id());
        after.remove(start.id());

        List<PlannedAction> actions = new ArrayList<>();
        for (PlannedAction a : t.actions()) {
            if (a == start) continue;
            if (a == promote) {
                actions.add(new PlannedAction(a.id(), a.kind(), a.resource(), a.node(), src, a.interval(), null,
                        "dual-primary window for the live migration of " + vm.id()));
            } else {
                actions.add(a);
            }
        }
        if (migrateTo >= 0) actions.add(new PlannedAction(migrateTo, ActionKind.MIGRATE_TO, vm.id(), src, dest, null, null, "live migration"));
        actions.add(new PlannedAction(migrateFrom, ActionKind.MIGRATE_FROM, vm.id(), dest, src, null, null, "live migration"));
        List<PlannedAction> sorted = renumber(actions, after);
        if (sorted == null) return null;
        List<Transition.Change> changes = new ArrayList<>();
        for (Transition.Change c : t.changes()) {
            changes.add(c.resource().equals(vm.id()) ? new Transition.Change("Migrate", c.resource(), c.details(), "") : c);
        }
        return new Transition(sorted, t.scores(), t.notPlaced(), changes);
    }

    /**
     * The promotable clone of one primitive (a disk such as DRBD) whose Promoted role {@code vm} needs through
     * {@code c}, or null.
     */
    private static Clone promotedDisk(ClusterConfig cfg, Primitive vm, Constraint c) {
        boolean promotedRole = c instanceof Constraint.Colocation col ? col.withRole() == Role.PROMOTED
                : ((Constraint.Order) c).firstAction() == Action.PROMOTE;
        if (!promotedRole) return null;
        return dependency(cfg, vm, c) instanceof Clone cl && cl.promotable() && cl.child() instanceof Primitive ? cl : null;
    }

    /** The resource {@code vm} needs through a mandatory order or colocation {@code c}, or null. */
    private static Resource dependency(ClusterConfig cfg, Primitive vm, Constraint c) {
        String needed = null;
        if (c instanceof Constraint.Colocation col && col.resource().equals(vm.id()) && col.score().isInfinity()) needed = col.withResource();
        if (c instanceof Constraint.Order o && o.then().equals(vm.id()) && o.kind() == OrderKind.MANDATORY) needed = o.first();
        return needed == null ? null : cfg.resource(needed).orElse(null);
    }

    private static boolean moveChange(Transition t, String vm) {
        for (Transition.Change c : t.changes()) if (c.resource().equals(vm)) return c.kind().equals("Move");
        return false;
    }

    private static boolean lastOperationSucceeded(ResourceState rs, String action) {
        List<OperationRecord> ops = rs.operations();
        if (ops.isEmpty()) return false;
        OperationRecord last = ops.get(ops.size() - 1);
        return last.action().equals(action) && last.code() == OcfCode.SUCCESS;
    }

    private static PlannedAction single(List<PlannedAction> actions, ActionKind kind) {
        PlannedAction found = null;
        for (PlannedAction a : actions) {
            if (a.kind() != kind) continue;
            if (found != null) return null;
            found = a;
        }
        return found;
    }

    /** Numbers the actions so that prerequisites come first (ties by their old id); null on a cycle. */
    private static List<PlannedAction> renumber(List<PlannedAction> actions, Map<Integer, TreeSet<Integer>> after) {
        Map<Integer, PlannedAction> byId = new HashMap<>();
        for (PlannedAction a : actions) byId.put(a.id(), a);
        Map<Integer, Integer> waiting = new HashMap<>();
        Map<Integer, List<Integer>> dependents = new HashMap<>();
        for (PlannedAction a : actions) {
            TreeSet<Integer> deps = after.get(a.id());
            deps.retainAll(byId.keySet());
            waiting.put(a.id(), deps.size());
            for (int dep : deps) dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(a.id());
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>(Integer::compare);
        for (PlannedAction a : actions) if (waiting.get(a.id()) == 0) ready.add(a.id());
        Map<Integer, Integer> newId = new HashMap<>();
        List<Integer> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            int id = ready.poll();
            newId.put(id, order.size());
            order.add(id);
            for (int d : dependents.getOrDefault(id, List.of())) if (waiting.merge(d, -1, Integer::sum) == 0) ready.add(d);
        }
        if (order.size() < actions.size()) return null;
        List<PlannedAction> out = new ArrayList<>();
        for (int id : order) {
            PlannedAction a = byId.get(id);
            TreeSet<Integer> deps = new TreeSet<>();
            for (int dep : after.get(id)) deps.add(newId.get(dep));
            out.add(new PlannedAction(newId.get(id), a.kind(), a.resource(), a.node(), a.peer(), a.interval(), deps, a.reason()));
        }
        return out;
    }
}
