package vigil.engine.state;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vigil.api.ConfigException;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ConfigValidator;
import vigil.api.model.Constraint;
import vigil.api.model.Group;
import vigil.api.model.Meta;
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
import vigil.api.status.OutdatedCopy;
import vigil.api.status.ResourceState;

/**
 * The pure transition function of the replicated state: {@code apply(state, command, at)} returns the next state or
 * throws {@link ConfigException} (and the state is unchanged, since states are immutable). No clock, randomness or
 * I/O: {@code at} is the cluster time the log entry carries (the state's time never goes back).
 */
public final class StateTransitions {
    /** Operations kept per resource per node. */
    public static final int OPERATION_HISTORY = 8;
    /** Ids of applied configuration changes kept (a client retries within seconds). */
    public static final int APPLIED_CHANGES = 100;
    /** Fence events kept. */
    public static final int FENCE_HISTORY = 50;
    /** Prefixes of the location constraints {@code move} and {@code ban} create (as crm_resource names them). */
    public static final String MOVE_PREFIX = "cli-prefer-";
    public static final String BAN_PREFIX = "cli-ban-";

    /** The reason on the probe a cleanup asks for. */
    public static final String CLEANUP_PROBE = "re-probe after cleanup";

    private static final ConfigValidator VALIDATOR = ConfigValidator.structural();

    private StateTransitions() {}

    public static ClusterState apply(ClusterState state, Command command, Instant at) {
        ClusterState s = at.isAfter(state.now()) ? state.withNow(at) : state;
        if (command instanceof Command.ReplaceConfig c) {
            if (c.changeId().length() > ConfigValidator.MAX_ID) {
                // every replica keeps the latest ids: an unbounded one would grow the replicated state without limit
                throw new ConfigException("change_id", "is " + c.changeId().length() + " characters long, more than " + ConfigValidator.MAX_ID,
                        "use a short unique id, such as a random UUID");
            }
            if (!c.changeId().isEmpty() && s.appliedChanges().contains(c.changeId())) return s; // applied already: its answer was lost
            if (c.expectedVersion() >= 0 && c.expectedVersion() != s.configVersion()) {
                throw new ConfigException("config.version", "expected version " + c.expectedVersion() + " but the cluster is at "
                        + s.configVersion() + " (another change was committed first)", "read the config again and reapply your change");
            }
            ClusterState next = withConfig(s, c.config());
            return c.changeId().isEmpty() ? next : next.withAppliedChange(c.changeId(), APPLIED_CHANGES);
        }
        if (command instanceof Command.Bootstrap c) {
            if (s.bootstrapped()) {
                throw new ConfigException("config", "this cluster is configured already (config version " + s.configVersion()
                        + "): a node's bootstrap file is applied only to a new cluster", "change the configuration with 'vigil config apply'");
            }
            return withConfig(s, c.config());
        }
        if (command instanceof Command.PutResource c) return withConfig(s, s.config().toBuilder().replaceResource(c.resource()).build());
        if (command instanceof Command.DeleteResource c) return deleteResource(s, c.id());
        if (command instanceof Command.SetResourceMeta c) return setMeta(s, c);
        if (command instanceof Command.PutConstraint c) {
            ClusterConfig.Builder b = s.config().toBuilder();
            List<Constraint> kept = new ArrayList<>(s.config().constraints());
            Constraint put = c.constraint();
            if (c.lifetime() != null && put instanceof Constraint.Location l) {
                put = new Constraint.Location(l.id(), l.resource(), l.node(), l.score(), l.role(), s.now().plus(c.lifetime()));
            }
            int i = indexOf(kept, put.id());
            if (i >= 0) kept.set(i, put); else kept.add(put);
            return withConfig(s, rebuildConstraints(b, kept));
        }
        if (command instanceof Command.DeleteConstraint c) {
            if (indexOf(s.config().constraints(), c.id()) < 0) {
                throw new ConfigException("constraints." + c.id(), "no such constraint", "list constraints to see their ids");
            }
            return withConfig(s, s.config().toBuilder().removeConstraint(c.id()).build());
        }
        if (command instanceof Command.ClearMoveConstraints c) {
            requireResource(s.config(), "resource", c.resource());
            List<Constraint> kept = new ArrayList<>();
            for (Constraint k : s.config().constraints()) {
                boolean cli = k instanceof Constraint.Location l && l.resource().equals(c.resource())
                        && (l.id().startsWith(MOVE_PREFIX) || l.id().startsWith(BAN_PREFIX));
                if (!cli) kept.add(k);
            }
            return withConfig(s, rebuildConstraints(s.config().toBuilder(), kept));
        }
        if (command instanceof Command.PutNode c) {
            ClusterConfig.Builder b = s.config().toBuilder();
            List<vigil.api.model.Node> nodes = new ArrayList<>(s.config().nodes());
            boolean replaced = false;
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i).id().equals(c.node().id())) { nodes.set(i, c.node()); replaced = true; }
            }
            if (!replaced) nodes.add(c.node());
            for (var n : s.config().nodes()) b.removeNode(n.id());
            nodes.forEach(b::node);
            // the Raft leader adds the Raft members this way before the cluster is configured: that does not count as
            // configuring it (bootstrapped stays as it was)
            ClusterConfig cfg = b.build();
            VALIDATOR.validate(cfg);
            return s.withConfig(cfg, s.configVersion() + 1);
        }
        if (command instanceof Command.RemoveNode c) {
            if (s.config().node(c.id()).isEmpty()) throw new ConfigException("nodes." + c.id(), "no such node", "list nodes to see their ids");
            for (Map<String, ResourceState> perNode : s.resources().values()) {
                ResourceState r = perNode.get(c.id());
                if (r != null && r.isActive()) {
                    throw new ConfigException("nodes." + c.id(), "resource " + r.resource() + " is still active there",
                            "put the node in standby and wait until it runs nothing, then remove it");
                }
            }
            // like a deleted resource's, the node's location constraints go with it; fence devices keep naming it (the hardware
            // that fences a host of that id), as Pacemaker keeps a removed node in pcmk_host_map
            List<Constraint> kept = new ArrayList<>(s.config().constraints());
            kept.removeIf(k -> k instanceof Constraint.Location l && l.node().equals(c.id()));
            ClusterState removed = withConfig(s, rebuildConstraints(s.config().toBuilder().removeNode(c.id()), kept)).withoutNode(c.id())
                    .withWatchdog(c.id(), Duration.ZERO);
            for (OutdatedCopy o : removed.outdatedCopies()) if (o.node().equals(c.id())) removed = removed.withoutOutdated(o.resource(), o.node());
            return removed;
        }
        if (command instanceof Command.SetProperties c) return withConfig(s, s.config().toBuilder().properties(c.properties()).build());
        if (command instanceof Command.PutFenceDevice c) {
            List<vigil.api.model.FenceDevice> devs = new ArrayList<>(s.config().fenceDevices());
            devs.removeIf(d -> d.id().equals(c.device().id()));
            devs.add(c.device());
            ClusterConfig cfg = s.config();
            return withConfig(s, new ClusterConfig(cfg.nodes(), cfg.resources(), cfg.constraints(), cfg.properties(), devs,
                    cfg.fencingLevels(), cfg.blobs()));
        }
        if (command instanceof Command.DeleteFenceDevice c) {
            ClusterConfig cfg = s.config();
            if (cfg.fenceDevice(c.id()).isEmpty()) throw new ConfigException("fence-devices." + c.id(), "no such fence device", "list fence devices to see their ids");
            List<vigil.api.model.FenceDevice> devs = new ArrayList<>(cfg.fenceDevices());
            devs.removeIf(d -> d.id().equals(c.id()));
            return withConfig(s, new ClusterConfig(cfg.nodes(), cfg.resources(), cfg.constraints(), cfg.properties(), devs,
                    cfg.fencingLevels(), cfg.blobs()));
        }
        if (command instanceof Command.PutBlob c) {
            ClusterConfig cfg = s.config();
            Map<String, String> blobs = new TreeMap<>(cfg.blobs());
            if (c.text().isEmpty()) blobs.remove(c.name()); else blobs.put(c.name(), c.text());
            return withConfig(s, new ClusterConfig(cfg.nodes(), cfg.resources(), cfg.constraints(), cfg.properties(), cfg.fenceDevices(),
                    cfg.fencingLevels(), blobs));
        }
        if (command instanceof Command.SetNodeFlags c) {
            requireNode(s.config(), c.node());
            NodeState n = s.node(c.node());
            if (c.standby() != null) n = n.withStandby(c.standby());
            if (c.maintenance() != null) n = n.withMaintenance(c.maintenance());
            return s.withNode(n);
        }
        if (command instanceof Command.SetMembership c) {
            requireNode(s.config(), c.node());
            NodeState n = s.node(c.node());
            if (n.membership() == c.membership()) return s;
            return s.withNode(n.withMembership(c.membership(), s.now(), c.reason()));
        }
        if (command instanceof Command.SetNodeHealth c) {
            requireNode(s.config(), c.node());
            NodeState n = s.node(c.node());
            return n.degraded().equals(c.degraded()) ? s : s.withNode(n.withDegraded(c.degraded()));
        }
        if (command instanceof Command.RequestFence c) {
            requireNode(s.config(), c.node());
            NodeState n = s.node(c.node());
            if (n.membership() == Membership.UNCLEAN) return s;
            return s.withNode(n.withMembership(Membership.UNCLEAN, s.now(), c.reason().isEmpty() ? "fence requested" : c.reason()));
        }
        if (command instanceof Command.RequestShutdown c) {
            requireNode(s.config(), c.node());
            NodeState n = s.node(c.node());
            // a node that is not online has nothing to drain: it is already out (or must be fenced, if unclean)
            return n.shutdown() || !n.isOnline() ? s : s.withNode(n.withShutdown(true));
        }
        if (command instanceof Command.SetBlocked c) {
            if (!c.reason().isEmpty()) requireResource(s.config(), "resource", c.resource());
            return s.withBlocked(c.resource(), c.reason());
        }
        if (command instanceof Command.RecordFenceDeviceCheck c) {
            if (s.config().fenceDevice(c.status().device()).isEmpty()) {
                throw new ConfigException("fence-devices." + c.status().device(), "no such fence device", "list fence devices to see their ids");
            }
            return s.withFenceDeviceStatus(c.status());
        }
        if (command instanceof Command.RecordOperation c) return recordOperation(s, c);
        if (command instanceof Command.Cleanup c) return cleanup(s, c);
        if (command instanceof Command.RecordFence c) return recordFence(s, c);
        if (command instanceof Command.LeaderElected c) {
            if (c.term() < s.term()) return s;
            return s.withLeader(c.leader(), c.term());
        }
        if (command instanceof Command.Tick) return s;
        if (command instanceof Command.SetWatchdog c) {
            requireNode(s.config(), c.node());
            return s.withWatchdog(c.node(), c.timeout());
        }
        if (command instanceof Command.MarkOutdated c) {
            requireNode(s.config(), c.node());
            if (s.config().primitives().noneMatch(p -> p.id().equals(c.resource()))) {
                throw new ConfigException("resource", "unknown primitive \"" + c.resource() + "\"", "mark a copy of a configured primitive");
            }
            if (s.isOutdated(c.resource(), c.node())) return s;
            return s.withOutdated(new OutdatedCopy(c.resource(), c.node(), c.reason(), s.now()));
        }
        if (command instanceof Command.ClearOutdated c) return s.withoutOutdated(c.resource(), c.node());
        throw new IllegalArgumentException("unknown command " + command.getClass().getName());
    }

    /** A configuration change: validated, the version bumped, and the cluster counts as configured from now on. */
    private static ClusterState withConfig(ClusterState s, ClusterConfig config) {
        VALIDATOR.validate(config);
        ClusterState next = s.withConfig(config, s.configVersion() + 1).withBootstrapped(true);
        // what is about resources or devices that are gone goes with them
        for (String r : s.blocked().keySet()) if (config.topLevelOf(r).isEmpty()) next = next.withBlocked(r, "");
        if (s.fenceDevices().keySet().stream().anyMatch(d -> config.fenceDevice(d).isEmpty())) {
            java.util.Map<String, vigil.api.status.FenceDeviceStatus> kept = new TreeMap<>(s.fenceDevices());
            kept.keySet().removeIf(d -> config.fenceDevice(d).isEmpty());
            next = next.withFenceDevices(kept);
        }
        return next;
    }

    private static int indexOf(List<Constraint> constraints, String id) {
        for (int i = 0; i < constraints.size(); i++) if (constraints.get(i).id().equals(id)) return i;
        return -1;
    }

    private static ClusterConfig rebuildConstraints(ClusterConfig.Builder b, List<Constraint> constraints) {
        ClusterConfig cfg = b.build();
        return new ClusterConfig(cfg.nodes(), cfg.resources(), constraints, cfg.properties(), cfg.fenceDevices(), cfg.fencingLevels(), cfg.blobs());
    }

    private static ClusterState deleteResource(ClusterState s, String id) {
        Resource r = s.config().resource(id).orElseThrow(() -> new ConfigException("resources." + id, "no such top-level resource",
                "delete a group or clone by its own id; list resources to see them"));
        Set<String> ids = idsOf(r);
        List<Constraint> kept = new ArrayList<>();
        for (Constraint c : s.config().constraints()) if (!references(c, ids)) kept.add(c);
        ClusterState out = withConfig(s, rebuildConstraints(s.config().toBuilder().removeResource(id), kept));
        for (OutdatedCopy o : s.outdatedCopies()) if (ids.contains(o.resource())) out = out.withoutOutdated(o.resource(), o.node());
        return out;
    }

    /** The ids of a resource and everything inside it. */
    public static Set<String> idsOf(Resource r) {
        Set<String> ids = new HashSet<>();
        ids.add(r.id());
        if (r instanceof Clone c) ids.add(c.child().id());
        for (Primitive p : r.primitives()) ids.add(p.id());
        return ids;
    }

    private static boolean references(Constraint c, Set<String> ids) {
        if (c instanceof Constraint.Location l) return ids.contains(l.resource());
        if (c instanceof Constraint.Colocation co) return ids.contains(co.resource()) || ids.contains(co.withResource());
        Constraint.Order o = (Constraint.Order) c;
        return ids.contains(o.first()) || ids.contains(o.then());
    }

    private static ClusterState setMeta(ClusterState s, Command.SetResourceMeta c) {
        ClusterConfig cfg = s.config();
        List<Resource> resources = new ArrayList<>();
        boolean found = false;
        for (Resource r : cfg.resources()) {
            Resource updated = withMeta(r, c.resource(), c.key(), c.value());
            if (updated != r) found = true;
            resources.add(updated);
        }
        if (!found) requireResource(cfg, "resource", c.resource());
        return withConfig(s, new ClusterConfig(cfg.nodes(), resources, cfg.constraints(), cfg.properties(), cfg.fenceDevices(),
                cfg.fencingLevels(), cfg.blobs()));
    }

    private static Resource withMeta(Resource r, String id, String key, String value) {
        if (r.id().equals(id)) {
            Meta m = r.meta().with(key, value);
            if (r instanceof Primitive p) return p.withMeta(m);
            if (r instanceof Group g) return new Group(g.id(), g.members(), m);
            Clone c = (Clone) r;
            return new Clone(c.id(), c.child(), m, c.promotable());
        }
        if (r instanceof Group g) {
            List<Primitive> members = new ArrayList<>();
            boolean changed = false;
            for (Primitive p : g.members()) {
                Primitive u = (Primitive) withMeta(p, id, key, value);
                changed |= u != p;
                members.add(u);
            }
            return changed ? new Group(g.id(), members, g.meta()) : r;
        }
        if (r instanceof Clone c) {
            Resource child = withMeta(c.child(), id, key, value);
            return child != c.child() ? new Clone(c.id(), child, c.meta(), c.promotable()) : r;
        }
        return r;
    }

    private static void requireResource(ClusterConfig cfg, String field, String id) {
        if (cfg.topLevelOf(id).isEmpty()) throw new ConfigException(field, "unknown resource \"" + id + "\"", "list resources to see their ids");
    }

    private static void requireNode(ClusterConfig cfg, String node) {
        if (cfg.node(node).isEmpty()) throw new ConfigException("node", "unknown node \"" + node + "\"", "list nodes to see their ids");
    }

    private static boolean isPromotable(ClusterConfig cfg, String primitive) {
        return cfg.topLevelOf(primitive).map(r -> r instanceof Clone c && c.promotable()).orElse(false);
    }

    private static ClusterState recordOperation(ClusterState s, Command.RecordOperation c) {
        requireNode(s.config(), c.node());
        ClusterConfig cfg = s.config();
        boolean promotable = isPromotable(cfg, c.resource());
        boolean configured = cfg.primitives().anyMatch(p -> p.id().equals(c.resource()));
        ResourceState r = s.resource(c.resource(), c.node());
        Role activeRole = promotable ? Role.UNPROMOTED : Role.STARTED;
        OcfCode code = c.code();
        if (code == OcfCode.PENDING) return recordPending(s, c, r);
        boolean success = code == OcfCode.SUCCESS;
        boolean failure = false;
        int failIncrement = 1;
        Role role = r.role();
        switch (c.action()) {
            case "start" -> {
                if (success) {
                    role = activeRole;
                } else {
                    failure = true;
                    boolean hard = code == OcfCode.ERR_INSTALLED || code == OcfCode.ERR_CONFIGURED || code == OcfCode.ERR_ARGS;
                    // A start that failed for real may have left something running: treat it as active until stopped.
                    role = hard ? Role.STOPPED : activeRole;
                    if (hard || cfg.properties().startFailureIsFatal()) failIncrement = Score.INFINITY_VALUE;
                }
            }
            case "stop" -> {
                if (success) role = Role.STOPPED; else failure = true;
            }
            case "promote" -> {
                if (success) role = Role.PROMOTED; else { failure = true; role = Role.PROMOTED; }
            }
            case "demote" -> {
                if (success) role = Role.UNPROMOTED; else failure = true;
            }
            case "migrate_to" -> {
                if (!success) failure = true;
            }
            case "migrate_from" -> {
                if (success) {
                    role = Role.STARTED;
                    if (!c.peer().isEmpty() && !c.peer().equals(c.node())) {
                        ResourceState source = s.resource(c.resource(), c.peer());
                        s = s.withResource(source.withRole(Role.STOPPED));
                    }
                } else {
                    failure = true;
                    role = activeRole;
                }
            }
            case "monitor" -> {
                boolean probe = c.interval().isZero();
                if (code == OcfCode.SUCCESS || code == OcfCode.DEGRADED) {
                    role = activeRole;
                    if (!probe && r.role() == Role.PROMOTED) failure = true; // a promoted instance lost its promotion
                } else if (code == OcfCode.RUNNING_PROMOTED || code == OcfCode.DEGRADED_PROMOTED) {
                    role = Role.PROMOTED;
                } else if (code == OcfCode.NOT_RUNNING) {
                    // A recurring monitor that finds an active resource gone is a failure, and the resource stays
                    // active (Pacemaker's FAILED) until a stop succeeds: it is recovered by stop then start, never
                    // started elsewhere while something of it may still run here.
                    if (!probe && r.isActive()) failure = true;
                    else role = Role.STOPPED;
                } else if (probe && code == OcfCode.ERR_INSTALLED) {
                    role = Role.STOPPED; // cannot run here at all (Pacemaker: "not installed" probe means stopped)
                } else if (code == OcfCode.FAILED_PROMOTED) {
                    failure = true;
                    role = Role.PROMOTED;
                } else {
                    failure = true;
                    // state unknown: keep it active so it is stopped before it can start anywhere else
                    if (!r.isActive()) role = activeRole;
                }
            }
            case "notify" -> { }
            default -> throw new ConfigException("action", "unknown operation \"" + c.action() + "\"",
                    "report start, stop, monitor, promote, demote, migrate_to, migrate_from or notify");
        }
        OperationRecord op = new OperationRecord(c.action(), c.interval(), code, s.now(), c.took(), c.reason());
        ResourceState next = r.withOperation(op, OPERATION_HISTORY).withRole(role);
        if (failure) {
            long count = (long) next.failCount() + failIncrement;
            next = next.withFailCount((int) Math.min(count, Score.INFINITY_VALUE), s.now());
            if (c.action().equals("stop")) next = next.withBlocked(true);
        }
        if (c.action().equals("stop") && success) next = next.withBlocked(false);
        if (c.promotionScore().isPresent()) next = next.withPromotionScore(c.promotionScore().getAsInt());
        if (!configured && !next.isActive()) return dropResourceState(s, c.resource(), c.node());
        return s.withResource(next);
    }

    /**
     * An operation sent to a node whose result is not in yet. The role stays what it was (dependents still wait for
     * the result); the scheduler counts a pending start or promote on a node that was lost as having happened, so
     * that nothing starts it elsewhere before that node is fenced.
     */
    private static ClusterState recordPending(ClusterState s, Command.RecordOperation c, ResourceState r) {
        if (!List.of("start", "promote", "migrate_from").contains(c.action())) {
            throw new ConfigException("action", "only start, promote and migrate_from are recorded as pending, not \"" + c.action() + "\"",
                    "record the operation's result instead");
        }
        OperationRecord op = new OperationRecord(c.action(), c.interval(), OcfCode.PENDING, s.now(), Duration.ZERO, c.reason());
        return s.withResource(r.withOperation(op, OPERATION_HISTORY));
    }

    private static ClusterState dropResourceState(ClusterState s, String resource, String node) {
        TreeMap<String, Map<String, ResourceState>> all = new TreeMap<>(s.resources());
        TreeMap<String, ResourceState> perNode = new TreeMap<>(all.getOrDefault(resource, Map.of()));
        perNode.remove(node);
        all.put(resource, perNode);
        return s.withResources(all);
    }

    private static ClusterState cleanup(ClusterState s, Command.Cleanup c) {
        Resource r = s.config().topLevelOf(c.resource()).orElse(null);
        Set<String> primitives = new HashSet<>();
        if (r == null) {
            if (!s.resources().containsKey(c.resource())) requireResource(s.config(), "resource", c.resource());
            primitives.add(c.resource());
        } else if (r.id().equals(c.resource()) || (r instanceof Clone cl && cl.child().id().equals(c.resource()))) {
            r.primitives().forEach(p -> primitives.add(p.id()));
        } else {
            primitives.add(c.resource());
        }
        if (c.node() != null) requireNode(s.config(), c.node());
        ClusterState out = s;
        for (String p : primitives) {
            for (ResourceState rs : s.resources().getOrDefault(p, Map.of()).values()) {
                if (c.node() != null && !c.node().equals(rs.node())) continue;
                // as crm_resource --cleanup: the history goes (no failure stays listed) and the resource is probed again;
                // the pending probe is settled by the controller, the role stays what it was until the probe says
                ResourceState clean = new ResourceState(rs.resource(), rs.node(), rs.role(), List.of(new OperationRecord("monitor", Duration.ZERO,
                        OcfCode.PENDING, s.now(), Duration.ZERO, CLEANUP_PROBE)), 0, Instant.EPOCH, rs.promotionScore(), false);
                out = out.withResource(clean);
            }
        }
        return out;
    }

    private static ClusterState recordFence(ClusterState s, Command.RecordFence c) {
        requireNode(s.config(), c.event().target());
        // recorded at the cluster time of its entry: no node's own clock, which may run ahead, enters the history
        FenceEvent e = c.event();
        ClusterState out = s.withFence(new FenceEvent(e.target(), e.action(), e.devices(), e.executor(), e.success(), s.now(), e.detail()), FENCE_HISTORY);
        if (!c.event().success()) return out;
        String target = c.event().target();
        out = out.withNode(out.node(target).withMembership(Membership.OFFLINE, s.now(), "fenced (" + c.event().action() + ")"));
        for (Map<String, ResourceState> perNode : s.resources().values()) {
            ResourceState r = perNode.get(target);
            if (r != null && (r.isActive() || r.blocked() || r.pending())) out = out.withResource(r.fenced());
        }
        return out;
    }
}
