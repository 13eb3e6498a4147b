package vigil.engine.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
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
import vigil.api.status.ResourceState;

/**
 * Random but reproducible clusters for property tests and benchmarks: the same spec and seed give the same state.
 * Resources are mostly primitives (nodes {@code node1..}, resources {@code rsc1..}), with some groups, clones and
 * promotable clones; constraints are a mix of location, colocation and order (colocations and orders always point
 * from a later resource to an earlier one, so they never form cycles); a fraction of resources already runs.
 */
public final class SyntheticCluster {
    /**
     * @param nodes           cluster nodes
     * @param resources       top-level resources
     * @param constraints     constraints (about a third each of location, colocation, order)
     * @param running         fraction of resources already active somewhere, 0..1
     * @param troubled        fraction of nodes that are standby, offline, unclean, witness or in maintenance, 0..1
     * @param failures        fraction of running resources with a failure on record, 0..1
     * @param stickiness      default resource-stickiness
     * @param withClones      whether to make some clones and groups (benchmarks of plain primitives turn it off)
     */
    public record Spec(int nodes, int resources, int constraints, double running, double troubled, double failures,
                       int stickiness, boolean withClones) {
        /**
         * The benchmark shape: primitives on healthy nodes, half as many constraints as resources (a third each of
         * location, colocation and order), half of the resources running.
         */
        public static Spec bench(int nodes, int resources) {
            return new Spec(nodes, resources, resources / 2, 0.5, 0, 0, 0, false);
        }
    }

    private SyntheticCluster() {}

    public static ClusterState generate(Spec spec, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ClusterConfig.Builder cfg = ClusterConfig.builder();
        Map<String, NodeState> nodes = new HashMap<>();
        List<String> nodeIds = new ArrayList<>();
        for (int i = 1; i <= spec.nodes(); i++) {
            String id = "node" + i;
            boolean witness = spec.troubled() > 0 && rnd.nextDouble() < spec.troubled() / 5;
            cfg.node(new Node(id, "10.0." + (i / 250) + "." + (i % 250 + 1) + ":9870", witness ? NodeRole.WITNESS : NodeRole.MEMBER, Map.of()));
            nodeIds.add(id);
            NodeState ns = new NodeState(id, Membership.ONLINE, false, false, Instant.EPOCH, "");
            if (spec.troubled() > 0 && rnd.nextDouble() < spec.troubled()) {
                switch (rnd.nextInt(4)) {
                    case 0: ns = ns.withStandby(true); break;
                    case 1: ns = ns.withMembership(Membership.OFFLINE, Instant.EPOCH, "stopped"); break;
                    case 2: ns = ns.withMembership(Membership.UNCLEAN, Instant.EPOCH, "silent"); break;
                    default: ns = ns.withMaintenance(true); break;
                }
            }
            nodes.put(id, ns);
        }
        boolean stonith = rnd.nextInt(4) != 0 || spec.troubled() == 0;
        cfg.properties(ClusterProperties.builder().stonithEnabled(stonith).defaultStickiness(Score.of(spec.stickiness())).build());
        // fencing needs a device (without one, a cluster with stonith-enabled starts nothing)
        if (stonith) cfg.fenceDevice(new vigil.api.model.FenceDevice("fence", "agent:fence_dummy", Map.of(), nodeIds, Map.of(), null));
        List<Resource> resources = new ArrayList<>();
        for (int i = 1; i <= spec.resources(); i++) {
            int kind = spec.withClones() ? rnd.nextInt(20) : 19;
            String id = "rsc" + i;
            Resource r;
            if (kind == 0) {
                List<Primitive> members = new ArrayList<>();
                for (int m = 1; m <= 3; m++) members.add(primitive(id + "m" + m, rnd, false));
                r = new Group(id, members, Meta.EMPTY);
            } else if (kind == 1) {
                r = new Clone(id, primitive(id + "c", rnd, false), Meta.EMPTY.with(Meta.CLONE_MAX, Integer.toString(1 + rnd.nextInt(Math.max(1, spec.nodes())))), false);
            } else if (kind == 2) {
                Meta meta = Meta.EMPTY.with(Meta.PROMOTED_MAX, "1");
                if (rnd.nextBoolean()) meta = meta.with(Meta.CLONE_MAX, Integer.toString(Math.min(2, Math.max(1, spec.nodes()))));
                r = new Clone(id, primitive(id + "p", rnd, false), meta, true);
            } else {
                r = primitive(id, rnd, true);
            }
            resources.add(r);
            cfg.resource(r);
        }
        int n = resources.size();
        for (int c = 1; c <= spec.constraints() && n > 0 && !nodeIds.isEmpty(); c++) {
            int type = rnd.nextInt(3);
            if (type == 0 || n < 2) {
                Resource r = resources.get(rnd.nextInt(n));
                String node = nodeIds.get(rnd.nextInt(nodeIds.size()));
                int pick = rnd.nextInt(10);
                Score s = pick == 0 ? Score.MINUS_INFINITY : pick == 1 ? Score.INFINITY : Score.of(rnd.nextInt(-500, 501));
                Instant expires = rnd.nextInt(10) == 0 ? Instant.ofEpochSecond(500 + rnd.nextInt(1000)) : null;
                cfg.constraint(new Constraint.Location("loc" + c, r.id(), node, s, null, expires));
            } else {
                int a = rnd.nextInt(n - 1);
                int b = a + 1 + rnd.nextInt(n - a - 1);
                Resource first = resources.get(a);
                Resource then = resources.get(b);
                if (type == 1) {
                    int pick = rnd.nextInt(6);
                    Score s = pick == 0 ? Score.INFINITY : pick == 1 ? Score.MINUS_INFINITY : Score.of(rnd.nextInt(-1000, 1001));
                    Role withRole = first instanceof Clone cl && cl.promotable() && rnd.nextBoolean() ? Role.PROMOTED : null;
                    cfg.constraint(new Constraint.Colocation("col" + c, then.id(), first.id(), s, null, withRole));
                } else {
                    int pick = rnd.nextInt(4);
                    OrderKind k = pick == 0 ? OrderKind.OPTIONAL : pick == 1 ? OrderKind.SERIALIZE : OrderKind.MANDATORY;
                    Action fa = first instanceof Clone cl && cl.promotable() && rnd.nextBoolean() ? Action.PROMOTE : Action.START;
                    cfg.constraint(new Constraint.Order("ord" + c, first.id(), fa, then.id(), Action.START, k, rnd.nextBoolean()));
                }
            }
        }
        ClusterConfig config = cfg.build();
        Instant now = Instant.ofEpochSecond(1000);
        Map<String, Map<String, ResourceState>> status = new HashMap<>();
        List<String> members = new ArrayList<>();
        for (Node node : config.nodes()) if (node.runsResources()) members.add(node.id());
        for (Resource r : resources) {
            if (members.isEmpty() || rnd.nextDouble() >= spec.running()) continue;
            if (r instanceof Clone c) {
                int max = c.meta().cloneMax().orElse(members.size());
                int start = rnd.nextInt(members.size());
                boolean promotedOne = false;
                for (int k = 0; k < Math.min(max, members.size()); k++) {
                    String node = members.get((start + k) % members.size());
                    Primitive p = c.primitives().get(0);
                    Role role = c.promotable() ? (!promotedOne ? Role.PROMOTED : Role.UNPROMOTED) : Role.STARTED;
                    promotedOne = true;
                    ResourceState rs = running(p.id(), node, role, rnd, spec, now).withPromotionScore(c.promotable() ? 1 + rnd.nextInt(100) : 0);
                    status.computeIfAbsent(p.id(), x -> new HashMap<>()).put(node, rs);
                }
            } else {
                String node = members.get(rnd.nextInt(members.size()));
                for (Primitive p : r.primitives()) {
                    status.computeIfAbsent(p.id(), x -> new HashMap<>()).put(node, running(p.id(), node, Role.STARTED, rnd, spec, now));
                }
            }
        }
        return new ClusterState(config, 1, now, nodes, status, List.of(), "", 1, spec.troubled() == 0 || rnd.nextInt(8) != 0);
    }

    private static ResourceState running(String id, String node, Role role, SplittableRandom rnd, Spec spec, Instant now) {
        ResourceState rs = ResourceState.stopped(id, node).withRole(role)
                .withOperation(new OperationRecord("start", Duration.ZERO, OcfCode.SUCCESS, now.minusSeconds(100), Duration.ZERO, ""), 8);
        if (spec.failures() > 0 && rnd.nextDouble() < spec.failures()) {
            rs = rs.withFailCount(1 + rnd.nextInt(3), now.minusSeconds(rnd.nextInt(200)));
            if (rnd.nextBoolean()) {
                rs = rs.withOperation(new OperationRecord("monitor", Duration.ofSeconds(10), OcfCode.ERR_GENERIC, now.minusSeconds(5), Duration.ZERO, ""), 8);
            }
        }
        return rs;
    }

    private static Primitive primitive(String id, SplittableRandom rnd, boolean mayMigrate) {
        Primitive.Builder b = Primitive.builder(id, "ocf:heartbeat:Dummy").monitor(Duration.ofSeconds(10), Duration.ofSeconds(20));
        int pick = rnd.nextInt(10);
        if (pick == 0) b.stickiness(100);
        if (pick == 1) b.migrationThreshold(2);
        if (pick == 2 && mayMigrate) b.allowMigrate(true);
        if (pick == 3) b.meta(Meta.FAILURE_TIMEOUT, "60s");
        if (pick == 4) b.meta(Meta.PRIORITY, Integer.toString(rnd.nextInt(10)));
        return b.build();
    }
}
