package vigil.daemon.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vigil.api.model.Clone;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
import vigil.api.model.Group;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;
import vigil.daemon.cli.StatusView;
import vigil.engine.scheduler.Transition;
import vigil.engine.state.StateTransitions;
import vigil.raft.runtime.ClusterNode.LocalView;

/**
 * The web page, rendered on the server from this node's applied state, so it is complete at the first byte: summary,
 * nodes, resources, placement scores and why a resource is not placed, constraints, failures, operation history,
 * fencing history and devices. Admins (logged in) also get the action forms, each carrying the session's CSRF token.
 * The same fragment ({@link #live}) is pushed to open pages on every change. Times are written in UTC and shown in
 * the browser's time zone by page.js. No secret (token, fence device parameters) is ever part of it.
 */
final class StatusPage {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int HISTORY = 40;

    /**
     * What one page shows.
     *
     * @param view   this node's view and applied state
     * @param plan   the scheduler's transition for {@code state}, with scores
     * @param csrf   the session's CSRF token when an admin is logged in, else null (read-only page)
     * @param flash  what the admin's last action did (empty: nothing to say)
     */
    record Model(LocalView view, Transition plan, String csrf, String flash, boolean flashIsError) {
        ClusterState state() { return view.state(); }

        boolean admin() { return csrf != null; }
    }

    private StatusPage() {}

    static String page(Model m, boolean loginFailed) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Vigil cluster status</title>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<link rel=\"stylesheet\" href=\"page.css\">\n<script src=\"page.js\" defer></script>\n</head>\n<body>\n<header>\n")
                .append("<h1>Vigil cluster</h1><span class=\"served\">served by ").append(esc(m.view().node())).append("</span>")
                .append("<span id=\"live-state\" class=\"muted\">rendered at ").append(time(Instant.now())).append("</span>\n");
        if (m.admin()) {
            h.append("<form method=\"post\" action=\"logout\" class=\"login\"><input type=\"hidden\" name=\"csrf\" value=\"").append(esc(m.csrf()))
                    .append("\"><span class=\"who\">admin</span> <button>Log out</button></form>\n");
        } else {
            h.append("<form method=\"post\" action=\"login\" class=\"login\"><label>Admin token <input type=\"password\" name=\"token\" ")
                    .append("autocomplete=\"current-password\" required></label> <button>Log in</button>")
                    .append(loginFailed ? " <span class=\"bad\">wrong token</span>" : "").append("</form>\n");
        }
        h.append("</header>\n");
        if (!m.flash().isEmpty()) {
            h.append("<p class=\"flash ").append(m.flashIsError() ? "flash-error" : "flash-ok").append("\" role=\"status\">").append(esc(m.flash())).append("</p>\n");
        }
        h.append("<main id=\"live\">\n").append(live(m)).append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    /** Everything below the header: what live updates replace. */
    static String live(Model m) {
        StringBuilder h = new StringBuilder(16_384);
        summary(h, m);
        nodes(h, m);
        resources(h, m);
        placement(h, m);
        constraints(h, m);
        failures(h, m);
        operations(h, m);
        fencing(h, m);
        return h.toString();
    }

    private static void summary(StringBuilder h, Model m) {
        ClusterState s = m.state();
        LocalView v = m.view();
        h.append("<section id=\"summary\"><dl>");
        h.append("<div><dt>Leader</dt><dd id=\"leader\">").append(v.leader().isEmpty() ? "<span class=\"bad\">none</span>" : esc(v.leader()))
                .append("</dd></div>");
        h.append("<div><dt>Quorum</dt><dd id=\"quorum\">").append(v.quorate() ? "<span class=\"ok\">yes</span>" : "<span class=\"bad\">NO</span>")
                .append("</dd></div>");
        h.append("<div><dt>Term</dt><dd>").append(v.term()).append("</dd></div>");
        h.append("<div><dt>Config version</dt><dd>").append(s.configVersion()).append("</dd></div>");
        h.append("<div><dt>Last change</dt><dd>").append(time(s.now())).append("</dd></div>");
        h.append("<div><dt>Stonith</dt><dd>").append(s.config().properties().stonithEnabled() ? "enabled" : "<span class=\"warn\">disabled</span>")
                .append("</dd></div>");
        h.append("</dl>");
        if (!v.quorate()) {
            h.append("<p class=\"banner bad\">").append(esc(v.node())).append(" hears no leader with a majority: what this page shows may be out of date, ")
                    .append("and its resources are stopped by the no-quorum-policy. Open the page of another node.</p>");
        }
        if (s.config().properties().maintenanceMode()) h.append("<p class=\"banner warn\">maintenance-mode is on: the cluster starts and stops nothing</p>");
        h.append("</section>\n");
    }

    private static void nodes(StringBuilder h, Model m) {
        ClusterState s = m.state();
        h.append("<section><h2>Nodes</h2><table id=\"nodes\"><thead><tr><th>Node</th><th>Type</th><th>State</th><th>Since</th><th>Reason</th>")
                .append("<th>Running here</th>").append(m.admin() ? "<th>Actions</th>" : "").append("</tr></thead><tbody>");
        if (s.config().nodes().isEmpty()) h.append(empty("no nodes configured", m.admin() ? 7 : 6));
        for (Node n : s.config().nodes()) {
            NodeState ns = s.node(n.id());
            String cls = ns.membership() != Membership.ONLINE ? "bad" : ns.standby() || ns.maintenance() ? "warn" : "ok";
            h.append("<tr data-node=\"").append(esc(n.id())).append("\"><td>").append(esc(n.id()))
                    .append(n.id().equals(s.leader()) ? " <span class=\"tag\">leader</span>" : "").append("</td><td>")
                    .append(n.role() == NodeRole.WITNESS ? "witness" : "member").append("</td><td class=\"state ").append(cls).append("\">")
                    .append(esc(nodeState(ns))).append("</td><td>").append(time(ns.since())).append("</td><td>").append(esc(ns.reason())).append("</td><td>");
            List<String> here = new ArrayList<>();
            s.resources().forEach((rid, perNode) -> {
                ResourceState rs = perNode.get(n.id());
                if (rs != null && rs.isActive()) here.add(rid + (rs.role() == Role.PROMOTED ? " (promoted)" : ""));
            });
            h.append(esc(String.join(", ", here))).append("</td>");
            if (m.admin()) {
                h.append("<td class=\"actions\">");
                if (n.runsResources()) {
                    if (ns.standby()) h.append(button(m, "online", "Online", "node", n.id(), null));
                    else h.append(button(m, "standby", "Standby", "node", n.id(), "Put " + n.id() + " in standby? Its resources move to other nodes."));
                }
                h.append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</tbody></table></section>\n");
    }

    static String nodeState(NodeState ns) {
        String base = ns.membership().name().toLowerCase(Locale.ROOT);
        if (ns.membership() == Membership.UNCLEAN) base = "UNCLEAN";
        if (ns.maintenance()) return base + " (maintenance)";
        if (ns.standby()) return base + " (standby)";
        return base;
    }

    private static void resources(StringBuilder h, Model m) {
        ClusterState s = m.state();
        h.append("<section><h2>Resources</h2><table id=\"resources\"><thead><tr><th>Resource</th><th>Type</th><th>Running on</th><th>Status</th>")
                .append("<th>Fail counts</th>").append(m.admin() ? "<th>Actions</th>" : "").append("</tr></thead><tbody>");
        if (s.config().resources().isEmpty()) h.append(empty("no resources configured", m.admin() ? 6 : 5));
        for (Resource r : s.config().resources()) resourceRows(h, m, r, r, 0);
        h.append("</tbody></table></section>\n");
    }

    private static void resourceRows(StringBuilder h, Model m, Resource top, Resource r, int depth) {
        ClusterState s = m.state();
        boolean disabled = r.meta().targetRole().map(x -> x == Role.STOPPED).orElse(false);
        h.append("<tr data-resource=\"").append(esc(r.id())).append("\"><td class=\"depth").append(depth).append("\">").append(esc(r.id())).append("</td>");
        if (r instanceof Primitive p) {
            h.append("<td>").append(esc(p.type())).append("</td>");
            String where = where(s, p);
            h.append("<td class=\"where ").append(where.equals("Stopped") ? "muted" : where.contains("FAILED") ? "bad" : "ok").append("\">")
                    .append(esc(where)).append("</td><td>").append(esc(status(s, p, disabled || top.meta().targetRole().map(x -> x == Role.STOPPED).orElse(false))))
                    .append("</td><td>").append(esc(failCounts(s, p))).append("</td>");
        } else {
            String kind = r instanceof Group ? "group" : ((Clone) r).promotable() ? "promotable clone" : "clone";
            String where = "";
            if (r instanceof Clone c && c.child() instanceof Primitive p) where = where(s, p);
            h.append("<td>").append(kind).append("</td><td class=\"where\">").append(esc(where)).append("</td><td>")
                    .append(disabled ? "disabled" : r.meta().isManaged() ? "" : "unmanaged").append("</td><td></td>");
        }
        if (m.admin()) {
            h.append("<td class=\"actions\">");
            if (r == top) topActions(h, m, r, disabled);
            if (r instanceof Primitive p && hasFailures(s, p)) h.append(button(m, "cleanup", "Cleanup", "resource", p.id(), null));
            h.append("</td>");
        }
        h.append("</tr>");
        if (r instanceof Group g) for (Primitive p : g.members()) resourceRows(h, m, top, p, depth + 1);
        if (r instanceof Clone c && !(c.child() instanceof Primitive)) resourceRows(h, m, top, c.child(), depth + 1);
    }

    private static void topActions(StringBuilder h, Model m, Resource r, boolean disabled) {
        ClusterState s = m.state();
        if (!(r instanceof Clone c && !c.promotable())) {
            h.append("<form method=\"post\" action=\"action\" class=\"act\">").append(hidden("csrf", m.csrf())).append(hidden("action", "move"))
                    .append(hidden("resource", r.id())).append("<select name=\"node\" aria-label=\"move ").append(esc(r.id())).append(" to\">");
            for (Node n : s.config().nodes()) if (n.runsResources()) h.append("<option>").append(esc(n.id())).append("</option>");
            h.append("</select> <button>Move</button></form>");
        }
        boolean moved = s.config().constraints().stream().anyMatch(x -> x instanceof Constraint.Location l && l.resource().equals(r.id())
                && (l.id().startsWith(StateTransitions.MOVE_PREFIX) || l.id().startsWith(StateTransitions.BAN_PREFIX)));
        if (moved) h.append(button(m, "clear", "Clear move", "resource", r.id(), null));
        if (disabled) h.append(button(m, "enable", "Enable", "resource", r.id(), null));
        else h.append(button(m, "disable", "Disable", "resource", r.id(), "Disable " + r.id() + "? It stops everywhere."));
    }

    /** As crm_mon: "Started n1", "Promoted n1, Unpromoted n2", "FAILED n2 (blocked)", "Starting n1"; "Stopped" when inactive. */
    static String where(ClusterState s, Primitive p) {
        List<String> parts = new ArrayList<>();
        for (ResourceState rs : s.resources().getOrDefault(p.id(), Map.of()).values()) {
            String node = rs.node() + switch (s.node(rs.node()).membership()) {
                case ONLINE -> "";
                case OFFLINE -> " (offline)";
                case UNCLEAN -> " (UNCLEAN)";
            };
            if (rs.blocked()) parts.add("FAILED " + node + " (blocked)");
            else if (rs.pending()) parts.add(pendingText(rs) + " " + node);
            else if (rs.isActive()) parts.add(rs.role().text() + " " + node);
        }
        return parts.isEmpty() ? "Stopped" : String.join(", ", parts);
    }

    private static String pendingText(ResourceState rs) {
        return switch (rs.operations().get(rs.operations().size() - 1).action()) {
            case "start" -> "Starting";
            case "promote" -> "Promoting";
            case "migrate_from" -> "Migrating";
            default -> rs.role().text();
        };
    }

    private static String status(ClusterState s, Primitive p, boolean disabled) {
        List<String> st = new ArrayList<>();
        if (disabled) st.add("disabled");
        if (!p.meta().isManaged()) st.add("unmanaged");
        for (ResourceState rs : s.resources().getOrDefault(p.id(), Map.of()).values()) {
            String x = ClusterSeries.status(rs);
            if (x != null && !x.equals("active")) st.add(x + " on " + rs.node());
        }
        return String.join(", ", st);
    }

    private static String failCounts(ClusterState s, Primitive p) {
        List<String> out = new ArrayList<>();
        for (ResourceState rs : s.resources().getOrDefault(p.id(), Map.of()).values()) {
            if (rs.failCount() > 0) out.add(rs.node() + ": " + (rs.failCount() >= Score.INFINITY_VALUE ? "INFINITY" : rs.failCount()));
        }
        return String.join(", ", out);
    }

    private static boolean hasFailures(ClusterState s, Primitive p) {
        for (ResourceState rs : s.resources().getOrDefault(p.id(), Map.of()).values()) {
            if (rs.failCount() > 0 || rs.blocked()) return true;
            for (OperationRecord op : rs.operations()) if (StatusView.isFailure(op)) return true;
        }
        return false;
    }

    /** Scores by node for every placement unit, and for a unit that cannot be placed the scheduler's reasons. */
    private static void placement(StringBuilder h, Model m) {
        ClusterState s = m.state();
        List<Node> members = s.config().nodes().stream().filter(Node::runsResources).toList();
        h.append("<section><h2>Placement</h2><p class=\"muted\">The scheduler's score of each resource on each node (higher wins; ")
                .append("-INFINITY: it may not run there), and why a resource it cannot place anywhere stays stopped.</p>")
                .append("<table id=\"placement\"><thead><tr><th>Resource</th>");
        for (Node n : members) h.append("<th>").append(esc(n.id())).append("</th>");
        h.append("<th>Why not placed</th></tr></thead><tbody>");
        if (m.plan().scores().isEmpty()) h.append(empty("nothing to place", members.size() + 2));
        m.plan().scores().forEach((unit, byNode) -> {
            h.append("<tr data-placement=\"").append(esc(unit)).append("\"><td>").append(esc(unit)).append("</td>");
            for (Node n : members) {
                Score sc = byNode.get(n.id());
                boolean runs = runsOn(s, unit, n.id());
                String cls = sc == null ? "muted" : sc.isMinusInfinity() ? "bad" : sc.value() < 0 ? "warn" : "";
                h.append("<td class=\"score ").append(cls).append(runs ? " here" : "").append("\">").append(sc == null ? "-" : esc(sc.toString()))
                        .append(runs ? " &#9679;" : "").append("</td>");
            }
            h.append("<td>").append(esc(m.plan().notPlaced().getOrDefault(unit, ""))).append("</td></tr>");
        });
        m.plan().notPlaced().forEach((unit, why) -> {
            if (m.plan().scores().containsKey(unit)) return;
            h.append("<tr data-placement=\"").append(esc(unit)).append("\"><td>").append(esc(unit)).append("</td>");
            for (int i = 0; i < members.size(); i++) h.append("<td class=\"muted\">-</td>");
            h.append("<td>").append(esc(why)).append("</td></tr>");
        });
        h.append("</tbody></table></section>\n");
    }

    private static boolean runsOn(ClusterState s, String unit, String node) {
        return s.config().resource(unit).map(Resource::primitives).orElse(List.of()).stream()
                .anyMatch(p -> s.resource(p.id(), node).isActive());
    }

    private static void constraints(StringBuilder h, Model m) {
        ClusterState s = m.state();
        h.append("<section><h2>Constraints</h2><table id=\"constraints\"><thead><tr><th>ID</th><th>Kind</th><th>Rule</th><th>Score</th>")
                .append("<th>Expires</th>").append(m.admin() ? "<th>Actions</th>" : "").append("</tr></thead><tbody>");
        if (s.config().constraints().isEmpty()) h.append(empty("no constraints", m.admin() ? 6 : 5));
        for (Constraint c : s.config().constraints()) {
            h.append("<tr data-constraint=\"").append(esc(c.id())).append("\"><td>").append(esc(c.id())).append("</td>");
            if (c instanceof Constraint.Location l) {
                boolean expired = l.expiredAt(s.now());
                h.append("<td>location</td><td>").append(esc(l.resource() + (l.role() == null ? "" : " (" + l.role().text() + ")") + " on " + l.node()))
                        .append("</td><td>").append(esc(l.score().toString())).append("</td><td>")
                        .append(l.expires() == null ? "never" : time(l.expires()) + (expired ? " <span class=\"muted\">(expired)</span>" : "")).append("</td>");
                if (m.admin()) {
                    boolean clearable = l.id().startsWith(StateTransitions.MOVE_PREFIX) || l.id().startsWith(StateTransitions.BAN_PREFIX);
                    h.append("<td class=\"actions\">").append(clearable ? button(m, "clear", "Clear", "resource", l.resource(), null) : "").append("</td>");
                }
            } else if (c instanceof Constraint.Colocation co) {
                h.append("<td>colocation</td><td>").append(esc(co.resource() + (co.role() == null ? "" : " (" + co.role().text() + ")") + " with "
                        + co.withResource() + (co.withRole() == null ? "" : " (" + co.withRole().text() + ")"))).append("</td><td>")
                        .append(esc(co.score().toString())).append("</td><td>never</td>").append(m.admin() ? "<td></td>" : "");
            } else if (c instanceof Constraint.Order o) {
                h.append("<td>order</td><td>").append(esc(o.firstAction().text() + " " + o.first() + " then " + o.thenAction().text() + " " + o.then()
                        + (o.symmetrical() ? "" : " (not symmetrical)"))).append("</td><td>").append(esc(o.kind().name().toLowerCase(Locale.ROOT)))
                        .append("</td><td>never</td>").append(m.admin() ? "<td></td>" : "");
            }
            h.append("</tr>");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void failures(StringBuilder h, Model m) {
        ClusterState s = m.state();
        h.append("<section><h2>Failures</h2><table id=\"failures\"><thead><tr><th>Resource</th><th>Node</th><th>Operation</th><th>Result</th>")
                .append("<th>Reason</th><th>Fail count</th><th>At</th>").append(m.admin() ? "<th>Actions</th>" : "").append("</tr></thead><tbody>");
        int rows = 0;
        for (var perResource : s.resources().entrySet()) {
            for (ResourceState rs : perResource.getValue().values()) {
                OperationRecord failed = null;
                for (OperationRecord op : rs.operations()) if (StatusView.isFailure(op)) failed = op;
                if (rs.failCount() == 0 && failed == null && !rs.blocked()) continue;
                rows++;
                h.append("<tr><td>").append(esc(rs.resource())).append("</td><td>").append(esc(rs.node())).append("</td><td>")
                        .append(failed == null ? "" : esc(opName(failed))).append("</td><td class=\"bad\">")
                        .append(failed == null ? "" : esc(result(failed.code()))).append(rs.blocked() ? " (blocked: needs fencing)" : "").append("</td><td>")
                        .append(failed == null ? "" : esc(failed.reason())).append("</td><td>")
                        .append(rs.failCount() >= Score.INFINITY_VALUE ? "INFINITY" : rs.failCount()).append("</td><td>")
                        .append(failed == null ? time(rs.lastFailure()) : time(failed.at())).append("</td>");
                if (m.admin()) h.append("<td class=\"actions\">").append(button(m, "cleanup", "Cleanup", "resource", rs.resource(), null, "node", rs.node())).append("</td>");
                h.append("</tr>");
            }
        }
        if (rows == 0) h.append(empty("no failures", m.admin() ? 8 : 7));
        h.append("</tbody></table></section>\n");
    }

    private static void operations(StringBuilder h, Model m) {
        ClusterState s = m.state();
        record Op(String resource, String node, OperationRecord op) {}
        List<Op> ops = new ArrayList<>();
        s.resources().forEach((rid, perNode) -> perNode.values().forEach(rs -> rs.operations().forEach(op -> ops.add(new Op(rid, rs.node(), op)))));
        ops.sort(Comparator.comparing((Op o) -> o.op().at()).reversed());
        h.append("<section><h2>Operation history</h2><p class=\"muted\">The latest operations the nodes reported (the newest ")
                .append(HISTORY).append("; each resource keeps its last few per node).</p><table id=\"operations\"><thead><tr><th>At</th><th>Resource</th>")
                .append("<th>Node</th><th>Operation</th><th>Result</th><th>Took</th><th>Reason</th></tr></thead><tbody>");
        if (ops.isEmpty()) h.append(empty("no operations yet", 7));
        for (Op o : ops.subList(0, Math.min(HISTORY, ops.size()))) {
            boolean bad = StatusView.isFailure(o.op());
            h.append("<tr><td>").append(time(o.op().at())).append("</td><td>").append(esc(o.resource())).append("</td><td>").append(esc(o.node()))
                    .append("</td><td>").append(esc(opName(o.op()))).append("</td><td class=\"").append(bad ? "bad" : o.op().code() == OcfCode.PENDING ? "muted" : "ok")
                    .append("\">").append(esc(result(o.op().code()))).append("</td><td>").append(o.op().code() == OcfCode.PENDING ? "" : o.op().took().toMillis() + " ms")
                    .append("</td><td>").append(esc(o.op().reason())).append("</td></tr>");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void fencing(StringBuilder h, Model m) {
        ClusterState s = m.state();
        h.append("<section><h2>Fencing</h2><h3>Devices</h3><table id=\"fence-devices\"><thead><tr><th>Device</th><th>Type</th><th>Can fence</th>")
                .append("<th>Delay</th></tr></thead><tbody>");
        if (s.config().fenceDevices().isEmpty()) h.append(empty(s.config().properties().stonithEnabled()
                ? "no fence devices: nothing can fence a lost node, so its resources are not recovered" : "no fence devices", 4));
        for (FenceDevice d : s.config().fenceDevices()) {
            List<String> targets = new ArrayList<>();
            for (Node n : s.config().nodes()) if (d.canFence(n.id())) targets.add(n.id());
            h.append("<tr data-device=\"").append(esc(d.id())).append("\"><td>").append(esc(d.id())).append("</td><td>").append(esc(d.type()))
                    .append("</td><td>").append(esc(String.join(", ", targets))).append("</td><td>").append(d.delay().isZero() ? "" : d.delay().toMillis() + " ms")
                    .append("</td></tr>");
        }
        h.append("</tbody></table><h3>History</h3><table id=\"fencing\"><thead><tr><th>At</th><th>Target</th><th>Action</th><th>Result</th>")
                .append("<th>Devices</th><th>Executor</th><th>Detail</th></tr></thead><tbody>");
        if (s.fenceHistory().isEmpty()) h.append(empty("no fencing", 7));
        for (int i = s.fenceHistory().size() - 1; i >= 0; i--) {
            FenceEvent f = s.fenceHistory().get(i);
            h.append("<tr><td>").append(time(f.at())).append("</td><td>").append(esc(f.target())).append("</td><td>").append(esc(f.action()))
                    .append("</td><td class=\"").append(f.success() ? "ok\">success" : "bad\">FAILED").append("</td><td>").append(esc(String.join(", ", f.devices())))
                    .append("</td><td>").append(esc(f.executor())).append("</td><td>").append(esc(f.detail())).append("</td></tr>");
        }
        h.append("</tbody></table></section>\n");
    }

    private static String opName(OperationRecord op) {
        if (op.action().equals("monitor") && op.interval().isZero()) return "probe";
        return op.action() + (op.interval().isZero() ? "" : " every " + vigil.api.model.Durations.format(op.interval()));
    }

    private static String result(OcfCode c) {
        return c == OcfCode.PENDING ? "pending" : c.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + c.code() + ")";
    }

    /** A one-button action form. {@code confirm}: a question the page asks first (null: none). */
    private static String button(Model m, String action, String label, String field, String value, String confirm, String... more) {
        StringBuilder f = new StringBuilder("<form method=\"post\" action=\"action\" class=\"act\"");
        if (confirm != null) f.append(" data-confirm=\"").append(esc(confirm)).append('"');
        f.append('>').append(hidden("csrf", m.csrf())).append(hidden("action", action)).append(hidden(field, value));
        for (int i = 0; i + 1 < more.length; i += 2) f.append(hidden(more[i], more[i + 1]));
        return f.append("<button data-action=\"").append(action).append("\">").append(esc(label)).append("</button></form>").toString();
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + esc(value) + "\">";
    }

    private static String empty(String text, int cols) {
        return "<tr><td colspan=\"" + cols + "\" class=\"muted\">" + esc(text) + "</td></tr>";
    }

    /** A UTC time page.js shows in the browser's zone; the text is the fallback without JavaScript. */
    static String time(Instant t) {
        if (t == null || t.equals(Instant.EPOCH) || t.equals(Instant.MIN)) return "";
        return "<time datetime=\"" + t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + "\">" + UTC.format(t) + "</time>";
    }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
