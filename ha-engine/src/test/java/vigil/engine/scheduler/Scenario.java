package vigil.engine.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Durations;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.OnFail;
import vigil.api.model.Operation;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.OutdatedCopy;
import vigil.api.status.ResourceState;

/**
 * One scheduler scenario file: the input state as one directive per line, then {@code ==== expected} and the
 * transition summary, actions and unplaced resources the scheduler must produce.
 *
 * <pre>
 * node NAME [standby] [offline] [unclean] [maintenance] [witness]
 * property KEY=VALUE ...        stonith-enabled, symmetric-cluster, no-quorum-policy, resource-stickiness,
 *                               start-failure-is-fatal, maintenance-mode
 * quorum false | now SECONDS | settles false
 * primitive ID TYPE [in=PARENT] [monitor=10s] [monitor-promoted=5s] [on-fail-OP=ACTION] [META=VALUE ...]
 * group ID [in=CLONE] [META=VALUE ...]
 * clone ID [promotable] [META=VALUE ...]
 * location ID RSC NODE SCORE [role=ROLE] [expires=SECONDS]
 * colocation ID RSC WITH SCORE [role=ROLE] [with-role=ROLE]
 * order ID FIRST[:ACTION] THEN[:ACTION] [kind=KIND] [symmetrical=false]
 * status RSC NODE ROLE [failcount=N] [last-failure=SECONDS] [promotion=N] [blocked] [op=ACTION:INTERVAL:CODE ...]
 * outdated RSC NODE [REASON ...]   the copy of primitive RSC on NODE is marked outdated (replicated resource-level fencing)
 * </pre>
 */
final class Scenario {
    static final String EXPECTED = "==== expected";

    final String input;
    final String expected;
    final ClusterState state;
    final boolean settles;

    private Scenario(String input, String expected, ClusterState state, boolean settles) {
        this.input = input;
        this.expected = expected;
        this.state = state;
        this.settles = settles;
    }

    static Scenario parse(String text) {
        int cut = text.indexOf(EXPECTED);
        String input = cut < 0 ? text : text.substring(0, cut);
        String expected = cut < 0 ? "" : text.substring(cut + EXPECTED.length()).strip();
        return new Builder().parse(input).build(input, expected);
    }

    /** The expected section for a transition. */
    static String render(ClusterState before, Transition t) {
        StringBuilder sb = new StringBuilder();
        sb.append("Transition Summary:\n");
        for (String l : TransitionSummary.lines(before, t)) sb.append(l).append('\n');
        sb.append("Actions:\n");
        for (PlannedAction a : t.actions()) sb.append("  ").append(a).append('\n');
        if (!t.notPlaced().isEmpty()) {
            sb.append("Not placed:\n");
            t.notPlaced().forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
        }
        return sb.toString().strip();
    }

    private static final class Builder {
        final ClusterConfig.Builder cfg = ClusterConfig.builder();
        final ClusterProperties.Builder props = ClusterProperties.builder().stonithEnabled(false);
        final Map<String, NodeState> nodes = new LinkedHashMap<>();
        final Map<String, Map<String, ResourceState>> status = new HashMap<>();
        // resources in definition order; children collected per parent
        final LinkedHashMap<String, Object[]> tops = new LinkedHashMap<>(); // id -> {kind, meta, promotable}
        final Map<String, String> parentOf = new HashMap<>();
        final Map<String, List<Object>> children = new HashMap<>();
        final Map<String, Primitive> prims = new HashMap<>();
        final Map<String, Meta> groupMeta = new HashMap<>();
        final List<String> order = new ArrayList<>();
        Instant now = Instant.ofEpochSecond(1000);
        boolean quorum = true;
        boolean settles = true;
        final List<OutdatedCopy> outdated = new ArrayList<>();
        int nodeNo;

        Builder parse(String input) {
            int lineNo = 0;
            for (String raw : input.split("\n")) {
                lineNo++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                try {
                    directive(line.split("\\s+"));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("line " + lineNo + " \"" + line + "\": " + e.getMessage(), e);
                }
            }
            return this;
        }

        void directive(String[] w) {
            switch (w[0]) {
                case "node": {
                    nodeNo++;
                    boolean witness = has(w, "witness");
                    cfg.node(new Node(w[1], "10.0.0." + nodeNo + ":9870", witness ? NodeRole.WITNESS : NodeRole.MEMBER, Map.of()));
                    Membership m = has(w, "offline") ? Membership.OFFLINE : has(w, "unclean") ? Membership.UNCLEAN : Membership.ONLINE;
                    nodes.put(w[1], new NodeState(w[1], m, has(w, "standby"), has(w, "maintenance"), Instant.EPOCH, ""));
                    break;
                }
                case "property":
                    for (int i = 1; i < w.length; i++) property(key(w[i]), value(w[i]));
                    break;
                case "quorum": quorum = Boolean.parseBoolean(w[1]); break;
                case "now": now = Instant.ofEpochSecond(Long.parseLong(w[1])); break;
                case "settles": settles = Boolean.parseBoolean(w[1]); break;
                case "primitive": primitive(w); break;
                case "group": {
                    Meta meta = meta(w, 2);
                    String in = kv(w, "in");
                    groupMeta.put(w[1], meta);
                    if (in != null) child(in, w[1]); else top(w[1], "group", meta, false);
                    break;
                }
                case "clone": top(w[1], "clone", meta(w, 2), has(w, "promotable")); break;
                case "location": {
                    String role = kv(w, "role");
                    String exp = kv(w, "expires");
                    cfg.constraint(new Constraint.Location(w[1], w[2], w[3], Score.parse("score", w[4]),
                            role == null ? null : Role.parse("role", role), exp == null ? null : Instant.ofEpochSecond(Long.parseLong(exp))));
                    break;
                }
                case "colocation": {
                    String role = kv(w, "role");
                    String withRole = kv(w, "with-role");
                    cfg.constraint(new Constraint.Colocation(w[1], w[2], w[3], Score.parse("score", w[4]),
                            role == null ? null : Role.parse("role", role), withRole == null ? null : Role.parse("with-role", withRole)));
                    break;
                }
                case "order": {
                    String[] f = w[2].split(":");
                    String[] t = w[3].split(":");
                    String kind = kv(w, "kind");
                    String sym = kv(w, "symmetrical");
                    Action fa = f.length > 1 ? Action.parse("first-action", f[1]) : Action.START;
                    Action ta = t.length > 1 ? Action.parse("then-action", t[1]) : fa;
                    cfg.constraint(new Constraint.Order(w[1], f[0], fa, t[0], ta,
                            kind == null ? OrderKind.MANDATORY : OrderKind.parse("kind", kind), sym == null || Boolean.parseBoolean(sym)));
                    break;
                }
                case "status": status(w); break;
                case "outdated": outdated.add(new OutdatedCopy(w[1], w[2], w.length > 3 ? String.join(" ", java.util.Arrays.copyOfRange(w, 3, w.length)) : "", now)); break;
                default: throw new IllegalArgumentException("unknown directive " + w[0]);
            }
        }

        void property(String k, String v) {
            switch (k) {
                case "stonith-enabled": props.stonithEnabled(Boolean.parseBoolean(v)); break;
                case "symmetric-cluster": props.symmetricCluster(Boolean.parseBoolean(v)); break;
                case "no-quorum-policy": props.noQuorumPolicy(NoQuorumPolicy.parse(k, v)); break;
                case "resource-stickiness": props.defaultStickiness(Score.parse(k, v)); break;
                case "start-failure-is-fatal": props.startFailureIsFatal(Boolean.parseBoolean(v)); break;
                case "maintenance-mode": props.maintenanceMode(Boolean.parseBoolean(v)); break;
                default: throw new IllegalArgumentException("unknown property " + k);
            }
        }

        void primitive(String[] w) {
            Primitive.Builder b = Primitive.builder(w[1], w[2]);
            String in = null;
            for (int i = 3; i < w.length; i++) {
                String k = key(w[i]);
                String v = value(w[i]);
                if (k.equals("in")) in = v;
                else if (k.equals("monitor")) b.operation(new Operation("monitor", Durations.parse(k, v), null, null, null));
                else if (k.equals("monitor-promoted")) b.operation(new Operation("monitor", Durations.parse(k, v), null, null, Role.PROMOTED));
                else if (k.equals("monitor-unpromoted")) b.operation(new Operation("monitor", Durations.parse(k, v), null, null, Role.UNPROMOTED));
                else if (k.startsWith("on-fail-")) {
                    String op = k.substring("on-fail-".length());
                    Duration interval = Duration.ZERO;
                    if (op.equals("monitor")) interval = Duration.ofSeconds(10);
                    b.operation(new Operation(op, interval, null, OnFail.parse(k, v), null));
                } else b.meta(k, v);
            }
            Primitive p = b.build();
            prims.put(p.id(), p);
            if (in != null) child(in, p.id()); else top(p.id(), "primitive", null, false);
        }

        void top(String id, String kind, Meta meta, boolean promotable) {
            tops.put(id, new Object[] {kind, meta, promotable});
            order.add(id);
        }

        void child(String parent, String id) {
            parentOf.put(id, parent);
            children.computeIfAbsent(parent, k -> new ArrayList<>()).add(id);
        }

        void status(String[] w) {
            ResourceState rs = ResourceState.stopped(w[1], w[2]).withRole(Role.parse("role", w[3]));
            int fails = 0;
            Instant lastFailure = null;
            for (int i = 4; i < w.length; i++) {
                if (w[i].equals("blocked")) { rs = rs.withBlocked(true); continue; }
                String k = key(w[i]);
                String v = value(w[i]);
                switch (k) {
                    case "failcount": fails = Score.parse(k, v).value(); break;
                    case "last-failure": lastFailure = Instant.ofEpochSecond(Long.parseLong(v)); break;
                    case "promotion": rs = rs.withPromotionScore(Integer.parseInt(v)); break;
                    case "blocked": rs = rs.withBlocked(true); break;
                    case "op": {
                        String[] o = v.split(":");
                        rs = rs.withOperation(new OperationRecord(o[0], Durations.parse(k, o[1]), OcfCode.of(Integer.parseInt(o[2])), now, Duration.ZERO, ""), 8);
                        break;
                    }
                    default: throw new IllegalArgumentException("unknown status field " + k);
                }
            }
            if (fails > 0 || lastFailure != null) rs = rs.withFailCount(fails, lastFailure == null ? now : lastFailure);
            status.computeIfAbsent(w[1], k -> new HashMap<>()).put(w[2], rs);
        }

        Resource resource(String id) {
            if (prims.containsKey(id)) return prims.get(id);
            Object[] t = tops.get(id);
            String kind = t != null ? (String) t[0] : "group";
            if (kind.equals("group")) {
                List<Primitive> members = new ArrayList<>();
                for (Object c : children.getOrDefault(id, List.of())) members.add(prims.get((String) c));
                return new Group(id, members, groupMeta.getOrDefault(id, Meta.EMPTY));
            }
            List<Object> cs = children.getOrDefault(id, List.of());
            if (cs.size() != 1) throw new IllegalArgumentException("clone " + id + " needs exactly one child");
            return new Clone(id, resource((String) cs.get(0)), (Meta) t[1], (Boolean) t[2]);
        }

        Scenario build(String input, String expected) {
            for (String id : order) cfg.resource(resource(id));
            cfg.properties(props.build());
            ClusterState s = new ClusterState(cfg.build(), 1, now, nodes, status, List.of(), "", 1, quorum);
            for (OutdatedCopy o : outdated) s = s.withOutdated(o);
            return new Scenario(input, expected, s, settles);
        }

        static boolean has(String[] w, String word) {
            for (String s : w) if (s.equals(word)) return true;
            return false;
        }

        static String kv(String[] w, String key) {
            for (String s : w) if (s.startsWith(key + "=")) return s.substring(key.length() + 1);
            return null;
        }

        static Meta meta(String[] w, int from) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = from; i < w.length; i++) {
                if (!w[i].contains("=")) continue;
                String k = key(w[i]);
                if (k.equals("in")) continue;
                m.put(k, value(w[i]));
            }
            return Meta.of(m);
        }

        static String key(String kv) { return kv.substring(0, kv.indexOf('=')).toLowerCase(Locale.ROOT); }

        static String value(String kv) { return kv.substring(kv.indexOf('=') + 1); }
    }
}
