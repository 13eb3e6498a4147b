package vigil.engine.cib;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
import vigil.api.model.Group;
import vigil.api.model.Node;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.ClusterState;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * Writes a cluster state as a Pacemaker CIB, so that the real crm_simulate can plan the same situation (test code:
 * it checks that scheduler scenarios say what Pacemaker says). Covers what the scenarios use: nodes with their
 * membership, standby and maintenance; primitives, groups and (promotable) clones with meta attributes and
 * operations; fence devices as stonith primitives; location (lifetimes as date rules), colocation and order
 * constraints; the properties Vigil models; and the status as an operation history per resource and node (a start,
 * a promote for a promoted role, then the recorded operations), with fail counts and promotion scores.
 * Refuses what Pacemaker has no equivalent for (witness nodes).
 */
public final class CibWriter {
    private final StringBuilder b = new StringBuilder();
    private int ids;
    private int callId = 10;

    private CibWriter() {}

    public static String write(ClusterState s) {
        CibWriter w = new CibWriter();
        w.cib(s);
        return w.b.toString();
    }

    private String id(String prefix) { return prefix + "-" + (++ids); }

    private static String esc(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private void cib(ClusterState s) {
        ClusterConfig c = s.config();
        b.append("<cib crm_feature_set=\"3.16.1\" validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"1\" admin_epoch=\"0\" have-quorum=\"")
                .append(s.hasQuorum() ? 1 : 0).append("\" execution-date=\"").append(s.now().getEpochSecond()).append("\">\n");
        b.append("  <configuration>\n");
        properties(c.properties());
        b.append("    <nodes>\n");
        for (Node n : c.nodes()) {
            if (!n.runsResources()) throw new IllegalArgumentException("witness node " + n.id() + " has no Pacemaker equivalent");
            NodeState ns = s.node(n.id());
            b.append("      <node id=\"").append(esc(n.id())).append("\" uname=\"").append(esc(n.id())).append("\">");
            b.append("<instance_attributes id=\"").append(id("na")).append("\">");
            nvpair("standby", ns.standby() ? "on" : "off");
            nvpair("maintenance", ns.maintenance() ? "on" : "off");
            for (var a : n.attributes().entrySet()) nvpair(a.getKey(), a.getValue());
            b.append("</instance_attributes></node>\n");
        }
        b.append("    </nodes>\n    <resources>\n");
        for (FenceDevice d : c.fenceDevices()) {
            if (c.resource(d.id()).isPresent()) continue;
            b.append("      <primitive id=\"").append(esc(d.id())).append("\" class=\"stonith\" type=\"")
                    .append(esc(d.type().startsWith("agent:") ? d.type().substring(6) : "fence_dummy")).append("\">");
            b.append("<instance_attributes id=\"").append(id("fa")).append("\">");
            if (!d.hostList().isEmpty()) nvpair("pcmk_host_list", String.join(",", d.hostList()));
            b.append("</instance_attributes></primitive>\n");
        }
        for (Resource r : c.resources()) resource(r, "      ");
        b.append("    </resources>\n    <constraints>\n");
        for (Constraint k : c.constraints()) constraint(k, s);
        b.append("    </constraints>\n  </configuration>\n  <status>\n");
        for (Node n : c.nodes()) nodeState(s, n);
        b.append("  </status>\n</cib>\n");
    }

    private void properties(ClusterProperties p) {
        b.append("    <crm_config><cluster_property_set id=\"cib-bootstrap-options\">");
        nvpair("stonith-enabled", Boolean.toString(p.stonithEnabled()));
        nvpair("symmetric-cluster", Boolean.toString(p.symmetricCluster()));
        nvpair("no-quorum-policy", p.noQuorumPolicy().text());
        nvpair("start-failure-is-fatal", Boolean.toString(p.startFailureIsFatal()));
        nvpair("maintenance-mode", Boolean.toString(p.maintenanceMode()));
        for (var e : p.other().entrySet()) nvpair(e.getKey(), e.getValue());
        b.append("</cluster_property_set></crm_config>\n");
        if (p.defaultStickiness().value() != 0) {
            b.append("    <rsc_defaults><meta_attributes id=\"rsc-options\">");
            nvpair("resource-stickiness", p.defaultStickiness().toString());
            b.append("</meta_attributes></rsc_defaults>\n");
        }
    }

    private void nvpair(String name, String value) {
        b.append("<nvpair id=\"").append(id("nv")).append("\" name=\"").append(esc(name)).append("\" value=\"").append(esc(value)).append("\"/>");
    }

    private void meta(Map<String, String> meta) {
        if (meta.isEmpty()) return;
        b.append("<meta_attributes id=\"").append(id("ma")).append("\">");
        for (var e : meta.entrySet()) nvpair(e.getKey(), e.getValue());
        b.append("</meta_attributes>");
    }

    private void resource(Resource r, String indent) {
        if (r instanceof Primitive p) {
            String[] t = agent(p.type());
            b.append(indent).append("<primitive id=\"").append(esc(p.id())).append("\" class=\"").append(t[0]).append('"');
            if (!t[1].isEmpty()) b.append(" provider=\"").append(t[1]).append('"');
            b.append(" type=\"").append(esc(t[2])).append("\">");
            meta(p.meta().values());
            if (!p.operations().isEmpty()) {
                b.append("<operations>");
                for (Operation o : p.operations()) {
                    b.append("<op id=\"").append(id("op")).append("\" name=\"").append(o.name()).append("\" interval=\"")
                            .append(o.interval().toMillis()).append("ms\" timeout=\"").append(o.timeout().toMillis()).append("ms\"");
                    if (o.onFail() != null) b.append(" on-fail=\"").append(o.onFail().text()).append('"');
                    if (o.role() != null) b.append(" role=\"").append(o.role().text()).append('"');
                    b.append("/>");
                }
                b.append("</operations>");
            }
            b.append("</primitive>\n");
        } else if (r instanceof Group g) {
            b.append(indent).append("<group id=\"").append(esc(g.id())).append("\">");
            meta(g.meta().values());
            b.append('\n');
            for (Primitive p : g.members()) resource(p, indent + "  ");
            b.append(indent).append("</group>\n");
        } else {
            Clone c = (Clone) r;
            b.append(indent).append("<clone id=\"").append(esc(c.id())).append("\">");
            Map<String, String> m = new java.util.TreeMap<>(c.meta().values());
            if (c.promotable()) m.put("promotable", "true");
            meta(m);
            b.append('\n');
            resource(c.child(), indent + "  ");
            b.append(indent).append("</clone>\n");
        }
    }

    /** {@code ocf:heartbeat:Dummy} -> ocf, heartbeat, Dummy; Vigil's own types become ocf:vigil:TYPE. */
    private static String[] agent(String type) {
        String[] p = type.split(":");
        if (p.length == 3) return p;
        if (p.length == 2 && !p[0].equals("ocf")) return new String[] {p[0].equals("stonith") ? "stonith" : "ocf", p[0].equals("stonith") ? "" : "vigil", p[1]};
        return new String[] {"ocf", "vigil", type.replace(':', '_')};
    }

    private void constraint(Constraint k, ClusterState s) {
        if (k instanceof Constraint.Location l) {
            if (l.expiredAt(s.now())) return;
            b.append("      <rsc_location id=\"").append(esc(l.id())).append("\" rsc=\"").append(esc(l.resource())).append('"');
            if (l.role() != null) b.append(" role=\"").append(l.role().text()).append('"');
            if (l.expires() == null) {
                b.append(" node=\"").append(esc(l.node())).append("\" score=\"").append(l.score()).append("\"/>\n");
            } else {
                b.append("><rule id=\"").append(id("r")).append("\" score=\"").append(l.score()).append("\" boolean-op=\"and\">")
                        .append("<expression id=\"").append(id("e")).append("\" attribute=\"#uname\" operation=\"eq\" value=\"")
                        .append(esc(l.node())).append("\"/><date_expression id=\"").append(id("d")).append("\" operation=\"lt\" end=\"")
                        .append(l.expires()).append("\"/></rule></rsc_location>\n");
            }
        } else if (k instanceof Constraint.Colocation c) {
            b.append("      <rsc_colocation id=\"").append(esc(c.id())).append("\" rsc=\"").append(esc(c.resource())).append("\" with-rsc=\"")
                    .append(esc(c.withResource())).append("\" score=\"").append(c.score()).append('"');
            if (c.role() != null) b.append(" rsc-role=\"").append(c.role().text()).append('"');
            if (c.withRole() != null) b.append(" with-rsc-role=\"").append(c.withRole().text()).append('"');
            b.append("/>\n");
        } else {
            Constraint.Order o = (Constraint.Order) k;
            b.append("      <rsc_order id=\"").append(esc(o.id())).append("\" first=\"").append(esc(o.first())).append("\" first-action=\"")
                    .append(o.firstAction().text()).append("\" then=\"").append(esc(o.then())).append("\" then-action=\"").append(o.thenAction().text())
                    .append("\" kind=\"").append(o.kind().name().charAt(0)).append(o.kind().name().substring(1).toLowerCase(java.util.Locale.ROOT))
                    .append("\" symmetrical=\"").append(o.symmetrical()).append('"');
            if (!o.requireAll()) b.append(" require-all=\"false\"");
            b.append("/>\n");
        }
    }

    private void nodeState(ClusterState s, Node n) {
        NodeState ns = s.node(n.id());
        String attrs = switch (ns.membership()) {
            case ONLINE -> "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"";
            case OFFLINE -> "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"";
            case UNCLEAN -> "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\"";
        };
        b.append("    <node_state id=\"").append(esc(n.id())).append("\" uname=\"").append(esc(n.id())).append("\" ").append(attrs).append(">\n");
        List<ResourceState> here = new ArrayList<>();
        for (var per : s.resources().values()) {
            ResourceState rs = per.get(n.id());
            if (rs != null) here.add(rs);
        }
        b.append("      <transient_attributes id=\"").append(esc(n.id())).append("\"><instance_attributes id=\"").append(id("ta")).append("\">");
        for (ResourceState rs : here) {
            if (rs.failCount() > 0) {
                nvpair("fail-count-" + rs.resource() + "#monitor_10000", rs.failCount() >= vigil.api.model.Score.INFINITY_VALUE ? "INFINITY" : Integer.toString(rs.failCount()));
                nvpair("last-failure-" + rs.resource() + "#monitor_10000", Long.toString(rs.lastFailure().getEpochSecond()));
            }
            if (rs.hasPromotionScore()) nvpair("master-" + rs.resource(), vigil.api.model.Score.of(rs.promotionScore()).toString());
        }
        b.append("</instance_attributes></transient_attributes>\n");
        b.append("      <lrm id=\"").append(esc(n.id())).append("\"><lrm_resources>\n");
        for (ResourceState rs : here) lrmResource(s, rs);
        b.append("      </lrm_resources></lrm>\n    </node_state>\n");
    }

    private void lrmResource(ClusterState s, ResourceState rs) {
        Primitive p = s.config().primitives().filter(x -> x.id().equals(rs.resource())).findFirst().orElse(null);
        String[] t = p == null ? new String[] {"ocf", "heartbeat", "Dummy"} : agent(p.type());
        b.append("        <lrm_resource id=\"").append(esc(rs.resource())).append("\" class=\"").append(t[0]).append('"');
        if (!t[1].isEmpty()) b.append(" provider=\"").append(t[1]).append('"');
        b.append(" type=\"").append(esc(t[2])).append("\">\n");
        List<OperationRecord> ops = new ArrayList<>(rs.operations());
        boolean active = rs.role().isActive() || rs.blocked();
        boolean started = ops.stream().anyMatch(o -> o.action().equals("start") || o.action().equals("migrate_from"));
        List<OperationRecord> history = new ArrayList<>();
        if (active && !started) {
            history.add(new OperationRecord("start", Duration.ZERO, OcfCode.SUCCESS, rs.lastFailure(), Duration.ZERO, ""));
            if (rs.role() == Role.PROMOTED && ops.stream().noneMatch(o -> o.action().equals("promote"))) {
                history.add(new OperationRecord("promote", Duration.ZERO, OcfCode.SUCCESS, rs.lastFailure(), Duration.ZERO, ""));
            }
        }
        history.addAll(ops);
        if (rs.blocked()) history.add(new OperationRecord("stop", Duration.ZERO, OcfCode.ERR_GENERIC, rs.lastFailure(), Duration.ZERO, ""));
        if (!active && history.isEmpty()) history.add(new OperationRecord("monitor", Duration.ZERO, OcfCode.NOT_RUNNING, s.now(), Duration.ZERO, ""));
        Role role = Role.STOPPED;
        for (OperationRecord o : history) {
            int rc = o.code().code();
            boolean probe = o.action().equals("monitor") && o.interval().isZero();
            int expected;
            if (o.code() == OcfCode.PENDING) {
                b.append("          <lrm_rsc_op id=\"").append(id("op")).append("\" operation_key=\"").append(esc(rs.resource())).append('_').append(o.action())
                        .append("_0\" operation=\"").append(o.action()).append("\" transition-key=\"1:1:0:00000000-0000-0000-0000-000000000000\" ")
                        .append("call-id=\"-1\" rc-code=\"193\" op-status=\"-1\" interval=\"0\" last-rc-change=\"").append(o.at().getEpochSecond())
                        .append("\" op-digest=\"").append(digest(p == null ? Map.of() : p.params())).append("\"/>\n");
                continue;
            }
            if (probe) expected = 7;
            else if (o.action().equals("monitor")) expected = role == Role.PROMOTED ? 8 : 0;
            else expected = 0;
            if (o.code() == OcfCode.SUCCESS || o.code() == OcfCode.RUNNING_PROMOTED) {
                expected = rc;
                if (o.action().equals("start") || o.action().equals("migrate_from")) role = Role.STARTED;
                if (o.action().equals("promote")) role = Role.PROMOTED;
                if (o.action().equals("demote")) role = Role.UNPROMOTED;
                if (o.action().equals("stop")) role = Role.STOPPED;
            }
            String key = rs.resource() + "_" + o.action() + "_" + o.interval().toMillis();
            b.append("          <lrm_rsc_op id=\"").append(id("op")).append("\" operation_key=\"").append(esc(key)).append("\" operation=\"")
                    .append(o.action()).append("\" transition-key=\"1:1:").append(expected).append(":00000000-0000-0000-0000-000000000000\" transition-magic=\"0:")
                    .append(rc).append(";1:1:").append(expected).append(":00000000-0000-0000-0000-000000000000\" call-id=\"").append(callId++)
                    .append("\" rc-code=\"").append(rc).append("\" op-status=\"0\" interval=\"").append(o.interval().toMillis())
                    .append("\" last-rc-change=\"").append(o.at().getEpochSecond()).append("\" exec-time=\"0\" queue-time=\"0\" op-digest=\"")
                    .append(digest(p == null ? Map.of() : p.params())).append("\"/>\n");
        }
        b.append("        </lrm_resource>\n");
    }

    /** Pacemaker's digest of a resource's parameters: MD5 of {@code  <parameters k="v" .../>} with sorted keys. */
    static String digest(Map<String, String> params) {
        StringBuilder x = new StringBuilder(" <parameters");
        for (var e : new java.util.TreeMap<>(params).entrySet()) x.append(' ').append(e.getKey()).append("=\"").append(esc(e.getValue())).append('"');
        x.append("/>\n");
        try {
            byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(x.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(md5);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code s} can be written at all (no witness nodes). */
    public static boolean representable(ClusterState s) {
        return s.config().nodes().stream().allMatch(Node::runsResources);
    }
}
