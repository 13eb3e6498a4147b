package vigil.daemon.cli;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vigil.api.model.Clone;
import vigil.api.model.Constraint;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * What {@code vigil status} shows, like crm_mon: quorum, leader, nodes and their states, resources with roles and
 * locations, failures, fence history and the expiring move / ban constraints. One structure feeds the text output,
 * {@code --json} and the web status page, so they never disagree.
 */
public final class StatusView {
    private StatusView() {}

    /** The status as nested maps and lists (the {@code --json} document and the web page's data), as of now. */
    public static Map<String, Object> of(ClusterState s) { return of(s, Instant.now()); }

    /** @param now when the status is shown ({@code "now"}); the last committed change is {@code "last-change"} */
    public static Map<String, Object> of(ClusterState s, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("now", time(now));
        m.put("last-change", time(s.now()));
        m.put("quorum", s.hasQuorum());
        m.put("quorum-mode", quorumMode(s));
        m.put("leader", s.leader());
        m.put("term", s.term());
        m.put("config-version", s.configVersion());
        List<Object> nodes = new ArrayList<>();
        for (Node n : s.config().nodes()) {
            NodeState ns = s.node(n.id());
            Map<String, Object> nm = new LinkedHashMap<>();
            nm.put("id", n.id());
            nm.put("address", n.address());
            nm.put("role", n.role() == NodeRole.WITNESS ? "witness" : "member");
            nm.put("state", nodeState(ns));
            nm.put("membership", ns.membership().name().toLowerCase(java.util.Locale.ROOT));
            nm.put("standby", ns.standby());
            nm.put("maintenance", ns.maintenance());
            nm.put("shutdown", ns.shutdown());
            nm.put("since", time(ns.since()));
            nm.put("reason", ns.reason());
            nm.put("degraded", ns.degraded());
            nm.put("leader", n.id().equals(s.leader()));
            nodes.add(nm);
        }
        m.put("nodes", nodes);
        List<Object> resources = new ArrayList<>();
        for (Resource r : s.config().resources()) resources.add(resource(s, r));
        m.put("resources", resources);
        m.put("failures", failures(s));
        List<Object> fences = new ArrayList<>();
        for (FenceEvent f : s.fenceHistory()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("target", f.target());
            fm.put("action", f.action());
            fm.put("devices", f.devices());
            fm.put("executor", f.executor());
            fm.put("success", f.success());
            fm.put("at", time(f.at()));
            fm.put("detail", f.detail());
            fences.add(fm);
        }
        m.put("fence-history", fences);
        List<Object> moves = new ArrayList<>();
        for (Constraint c : s.config().constraints()) {
            if (c instanceof Constraint.Location l && l.expires() != null) {
                Map<String, Object> lm = new LinkedHashMap<>();
                lm.put("id", l.id());
                lm.put("resource", l.resource());
                lm.put("node", l.node());
                lm.put("score", l.score().toString());
                lm.put("expires", time(l.expires()));
                moves.add(lm);
            }
        }
        m.put("expiring-constraints", moves);
        List<Object> devices = new ArrayList<>();
        for (vigil.api.status.FenceDeviceStatus d : s.fenceDevices().values()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("device", d.device());
            dm.put("ok", d.ok());
            dm.put("checked-from", d.checkedFrom());
            dm.put("at", time(d.at()));
            dm.put("detail", d.detail());
            devices.add(dm);
        }
        m.put("fence-devices", devices);
        m.put("warnings", new ArrayList<Object>(StatusCheck.warnings(s)));
        return m;
    }

    public static String json(ClusterState s) { return Json.write(of(s)); }

    /**
     * How the cluster keeps a majority: {@code witness} (members and at least one witness voter), {@code two-node}
     * (two members, properties.other.two-node), {@code majority} (three or more members), {@code none} (two members
     * and neither: the survivor of a host death has no quorum) or {@code single} (one member); {@code degraded} lists the voters that
     * are not online (one more loss and the cluster stops, or in two-node mode: one host runs alone).
     */
    static Map<String, Object> quorumMode(ClusterState s) {
        List<Node> nodes = s.config().nodes();
        long members = nodes.stream().filter(Node::runsResources).count();
        String mode = members < nodes.size() ? "witness" : s.config().properties().twoNode() ? "two-node"
                : members >= 3 ? "majority" : members == 2 ? "none" : "single";
        List<Object> down = new ArrayList<>();
        for (Node n : nodes) {
            if (s.node(n.id()).membership() != vigil.api.status.Membership.ONLINE) down.add(n.id());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("degraded", down);
        return m;
    }

    @SuppressWarnings("unchecked")
    static String quorumModeText(Map<String, Object> q) {
        List<Object> down = (List<Object>) q.get("degraded");
        String mode = switch ((String) q.get("mode")) {
            case "witness" -> "with a witness";
            case "two-node" -> "two-node (a host whose peer is lost fences it, then runs alone)";
            case "majority" -> "majority of the members";
            case "single" -> "a single member";
            default -> "no witness and not two-node: a host death stops the cluster (add a witness, or set two-node with a fence device per host)";
        };
        return down.isEmpty() ? mode : mode + "; DEGRADED: " + down.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                + (down.size() == 1 ? " is" : " are") + " not online";
    }

    static String nodeState(NodeState ns) {
        String base = switch (ns.membership()) {
            case ONLINE -> "online";
            case OFFLINE -> "offline";
            case UNCLEAN -> "UNCLEAN";
        };
        if (ns.shutdown() && ns.membership() == vigil.api.status.Membership.ONLINE) return base + " (shutting down)";
        if (ns.maintenance()) return base + " (maintenance)";
        if (ns.standby()) return base + " (standby)";
        return base;
    }

    private static Map<String, Object> resource(ClusterState s, Resource r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("disabled", r.meta().targetRole().map(x -> x == Role.STOPPED).orElse(false));
        if (r instanceof Primitive p) {
            m.put("kind", "primitive");
            m.put("type", p.type());
            m.put("instances", instances(s, p));
            m.put("blocked", s.blocked().getOrDefault(p.id(), ""));
            m.put("disabled", (Boolean) m.get("disabled") || p.meta().targetRole().map(x -> x == Role.STOPPED).orElse(false));
        } else if (r instanceof Group g) {
            m.put("kind", "group");
            List<Object> members = new ArrayList<>();
            for (Primitive p : g.members()) members.add(resource(s, p));
            m.put("members", members);
        } else if (r instanceof Clone c) {
            m.put("kind", c.promotable() ? "promotable" : "clone");
            m.put("child", resource(s, c.child()));
            m.put("instances", c.child() instanceof Primitive p ? instances(s, p) : List.of());
        }
        return m;
    }

    private static List<Object> instances(ClusterState s, Primitive p) {
        List<Object> out = new ArrayList<>();
        for (ResourceState rs : s.resources().getOrDefault(p.id(), Map.of()).values()) {
            if (!rs.isActive() && !rs.blocked() && !rs.pending()) continue;
            Map<String, Object> im = new LinkedHashMap<>();
            im.put("node", rs.node());
            im.put("node-state", s.node(rs.node()).membership().name().toLowerCase(java.util.Locale.ROOT));
            im.put("role", rs.role().text());
            im.put("pending", rs.pending());
            im.put("blocked", rs.blocked());
            out.add(im);
        }
        return out;
    }

    private static List<Object> failures(ClusterState s) {
        List<Object> out = new ArrayList<>();
        s.resources().forEach((rid, perNode) -> perNode.values().forEach(rs -> {
            OperationRecord failed = null;
            for (OperationRecord op : rs.operations()) if (isFailure(op)) failed = op;
            if (rs.failCount() == 0 && failed == null && !rs.blocked()) return;
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("resource", rid);
            fm.put("node", rs.node());
            fm.put("fail-count", rs.failCount());
            fm.put("blocked", rs.blocked());
            fm.put("last-failure", time(rs.lastFailure()));
            if (failed != null) {
                fm.put("operation", failed.action() + (failed.interval().isZero() ? "" : "_" + failed.interval().toMillis() + "ms"));
                fm.put("code", failed.code().code());
                fm.put("result", failed.code().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
                fm.put("reason", failed.reason());
                fm.put("at", time(failed.at()));
            }
            out.add(fm);
        }));
        return out;
    }

    /** A result that is not what the action expects (a probe finding a resource stopped is fine). */
    public static boolean isFailure(OperationRecord op) {
        OcfCode c = op.code();
        if (c == OcfCode.SUCCESS || c == OcfCode.RUNNING_PROMOTED || c == OcfCode.PENDING) return false;
        return !(c == OcfCode.NOT_RUNNING && (op.action().equals("monitor") && op.interval().isZero() || op.action().equals("stop")));
    }

    static String time(Instant t) {
        return t == null || t.equals(Instant.EPOCH) ? "" : t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** The crm_mon-like text. */
    @SuppressWarnings("unchecked")
    public static String text(ClusterState s) {
        Map<String, Object> v = of(s);
        StringBuilder sb = new StringBuilder();
        sb.append("Cluster summary:\n");
        if (s.hasQuorum()) {
            sb.append("  * Leader (controller): ").append(s.leader().isEmpty() ? "none" : s.leader() + " (term " + s.term() + ")").append('\n');
        } else {
            // as crm_mon on a node cut off from the majority: this node's own, possibly stale, view
            sb.append("  * Leader (controller): none - partition WITHOUT quorum").append(s.leader().isEmpty() ? "" : " (last known: " + s.leader()
                    + ", term " + s.term() + "; what follows is this node's last known state)").append('\n');
        }
        sb.append("  * Quorum: ").append(s.hasQuorum() ? "yes" : "NO").append('\n');
        sb.append("  * Quorum mode: ").append(quorumModeText((Map<String, Object>) v.get("quorum-mode"))).append('\n');
        sb.append("  * Last change: ").append(time(s.now()).isEmpty() ? "-" : time(s.now())).append(" (config version ").append(s.configVersion()).append(")\n");
        long members = s.config().nodes().stream().filter(Node::runsResources).count();
        long witnesses = s.config().nodes().size() - members;
        sb.append("  * ").append(s.config().nodes().size()).append(" nodes configured (").append(members).append(members == 1 ? " member, " : " members, ")
                .append(witnesses).append(witnesses == 1 ? " witness)\n" : " witnesses)\n");
        sb.append("  * ").append(s.config().primitives().count()).append(" resource instances configured\n\n");
        List<String> warnings = StatusCheck.warnings(s);
        if (!warnings.isEmpty()) {
            sb.append("WARNINGS:\n");
            for (String w : warnings) sb.append("  * ").append(w).append('\n');
            sb.append('\n');
        }
        sb.append("Node List:\n");
        for (Object o : (List<Object>) v.get("nodes")) {
            Map<String, Object> n = (Map<String, Object>) o;
            sb.append("  * Node ").append(n.get("id")).append(": ").append(n.get("state"));
            if ("witness".equals(n.get("role"))) sb.append(" [witness]");
            if (Boolean.TRUE.equals(n.get("leader"))) sb.append(" [leader]");
            if (!((String) n.get("reason")).isEmpty()) sb.append(" (").append(n.get("reason")).append(')');
            if (!((String) n.get("degraded")).isEmpty()) sb.append("\n      DEGRADED, its Raft replica does not apply entries: ").append(n.get("degraded"));
            sb.append('\n');
        }
        sb.append("\nFull List of Resources:\n");
        if (s.config().resources().isEmpty()) sb.append("  * No resources\n");
        for (Resource r : s.config().resources()) appendResource(sb, s, r, "  ");
        List<Object> failures = (List<Object>) v.get("failures");
        if (!failures.isEmpty()) {
            sb.append("\nFailed Resource Actions:\n");
            for (Object o : failures) {
                Map<String, Object> f = (Map<String, Object>) o;
                sb.append("  * ").append(f.get("resource")).append(" on ").append(f.get("node"));
                if (f.containsKey("operation")) {
                    sb.append(": ").append(f.get("operation")).append(" returned '").append(f.get("result")).append("' (").append(f.get("code")).append(')');
                    if (!((String) f.get("reason")).isEmpty()) sb.append(": ").append(f.get("reason"));
                    sb.append(" at ").append(f.get("at"));
                }
                sb.append(" [fail-count=").append(f.get("fail-count")).append(Boolean.TRUE.equals(f.get("blocked")) ? ", blocked: needs fencing" : "").append("]\n");
            }
        }
        if (!s.fenceHistory().isEmpty()) {
            sb.append("\nFencing History:\n");
            for (int i = s.fenceHistory().size() - 1; i >= 0; i--) {
                sb.append("  * ").append(fenceLine(s.fenceHistory().get(i))).append('\n');
            }
        }
        List<Object> moves = (List<Object>) v.get("expiring-constraints");
        if (!moves.isEmpty()) {
            sb.append("\nExpiring Constraints (resource move / ban):\n");
            for (Object o : moves) {
                Map<String, Object> l = (Map<String, Object>) o;
                sb.append("  * ").append(l.get("id")).append(": ").append(l.get("resource")).append(" on ").append(l.get("node"))
                        .append(" score ").append(l.get("score")).append(" until ").append(l.get("expires")).append('\n');
            }
        }
        return sb.toString();
    }

    /** One fence operation as status and stonith history show it. */
    static String fenceLine(FenceEvent f) {
        return f.action() + " of " + f.target() + (f.success() ? " successful" : " FAILED") + ": devices=" + String.join(",", f.devices())
                + ", executor=" + (f.executor().isEmpty() ? "-" : f.executor()) + ", at " + time(f.at()) + (f.detail().isEmpty() ? "" : " (" + f.detail() + ")");
    }

    /** As crm_mon: an operation sent and not answered yet shows as Starting, Promoting or Migrating. */
    private static String roleText(ResourceState rs) {
        if (!rs.pending()) return rs.role().text();
        String action = rs.operations().get(rs.operations().size() - 1).action();
        return switch (action) {
            case "start" -> "Starting";
            case "promote" -> "Promoting";
            case "migrate_from" -> "Migrating";
            default -> rs.role().text();
        };
    }

    private static void appendResource(StringBuilder sb, ClusterState s, Resource r, String indent) {
        boolean disabled = r.meta().targetRole().map(x -> x == Role.STOPPED).orElse(false);
        if (r instanceof Primitive p) {
            sb.append(indent).append("* ").append(p.id()).append("\t(").append(p.type()).append("):\t");
            List<String> where = new ArrayList<>();
            for (ResourceState rs : s.resources().getOrDefault(p.id(), Map.of()).values()) {
                if (rs.isActive() || rs.pending()) where.add(roleText(rs) + " " + rs.node() + suffix(s, rs.node()));
                if (rs.blocked()) where.add("FAILED " + rs.node() + " (blocked)");
            }
            sb.append(where.isEmpty() ? "Stopped" : String.join(", ", where));
            if (s.blocked().containsKey(p.id())) sb.append(" (blocked: ").append(s.blocked().get(p.id())).append(')');
            if (disabled) sb.append(" (disabled)");
            if (!p.meta().isManaged()) sb.append(" (unmanaged)");
            sb.append('\n');
        } else if (r instanceof Group g) {
            sb.append(indent).append("* Resource Group: ").append(g.id()).append(disabled ? " (disabled)" : "").append(":\n");
            for (Primitive p : g.members()) appendResource(sb, s, p, indent + "  ");
        } else if (r instanceof Clone c) {
            sb.append(indent).append("* Clone Set: ").append(c.id()).append(" [").append(c.child().id()).append("]")
                    .append(c.promotable() ? " (promotable)" : "").append(disabled ? " (disabled)" : "").append(":\n");
            if (c.child() instanceof Primitive p) {
                Map<Role, List<String>> byRole = new LinkedHashMap<>();
                for (Role role : List.of(Role.PROMOTED, Role.UNPROMOTED, Role.STARTED)) byRole.put(role, new ArrayList<>());
                List<String> stopped = new ArrayList<>();
                for (Node n : s.config().nodes()) {
                    if (!n.runsResources()) continue;
                    Role role = s.resource(p.id(), n.id()).role();
                    if (role.isActive()) byRole.get(role).add(n.id());
                    else stopped.add(n.id());
                }
                byRole.forEach((role, nodes) -> {
                    if (!nodes.isEmpty()) sb.append(indent).append("  * ").append(role.text()).append(": [ ").append(String.join(" ", nodes)).append(" ]\n");
                });
                if (!stopped.isEmpty()) sb.append(indent).append("  * Stopped: [ ").append(String.join(" ", stopped)).append(" ]\n");
            } else {
                appendResource(sb, s, c.child(), indent + "  ");
            }
        }
    }

    /** crm_mon's marker for an instance on a node that is not online: its real state is unknown until fenced or back. */
    private static String suffix(ClusterState s, String node) {
        return switch (s.node(node).membership()) {
            case ONLINE -> "";
            case UNCLEAN -> " (UNCLEAN)";
            case OFFLINE -> " (offline)";
        };
    }

    static boolean disabled(Meta meta) { return meta.targetRole().map(x -> x == Role.STOPPED).orElse(false); }
}
