package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import vigil.api.model.Clone;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.api.status.ResourceState;

/**
 * crm_simulate's "Transition Summary" lines for a transition, in its exact format:
 * {@code "  * %-8s   %-*s   ( %*s )"} with the resource column as wide as Pacemaker makes it (it starts at 5
 * and becomes {@code length + 2} whenever an id is longer) and the detail column right-aligned to the longest
 * detail. Fence lines come first, then resources in configuration order, clone instances numbered as
 * {@code id:N} (instances already running first, by node id).
 */
public final class TransitionSummary {
    private TransitionSummary() {}

    private record Line(String change, String rsc, String details, String reason) {}

    public static List<String> lines(ClusterState before, Transition t) {
        List<String> out = new ArrayList<>();
        java.util.Set<String> fenced = new java.util.HashSet<>();
        for (PlannedAction a : t.actions()) {
            if (a.kind() == ActionKind.FENCE) {
                out.add("  * Fence (reboot) " + a.node() + " '" + a.reason() + "'");
                fenced.add(a.node());
            }
        }
        Map<String, List<PlannedAction>> byRes = new HashMap<>();
        for (PlannedAction a : t.actions()) if (!a.resource().isEmpty()) byRes.computeIfAbsent(a.resource(), k -> new ArrayList<>()).add(a);
        List<Line> lines = new ArrayList<>();
        for (Resource r : before.config().resources()) {
            boolean clone = r instanceof Clone;
            for (Primitive p : r.primitives()) {
                List<PlannedAction> acts = byRes.getOrDefault(p.id(), List.of());
                if (clone) cloneLines(before, t, fenced, p, acts, ((Clone) r).promotable(), lines);
                else {
                    List<String> origins = origins(before, t, p.id());
                    String origin = origins.isEmpty() ? null : origins.get(0);
                    // active on several nodes: the copy on the node it ends up on (if any) is the main one, the others just stop
                    for (PlannedAction a : acts) {
                        if ((a.kind() == ActionKind.START || a.kind() == ActionKind.MIGRATE_FROM) && origins.contains(a.node())) origin = a.node();
                    }
                    if (origin == null && !origins.isEmpty()) origin = origins.get(0);
                    List<PlannedAction> main = new ArrayList<>();
                    List<String> extra = new ArrayList<>();
                    for (PlannedAction a : acts) {
                        if (a.kind() == ActionKind.STOP && origin != null && !a.node().equals(origin)) extra.add(a.node());
                        else main.add(a);
                    }
                    Role role = origin == null ? Role.STOPPED : before.resource(p.id(), origin).role();
                    Line l = line(before, p.id(), p.id(), origin, role, main, false, origin != null && fenced.contains(origin));
                    if (l != null) lines.add(l);
                    for (String n : extra) lines.add(new Line("Stop", p.id(), n, "due to node availability"));
                }
            }
        }
        // orphans: active but no longer configured, so only their stops are planned
        java.util.Set<String> configured = new java.util.HashSet<>();
        before.config().primitives().forEach(p -> configured.add(p.id()));
        for (PlannedAction a : t.actions()) {
            if (a.kind() == ActionKind.STOP && !a.resource().isEmpty() && !configured.contains(a.resource())) {
                lines.add(new Line("Stop", a.resource(), a.node(), ""));
            }
        }
        int rscWidth = 5;
        int detailWidth = 5;
        for (Line l : lines) {
            if (l.rsc().length() > rscWidth) rscWidth = l.rsc().length() + 2;
            if (l.details().length() > detailWidth) detailWidth = l.details().length();
        }
        for (Line l : lines) {
            out.add(String.format("  * %-8s   %-" + rscWidth + "s   ( %" + detailWidth + "s )%s", l.change(), l.rsc(), l.details(),
                    l.reason().isEmpty() ? "" : "  " + l.reason()));
        }
        return out;
    }

    /** Nodes where the primitive counts as active before the transition (unclean ones only while fencing is on). */
    private static List<String> origins(ClusterState before, Transition t, String primitive) {
        List<String> out = new ArrayList<>();
        Map<String, ResourceState> per = before.resources().getOrDefault(primitive, Map.of());
        for (ResourceState rs : per.values()) {
            if (!rs.isActive()) continue;
            Membership m = before.node(rs.node()).membership();
            if (m == Membership.OFFLINE) continue;
            if (m == Membership.UNCLEAN && !before.config().properties().stonithEnabled()) continue;
            if (before.config().node(rs.node()).isEmpty()) continue;
            out.add(rs.node());
        }
        return out;
    }

    private static Line line(ClusterState before, String primitive, String name, String origin, Role role, List<PlannedAction> acts,
                             boolean instance, boolean originFenced) {
        String dest = null;
        Role next = Role.STOPPED;
        boolean stop = originFenced;
        boolean migrate = false;
        boolean promote = false;
        boolean demote = false;
        String restartReason = null;
        for (PlannedAction a : acts) {
            if (origin != null && !a.node().equals(origin) && (a.kind() == ActionKind.STOP || a.kind() == ActionKind.DEMOTE || a.kind() == ActionKind.MIGRATE_TO)) continue;
            switch (a.kind()) {
                case START: dest = a.node(); if (next == Role.STOPPED) next = Role.STARTED; break;
                case MIGRATE_FROM: dest = a.node(); next = Role.STARTED; migrate = true; break;
                case STOP:
                    stop = true;
                    if (a.reason().startsWith("restart: ")) restartReason = a.reason().substring("restart: ".length());
                    break;
                case PROMOTE: promote = true; dest = a.node(); next = Role.PROMOTED; break;
                case DEMOTE: demote = true; break;
                default: break;
            }
        }
        if (origin != null && !stop && !migrate && dest == null && !promote && !demote) {
            // nothing planned for it here: left alone, unless its node is being fenced (then it stops with the node)
            return null;
        }
        boolean failed = origin != null && failedOn(before, primitive, origin);
        if (origin != null && dest == null && !stop && !migrate) {
            // no stop and no start: a role change in place, or its node is fenced
            if (promote || demote) dest = origin;
        }
        if (origin != null && !stop && !migrate && dest != null && !dest.equals(origin) && !promote) {
            // moved away from a node that is fenced: no stop of its own
        }
        if (origin == null && dest == null) return null;
        if (next == Role.STOPPED && dest != null) next = role;
        if (origin != null && dest != null && dest.equals(origin) && !stop) {
            if (promote) next = Role.PROMOTED;
            else if (demote) next = Role.UNPROMOTED;
        }
        if (instance && next == Role.STARTED) next = Role.UNPROMOTED;
        Role from = origin == null ? Role.STOPPED : role;
        boolean needRole = rank(from) > rank(Role.STARTED) || rank(next) > rank(Role.UNPROMOTED);
        if (instance && origin != null && role == Role.STARTED) from = Role.UNPROMOTED;
        boolean sameHost = origin != null && origin.equals(dest);
        boolean sameRole = from == next;
        String change;
        String details;
        String reason = "";
        if (dest == null) {
            change = "Stop";
            details = needRole ? from.text() + " " + origin : origin;
            reason = "due to node availability";
        } else if (origin == null) {
            change = next == Role.PROMOTED ? "Promote" : "Start";
            details = needRole ? from.text() + " -> " + next.text() + " " + dest : dest;
        } else if (migrate) {
            change = "Migrate";
            details = origin + " -> " + dest;
        } else if (sameHost && sameRole) {
            change = failed ? "Recover" : (needRole && promote ? "Re-promote" : "Restart");
            details = needRole ? from.text() + " " + origin : origin;
            if (!failed && restartReason != null && !restartReason.startsWith("recover")) reason = "due to " + restartReason;
        } else if (sameRole) {
            change = failed ? "Recover" : "Move";
            details = needRole ? origin + " -> " + dest + " " + from.text() : origin + " -> " + dest;
        } else if (sameHost) {
            change = rank(next) > rank(from) ? "Promote" : "Demote";
            if (stop && !failed && change.equals("Promote") && false) change = "Restart";
            details = from.text() + " -> " + next.text() + " " + origin;
        } else {
            change = rank(next) > rank(from) ? "Promote" : "Demote";
            details = from.text() + " " + origin + " -> " + next.text() + " " + dest;
        }
        return new Line(change, name, details, reason);
    }

    private static int rank(Role r) {
        switch (r) {
            case STOPPED: return 1;
            case STARTED: return 2;
            case UNPROMOTED: return 3;
            default: return 4;
        }
    }

    private static boolean failedOn(ClusterState before, String primitive, String node) {
        ResourceState rs = before.resource(primitive, node);
        if (rs.operations().isEmpty()) return false;
        var last = rs.operations().get(rs.operations().size() - 1);
        return Scheduler.isFailure(last);
    }

    private static void cloneLines(ClusterState before, Transition t, java.util.Set<String> fenced, Primitive p, List<PlannedAction> acts, boolean promotable, List<Line> lines) {
        List<String> origins = origins(before, t, p.id());
        TreeSet<String> active = new TreeSet<>(origins);
        // per node: the actions there
        TreeMap<String, List<PlannedAction>> perNode = new TreeMap<>();
        for (PlannedAction a : acts) perNode.computeIfAbsent(a.node(), k -> new ArrayList<>()).add(a);
        List<String> leaving = new ArrayList<>();   // active nodes whose instance stops and does not start again
        List<String> arriving = new ArrayList<>();  // new nodes
        for (String n : active) {
            List<PlannedAction> here = perNode.getOrDefault(n, List.of());
            boolean stops = here.stream().anyMatch(a -> a.kind() == ActionKind.STOP);
            boolean starts = here.stream().anyMatch(a -> a.kind() == ActionKind.START);
            if ((stops && !starts) || (fenced.contains(n) && !starts)) leaving.add(n);
        }
        for (Map.Entry<String, List<PlannedAction>> e : perNode.entrySet()) {
            if (active.contains(e.getKey())) continue;
            if (e.getValue().stream().anyMatch(a -> a.kind() == ActionKind.START)) arriving.add(e.getKey());
        }
        int k = 0;
        List<Line> byInstance = new ArrayList<>();
        int moved = 0;
        for (String n : active) {
            String name = p.id() + ":" + k++;
            Role role = before.resource(p.id(), n).role();
            List<PlannedAction> here = new ArrayList<>(perNode.getOrDefault(n, List.of()));
            if (leaving.contains(n) && moved < arriving.size()) {
                String dest = arriving.get(moved++);
                here.addAll(perNode.getOrDefault(dest, List.of()));
            }
            Line l = line(before, p.id(), name, n, role, here, promotable, fenced.contains(n));
            if (l != null) byInstance.add(l);
        }
        for (int i = moved; i < arriving.size(); i++) {
            String name = p.id() + ":" + k++;
            Line l = line(before, p.id(), name, null, Role.STOPPED, perNode.get(arriving.get(i)), promotable, false);
            if (l != null) byInstance.add(l);
        }
        lines.addAll(byInstance);
    }
}
