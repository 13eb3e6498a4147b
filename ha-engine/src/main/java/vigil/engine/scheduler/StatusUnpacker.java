package vigil.engine.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import vigil.api.model.Clone;
import vigil.api.model.Group;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.OnFail;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.ResourceState;

/**
 * Reads the cluster state into a {@link WorkingSet} (Pacemaker's unpacking): nodes and their availability, the
 * resource tree with meta attributes inherited from parents and clone instances, and the status: where each
 * resource runs, in which role, whether it failed and what its on-fail asks for, which nodes must be fenced.
 */
final class StatusUnpacker {
    private final WorkingSet ws;
    /** Some configured primitive is a fence device (stonith: class), noted while the resources are built. */
    private boolean anyFencePrimitive;

    private StatusUnpacker(WorkingSet ws) { this.ws = ws; }

    static void unpack(WorkingSet ws) {
        StatusUnpacker u = new StatusUnpacker(ws);
        u.nodes();
        u.resources();
        u.status();
    }

    // ---------------------------------------------------------------- nodes

    /** The cluster nodes; the remote nodes follow once the resources show them ({@link #addRemoteNodes}). */
    private void nodes() {
        List<Node> cfgNodes = ws.cfg.nodes();
        ws.nodes = new SchedNode[cfgNodes.size()];
        for (int i = 0; i < cfgNodes.size(); i++) {
            Node n = cfgNodes.get(i);
            SchedNode sn = new SchedNode(n.id(), i, n.runsResources());
            NodeState ns = ws.state.node(n.id());
            sn.online = ns.membership() == Membership.ONLINE;
            sn.unclean = ns.membership() == Membership.UNCLEAN;
            sn.standby = ns.standby();
            sn.maintenance = ns.maintenance();
            sn.shutdown = ns.shutdown();
            sn.attributes.putAll(n.attributes());
            n.attributes().forEach((k, v) -> {
                if (k.startsWith(Meta.UTILIZATION)) sn.capacity.put(k.substring(Meta.UTILIZATION.length()), Scores.parse(v));
            });
            sn.attributes.put("#uname", n.id());
            sn.attributes.put("#id", n.id());
            sn.attributes.put("#kind", "cluster");
            if (sn.unclean) sn.fenceReason = ns.reason().isEmpty() ? "peer is no longer part of the cluster" : ns.reason();
            if (!n.runsResources()) sn.unavailable = "witness node runs no resources";
            else if (sn.unclean) sn.unavailable = "node is unclean";
            else if (!sn.online) sn.unavailable = "node is offline";
            else if (sn.shutdown) sn.unavailable = "node is shutting down";
            else if (sn.standby) sn.unavailable = "node is in standby";
            else if (sn.maintenance) sn.unavailable = "node is in maintenance";
            ws.nodes[i] = sn;
            ws.nodeById.put(n.id(), sn);
        }
    }

    /**
     * Pacemaker Remote nodes, one per connection: up only while its connection runs (decided with the status, see
     * RemoteNodes).
     */
    private void addRemoteNodes(List<String> remotes) {
        int clusterNodes = ws.nodes.length;
        ws.nodes = java.util.Arrays.copyOf(ws.nodes, clusterNodes + remotes.size());
        ws.anyRemoteNodes = true;
        for (int k = 0; k < remotes.size(); k++) {
            String id = remotes.get(k);
            SchedNode sn = new SchedNode(id, clusterNodes + k, true, id);
            NodeState ns = ws.state.node(id);
            sn.standby = ns.standby();
            sn.maintenance = ns.maintenance();
            sn.attributes.put("#uname", id);
            sn.attributes.put("#id", id);
            sn.attributes.put("#kind", "remote");
            sn.unavailable = "remote node is not connected";
            ws.nodes[sn.index] = sn;
            ws.nodeById.put(id, sn);
        }
    }

    /** Each node's place in id order (ties in placement go to the lower id). */
    private void orderNodeIds() {
        SchedNode[] byId = ws.nodes.clone();
        java.util.Arrays.sort(byId, (a, b) -> a.id.compareTo(b.id));
        for (int i = 0; i < byId.length; i++) byId[i].idOrder = i > 0 && byId[i].id.equals(byId[i - 1].id) ? byId[i - 1].idOrder : i;
    }

    // ---------------------------------------------------------------- resources

    private void resources() {
        List<String> remotes = buildAll();
        if (!remotes.isEmpty()) {
            // Every resource has a score on each remote node, and a clone's default clone-max counts them, so with
            // remote nodes the resources are built again; looking for connections first would read every resource's
            // configuration once more in every plan, for the few clusters that have one.
            addRemoteNodes(remotes);
            ws.forgetResources();
            buildAll();
        }
        orderNodeIds();
        // Pacemaker processes (places, and lists) resources by priority, keeping configuration order among equals; sorted
        // as keys (priority, order) rather than by comparisons that visit thousands of resources again and again
        Rsc[] configured = ws.resources.toArray(new Rsc[0]);
        long[] keys = new long[configured.length];
        for (int i = 0; i < keys.length; i++) keys[i] = -(long) configured[i].priority << 32 | configured[i].order;
        java.util.Arrays.sort(keys);
        for (int i = 0; i < keys.length; i++) ws.resources.set(i, configured[(int) keys[i]]);
        for (SchedNode n : ws.nodes) if (n.isRemote()) n.connection = ws.rsc(n.connectionId);
        GuestNodes.link(ws);
        ws.haveFenceDevice = !ws.cfg.fenceDevices().isEmpty() || !ws.props.watchdogTimeout().isZero()
                || anyFencePrimitive;
    }

    /** Builds every configured resource, in configuration order; returns the remote nodes their connections name. */
    private List<String> buildAll() {
        List<String> remotes = new ArrayList<>(0);
        int order = 0;
        for (Resource r : ws.cfg.resources()) {
            Rsc rsc = build(r, null, Map.of());
            rsc.order = order++;
            ws.resources.add(rsc);
            // a connection is a top-level primitive (the CIB import rejects one inside a group or clone)
            if (r instanceof Primitive p && p.remoteNode().isPresent()) remotes.add(p.id());
        }
        return remotes;
    }

    /** Builds the resource and its children; {@code inherited} is the parent's effective meta. */
    private Rsc build(Resource r, Rsc parent, Map<String, String> inherited) {
        if (inherited.isEmpty() && !(r instanceof Clone)) {
            // nothing inherited: its own meta as configured, not a copy per resource
            return build(r, parent, r.meta());
        }
        Map<String, String> meta = new LinkedHashMap<>(inherited);
        meta.putAll(r.meta().values());
        if (r instanceof Primitive || r instanceof Group) return build(r, parent, new Meta(meta));
        Clone c = (Clone) r;
        // a clone's instances stick to their nodes (resource-stickiness 1) unless told otherwise
        if (!meta.containsKey(Meta.STICKINESS)) {
            int dflt = ws.props.defaultStickiness().value();
            meta.put(Meta.STICKINESS, Integer.toString(dflt > 0 ? dflt : 1));
        }
        Rsc clone = register(new Rsc(c.id(), c.id(), Rsc.Variant.CLONE, c), parent, meta);
        clone.promotable = c.promotable();
        if (c.promotable() && c.child() instanceof Primitive) ws.anyPromotableCloneOfPrimitive = true;
        clone.unique = new Meta(meta).bool("globally-unique", false);
        clone.cloneMax = new Meta(meta).cloneMax().orElse(memberNodes());
        clone.cloneNodeMax = Math.max(1, new Meta(meta).cloneNodeMax());
        clone.promotedMax = new Meta(meta).promotedMax();
        clone.promotedNodeMax = new Meta(meta).promotedNodeMax();
        clone.interleave = new Meta(meta).interleave();
        clone.orderedClone = new Meta(meta).bool(Meta.ORDERED, false);
        clone.notify = new Meta(meta).bool("notify", false);
        // instances inherit the clone's meta, but not its clone-only options
        Map<String, String> childMeta = new LinkedHashMap<>(meta);
        for (int i = 0; i < clone.cloneMax; i++) clone.children.add(instance(clone, c.child(), i, childMeta));
        ws.byConfigId.put(c.child().id(), clone);
        for (Primitive p : c.child().primitives()) {
            ws.byConfigId.put(p.id(), clone);
            noteFenceDevice(p); // noted also when the clone has no instances
        }
        return clone;
    }

    /** A primitive or group whose effective meta is {@code meta}. */
    private Rsc build(Resource r, Rsc parent, Meta meta) {
        if (r instanceof Primitive p) return register(new Rsc(p.id(), p.id(), Rsc.Variant.PRIMITIVE, p), parent, meta);
        Group g = (Group) r;
        Rsc rsc = register(new Rsc(g.id(), g.id(), Rsc.Variant.GROUP, g), parent, meta);
        for (Primitive m : g.members()) rsc.children.add(build(m, rsc, meta.values()));
        return rsc;
    }

    /** Instance {@code n} of a clone: {@code drbd:n}, or {@code grp:n} with members {@code m:n}. */
    Rsc instance(Rsc clone, Resource child, int n, Map<String, String> cloneMeta) {
        Map<String, String> meta = new LinkedHashMap<>(cloneMeta);
        meta.putAll(child.meta().values());
        if (child instanceof Primitive p) {
            Rsc rsc = register(new Rsc(p.id() + ":" + n, p.id(), Rsc.Variant.PRIMITIVE, p), clone, meta);
            rsc.unique = clone.unique;
            return rsc;
        }
        Group g = (Group) child;
        Rsc grp = register(new Rsc(g.id() + ":" + n, g.id(), Rsc.Variant.GROUP, g), clone, meta);
        grp.unique = clone.unique;
        for (Primitive m : g.members()) {
            Map<String, String> mm = new LinkedHashMap<>(meta);
            mm.putAll(m.meta().values());
            Rsc member = register(new Rsc(m.id() + ":" + n, m.id(), Rsc.Variant.PRIMITIVE, m), grp, mm);
            member.unique = clone.unique;
            grp.children.add(member);
        }
        return grp;
    }

    private int memberNodes() {
        int k = 0;
        for (SchedNode n : ws.nodes) if (n.member) k++;
        return k;
    }

    private Rsc register(Rsc rsc, Rsc parent, Map<String, String> metaValues) {
        return register(rsc, parent, new Meta(metaValues));
    }

    private Rsc register(Rsc rsc, Rsc parent, Meta meta) {
        rsc.parent = parent;
        rsc.priority = meta.priority();
        rsc.stickiness = meta.stickiness().map(s -> s.value()).orElse(ws.props.defaultStickiness().value());
        rsc.migrationThreshold = meta.migrationThreshold();
        rsc.failureTimeout = meta.failureTimeout();
        rsc.multipleActive = meta.multipleActive();
        rsc.targetRole = meta.targetRole().orElse(null);
        if (rsc.isPrimitive()) applyTargetRole(rsc);
        rsc.managed = meta.isManaged() && !ws.props.maintenanceMode();
        // a remote connection migrates by default (not a guest node's): its node's resources need not stop when it moves
        rsc.allowMigrate = rsc.isPrimitive() && rsc.primitive().remoteNode().isPresent() && meta.get(Meta.ALLOW_MIGRATE).isEmpty()
                && meta.get(Meta.CONTAINER).isEmpty() || meta.allowMigrate();
        rsc.critical = meta.bool("critical", true);
        // a group's container applies to its members, but not to the container itself
        rsc.containerId = rsc.isPrimitive() ? meta.get(Meta.CONTAINER).filter(c -> !c.equals(rsc.configId)).orElse(null) : null;
        if (rsc.containerId != null) ws.anyContainer = true;
        String requires = meta.get("requires").orElse("");
        rsc.needsQuorum = !requires.equals("nothing");
        rsc.needsFencing = ws.stonithEnabled && (requires.isEmpty() || requires.equals("fencing") || requires.equals("unfencing"));
        if (rsc.isPrimitive() && noteFenceDevice(rsc.primitive())) rsc.needsFencing = false; // fence devices need only quorum
        if (rsc.isPrimitive()) {
            rsc.utilization = utilization(rsc);
            rsc.monitorMs = monitorMs(rsc.primitive(), rsc.inPromotable() ? Role.UNPROMOTED : Role.STARTED);
            rsc.promotedMonitorMs = monitorMs(rsc.primitive(), Role.PROMOTED);
        }
        rsc.allowed = ws.newWeights();
        // in a symmetric cluster it may run anywhere (score 0) unless told otherwise: set while it is being made
        if (ws.symmetric) rsc.allowed.addEverywhere(0);
        ws.rscById.put(rsc.id, rsc);
        return rsc;
    }

    /** Notes whether {@code p} is a fence device (stonith: class), and returns it. */
    private boolean noteFenceDevice(Primitive p) {
        boolean fenceDevice = p.type().startsWith("stonith:");
        anyFencePrimitive |= fenceDevice;
        return fenceDevice;
    }

    /** The interval of the recurring monitor for {@code role} in ms, -1 when there is none (or it is for Stopped). */
    private static long monitorMs(Primitive p, Role role) {
        Operation op = p.monitorOrNull(role);
        return op == null || op.role() == Role.STOPPED ? -1 : op.interval().toMillis();
    }

    private Map<String, Integer> utilization(Rsc rsc) {
        Map<String, Integer> out = Map.of();
        if (rsc.primitive().meta().values().isEmpty()) return out;
        for (var e : rsc.primitive().meta().values().entrySet()) {
            if (!e.getKey().startsWith(Meta.UTILIZATION)) continue;
            if (out.isEmpty()) out = new HashMap<>();
            out.put(e.getKey().substring(Meta.UTILIZATION.length()), Scores.parse(e.getValue()));
        }
        return out;
    }

    // ---------------------------------------------------------------- status

    /**
     * Each node's records, node by node in configuration order (when fencing is off, the records of a node that is
     * not up are not trusted: what it ran counts as stopped), each resource in configuration order, as Pacemaker
     * processes them.
     */
    private void status() {
        List<SchedNode> order = new ArrayList<>();
        for (SchedNode n : ws.nodes) if (!n.isRemote() && (n.online || ws.stonithEnabled)) order.add(n);
        // One pass over the state's records, each placed by its resource's place in the configuration (most
        // resources have none: looking every configured one up spent most of the status's time waiting for memory).
        Configured[] byTop = new Configured[ws.cfg.resources().size()];
        List<Orphan> orphans = new ArrayList<>(0);
        ws.state.resources().forEach((id, records) -> {
            Configured c = configured(id, records);
            if (c != null) byTop[c.top] = c.insertInto(byTop[c.top]);
            else if (!ws.rscById.containsKey(id) && !ws.byConfigId.containsKey(id)) orphans.add(new Orphan(id, records));
        });
        // each node's records in configuration order
        Map<String, List<Configured.OnNode>> recordsOn = new HashMap<>();
        for (Configured first : byTop) {
            for (Configured c = first; c != null; c = c.next) {
                Configured each = c;
                c.records.forEach((node, rs) -> recordsOn.computeIfAbsent(node, k -> new ArrayList<>()).add(new Configured.OnNode(each, rs)));
            }
        }
        for (SchedNode node : order) unpackNode(node, recordsOn, orphans);
        // a remote node's records are read once its connection's are: whether it is up follows from them
        for (SchedNode node : ws.nodes) {
            if (!node.isRemote()) continue;
            RemoteNodes.determineOnline(ws, node);
            if (node.connection != null && (ws.stonithEnabled || (node.isGuest() ? GuestNodes.historyReadable(node) : node.connection.role != Role.STOPPED))) {
                unpackNode(node, recordsOn, orphans);
            }
        }
    }

    private void unpackNode(SchedNode node, Map<String, List<Configured.OnNode>> recordsOn, List<Orphan> orphans) {
        for (Configured.OnNode record : recordsOn.getOrDefault(node.id, List.of())) {
            Configured c = record.configured();
            ResourceState rs = record.state();
            if (rs == null) continue;
            if (c.cloneRsc == null) {
                unpackState(c.rsc, node, rs);
            } else if (rs.isActive() || rs.blocked() || rs.pending() || !rs.operations().isEmpty() || rs.failCount() > 0) {
                Rsc instance = findInstance(c.cloneRsc, c.memberIndex, node);
                if (instance != null) unpackState(instance, node, rs);
            }
        }
        orphans(node, orphans);
    }

    /**
     * A configured primitive whose status is read: the primitive, or for one in an anonymous clone the clone and its
     * place in a cloned group; its records by node; and its place in the configuration: the top-level resource's, and
     * its own among that resource's primitives.
     */
    private static final class Configured {
        final Rsc rsc;
        final Rsc cloneRsc;
        final int memberIndex;
        final Map<String, ResourceState> records;
        final int top;
        final int within;
        /** The next of the same top-level resource, in configuration order. */
        Configured next;

        Configured(Rsc rsc, Rsc cloneRsc, int memberIndex, Map<String, ResourceState> records, int top, int within) {
            this.rsc = rsc;
            this.cloneRsc = cloneRsc;
            this.memberIndex = memberIndex;
            this.records = records;
            this.top = top;
            this.within = within;
        }

        /** Adds this one to a top-level resource's list, in configuration order; returns the list's new head. */
        Configured insertInto(Configured head) {
            if (head == null || within < head.within) {
                next = head;
                return this;
            }
            Configured prev = head;
            while (prev.next != null && prev.next.within < within) prev = prev.next;
            next = prev.next;
            prev.next = this;
            return head;
        }

        /** A node's record of it. */
        record OnNode(Configured configured, ResourceState state) {}
    }

    /** The records of a resource no longer configured, by node. */
    private record Orphan(String id, Map<String, ResourceState> records) {}

    /**
     * The configured primitive whose records the state keeps under {@code id}, or null: a primitive outside clones or
     * in a globally-unique clone ({@code rsc:2}) by its own id; an anonymous clone's copies by the configured id of
     * the clone's primitive or group member (a record under an instance's id, or a group's or clone's, is not read).
     */
    private Configured configured(String id, Map<String, ResourceState> records) {
        Rsc rsc = ws.rscById.get(id);
        if (rsc != null) {
            if (!rsc.isPrimitive()) return null;
            Rsc clone = rsc.cloneParent();
            if (clone == null) return new Configured(rsc, null, -1, records, rsc.top().order, rsc.parent == null ? 0 : rsc.parent.children.indexOf(rsc));
            if (!clone.unique) return null;
            Rsc instance = rsc.parent == clone ? rsc : rsc.parent;
            int perInstance = instance.isGroup() ? instance.children.size() : 1;
            int within = clone.children.indexOf(instance) * perInstance + (instance == rsc ? 0 : instance.children.indexOf(rsc));
            return new Configured(rsc, null, -1, records, clone.order, within);
        }
        Rsc clone = ws.byConfigId.get(id);
        if (clone == null || clone.unique) return null;
        Resource child = ((Clone) clone.config).child();
        if (child instanceof Primitive p) return p.id().equals(id) ? new Configured(null, clone, -1, records, clone.order, 0) : null;
        List<Primitive> members = ((Group) child).members();
        for (int i = 0; i < members.size(); i++) if (members.get(i).id().equals(id)) return new Configured(null, clone, i, records, clone.order, i);
        return null;
    }

    /** Records of resources no longer configured: stopped where they are active (Pacemaker's orphans). */
    private void orphans(SchedNode node, List<Orphan> orphans) {
        for (Orphan o : orphans) {
            String id = o.id();
            if (ws.rscById.containsKey(id) || ws.byConfigId.containsKey(id)) continue;
            ResourceState rs = o.records().get(node.id);
            if (rs == null || !rs.isActive() && !rs.blocked()) continue;
            Rsc orphan = ws.rscById.get(id);
            if (orphan == null) {
                Primitive p = Primitive.builder(id, "unknown").build();
                orphan = new Rsc(id, id, Rsc.Variant.PRIMITIVE, p);
                orphan.orphan = true;
                orphan.managed = !ws.props.maintenanceMode()
                        && !"false".equalsIgnoreCase(ws.props.other().getOrDefault("stop-orphan-resources", "true"));
                orphan.allowed = ws.newWeights();
                orphan.needsFencing = ws.stonithEnabled;
                orphan.order = Integer.MAX_VALUE;
                ws.rscById.put(id, orphan);
                ws.resources.add(orphan);
                orphan.allowed.addEverywhere(-Scores.INF);
            }
            unpackState(orphan, node, rs);
        }
    }

    /**
     * The instance of an anonymous clone a node's record belongs to: the one already active there (a cloned group's
     * other member), else the first that is not active anywhere yet, else a new orphan instance.
     */
    private Rsc findInstance(Rsc clone, int memberIndex, SchedNode node) {
        Rsc inactive = null;
        Rsc found = null;
        for (Rsc inst : clone.children) {
            List<SchedNode> where = inst.currentNodes();
            Rsc member = memberIndex < 0 ? inst : inst.children.get(memberIndex);
            if (!where.isEmpty() || member.pendingNode != null) {
                if (where.contains(node)) {
                    if (!member.runningOn.isEmpty() && member.runningOn.contains(node)) return null; // a second record: ignored
                    found = member;
                    break;
                }
            } else if (inactive == null && !member.blocked) {
                inactive = member;
            }
        }
        if (found == null) found = inactive;
        // An instance that needs no fencing and runs on a node that is down or being fenced counts as stopped: it
        // must not use up an instance number that a node that is up could get (unless every node gets one anyway).
        if (found != null && !found.needsFencing && (!node.online || node.unclean) && clone.cloneMax < memberNodes()) found = null;
        if (found != null) return found;
        // No instance free: more active copies than clone-max, or a stopped copy's record (its failures) on a node
        // while every instance is active elsewhere. An orphan instance, stopped, keeps the record, so that a
        // migration-threshold reached there still bans the clone from that node.
        int n = clone.children.size();
        Rsc inst = instance(clone, ((Clone) clone.config).child(), n, new LinkedHashMap<>(clone.config.meta().values()));
        for (Rsc p : inst.primitives()) p.orphan = true;
        inst.orphan = true;
        clone.children.add(inst);
        for (Rsc p : inst.primitives()) p.allowed.addEverywhere(-Scores.INF);
        return memberIndex < 0 ? inst : inst.children.get(memberIndex);
    }

    /** Applies one node's record of one primitive (Pacemaker's unpack_lrm_resource and process_rsc_state). */
    private void unpackState(Rsc rsc, SchedNode node, ResourceState rs) {
        OperationRecord last = rs.operations().isEmpty() ? null : rs.operations().get(rs.operations().size() - 1);
        boolean pending = last != null && last.code() == OcfCode.PENDING;
        Role role = rs.role();
        if (pending) {
            switch (last.action()) {
                case "start", "migrate_from" -> {
                    if (role == Role.STOPPED) role = rsc.inPromotable() ? Role.UNPROMOTED : Role.STARTED;
                    rsc.startPending = node.online;
                    rsc.pendingNode = node;
                }
                case "promote" -> {
                    // In flight on a node that is up: it stays Unpromoted and is promoted by this plan, so that what
                    // waits for its promotion waits for the result. On a lost node it counts as done until the fence.
                    if (node.online && !node.unclean) rsc.promotePending = node;
                    else role = Role.PROMOTED;
                }
                default -> { }
            }
        }
        // a contained resource whose stop failed counts as stopped: its container's restart cleans up (restart-container)
        boolean stopForgiven = last != null && last.action().equals("stop") && isFailure(last) && GuestNodes.restartsContainer(rsc, last);
        if (stopForgiven) role = Role.STOPPED;
        if (rsc.inPromotable() && role == Role.STARTED) role = Role.UNPROMOTED;
        if (!rsc.inPromotable() && (role == Role.UNPROMOTED)) role = Role.STARTED;
        boolean active = role != Role.STOPPED || rs.blocked() && !stopForgiven;
        if (active && role == Role.STOPPED) role = rsc.inPromotable() ? Role.UNPROMOTED : Role.STARTED;
        rsc.addKnownOn(node);
        if (ParameterChanges.recordsDigest(rs)) ws.anyStartDigest = true;
        for (Rsc p = rsc.parent; p != null && !p.unique; p = p.parent) p.addKnownOn(node);
        if (!expired(rsc, rs)) rsc.recordFailCount(node, rs.failCount());
        OnFail onFail = onFailOf(rsc, rs);
        if (onFail == OnFail.RESTART && RemoteNodes.resetsRemote(ws, rsc, lastFailure(rs))) RemoteNodes.resetRemote(ws, rsc);
        if (onFail == OnFail.RESTART && GuestNodes.restartsContainer(rsc, lastFailure(rs))) ws.action(rsc.container, "stop", node, false);
        // a completed stop does not undo on-fail=stop or standby; the rest only matter while it is active
        if (!active && onFail != OnFail.STOP && onFail != OnFail.STANDBY) onFail = null;
        if (active && !node.online && !node.maintenance && rsc.managed && node.isGuest()) {
            // fenced by recovering its container, with or without fencing; its history there is cleared when it is back
            rsc.failed = true;
            rsc.stopToRecover = true;
            Fencing.fence(ws, node, rsc.id + " is thought to be active there");
        } else if (active && !node.online && !node.maintenance && rsc.managed && ws.stonithEnabled) {
            if (node.isRemote() && node.connection != null && !node.connection.failed) {
                // fenced unless its connection comes up again elsewhere (RemoteNodes.connectionAssigned)
                node.unseen = true;
                Fencing.fence(ws, node, rsc.id + " is active there (fencing will be revoked if remote connection can be re-established elsewhere)");
            } else {
                Fencing.fence(ws, node, rsc.id + " is thought to be active there");
            }
        }
        if (node.unclean) onFail = null;
        if (onFail != null) {
            switch (onFail) {
                case FENCE -> Fencing.fence(ws, node, rsc.id + " failed there");
                case STANDBY -> {
                    node.standby = true;
                    if (node.unavailable == null) node.unavailable = "node is in standby after a failure (on-fail=standby)";
                }
                case BLOCK -> {
                    rsc.managed = false;
                    rsc.blocked = true;
                }
                case STOP -> {
                    rsc.nextRole = Role.STOPPED;
                    rsc.nextRoleWhy = "on-fail=stop";
                }
                default -> { }
            }
        }
        if (!active) return;
        if (Rsc.rank(role) > Rsc.rank(rsc.role)) rsc.role = role;
        addRunning(rsc, node);
        if (onFail != null && onFail != OnFail.IGNORE) {
            rsc.failed = true;
            if (onFail != OnFail.BLOCK) rsc.stopToRecover = true;
        }
    }

    /** Pacemaker's native_add_running: where it runs, and what multiple-active and maintenance make of it. */
    private void addRunning(Rsc rsc, SchedNode node) {
        if (rsc.runningOn.contains(node)) return;
        rsc.runningOn.add(node);
        node.running.add(rsc);
        if (node.maintenance) rsc.managed = false;
        if (!rsc.managed) {
            rsc.allowed.add(node.index, Scores.INF);
            for (Rsc p = rsc.parent; p != null && node.online; p = p.parent) p.runningOn.add(node);
            return;
        }
        if (rsc.runningOn.size() > 1) {
            switch (rsc.multipleActive) {
                case "stop_only" -> { for (SchedNode n : ws.nodes) rsc.allowed.set(n.index, -Scores.INF); }
                case "block" -> {
                    rsc.managed = false;
                    rsc.blocked = true;
                    if (rsc.parent != null && rsc.parent.isGroup() && "block".equals(rsc.parent.multipleActive)) {
                        for (Rsc c : rsc.parent.children) { c.managed = false; c.blocked = true; }
                    }
                }
                default -> { }
            }
        }
        for (Rsc p = rsc.parent; p != null; p = p.parent) if (!p.runningOn.contains(node)) p.runningOn.add(node);
    }

    /**
     * What the failures on record ask for (Pacemaker replays the history): the most severe on-fail of the failures
     * (ignore < restart < block < stop < standby < fence), where a later success of the failed operation (or a start,
     * stop, promote, migrate_from, or a "not running" result) clears a restart, block or ignore. A failed stop that
     * left it blocked asks for what the stop's on-fail says. Replaying notes {@link Rsc#failuresIgnored} as well.
     */
    private OnFail onFailOf(Rsc rsc, ResourceState rs) {
        OnFail blockedStop = rs.blocked() ? onFailFor(rsc, "stop", java.time.Duration.ZERO) : null;
        if (expired(rsc, rs)) return blockedStop;
        OnFail worst = null;
        OperationRecord lastFailure = null;
        for (OperationRecord op : rs.operations()) {
            if (op.code() == OcfCode.PENDING) continue;
            if (isFailure(op)) {
                OnFail f = onFailFor(rsc, op.action(), op.interval());
                if (f == OnFail.IGNORE) rsc.failuresIgnored = true;
                if (worst == null || severity(f) > severity(worst)) worst = f;
                lastFailure = op;
                continue;
            }
            boolean clear = switch (op.action()) {
                case "start", "stop", "promote", "migrate_from" -> true;
                case "monitor" -> op.code() == OcfCode.NOT_RUNNING
                        || lastFailure != null && lastFailure.action().equals("monitor") && lastFailure.interval().equals(op.interval());
                default -> op.code() == OcfCode.NOT_RUNNING;
            };
            if (clear && worst != null && (worst == OnFail.BLOCK || worst == OnFail.IGNORE || worst == OnFail.RESTART)) worst = null;
        }
        return blockedStop != null ? blockedStop : worst;
    }

    static int severity(OnFail f) {
        return switch (f) {
            case IGNORE -> 0;
            case RESTART -> 2;
            case BLOCK -> 4;
            case STOP -> 5;
            case STANDBY -> 6;
            case FENCE -> 7;
        };
    }

    private OnFail onFailFor(Rsc rsc, String action, Duration interval) {
        if (rsc.config instanceof Primitive p) {
            for (Operation o : p.operations()) {
                if (o.name().equals(action) && o.interval().equals(interval) && o.onFail() != null) {
                    OnFail f = o.onFail();
                    if (f == OnFail.FENCE && !ws.stonithEnabled) return OnFail.STOP; // Pacemaker: fence is not valid without fencing
                    return f;
                }
            }
        }
        if (rsc.container != null) return OnFail.RESTART; // restart-container: see GuestNodes.restartsContainer
        if (action.equals("stop")) return ws.stonithEnabled ? OnFail.FENCE : OnFail.BLOCK;
        return OnFail.RESTART;
    }

    static boolean isFailure(OperationRecord op) {
        OcfCode c = op.code();
        if (c == OcfCode.SUCCESS || c == OcfCode.RUNNING_PROMOTED || c == OcfCode.DEGRADED || c == OcfCode.DEGRADED_PROMOTED || c == OcfCode.PENDING) return false;
        return !(c == OcfCode.NOT_RUNNING && op.action().equals("monitor") && op.interval().isZero());
    }

    static OperationRecord lastFailure(ResourceState rs) {
        for (int i = rs.operations().size() - 1; i >= 0; i--) if (isFailure(rs.operations().get(i))) return rs.operations().get(i);
        return null;
    }

    /** Whether the failures on record are older than failure-timeout (then they are forgotten). */
    boolean expired(Rsc rsc, ResourceState rs) {
        Duration ft = rsc.failureTimeout;
        return !ft.isZero() && !java.time.Duration.between(rs.lastFailure(), ws.now).minus(ft).isNegative();
    }

    /**
     * What target-role asks of a primitive, set as the primitive is made. The status, read afterwards, can only set
     * Stopped (on-fail=stop, a remote connection's reset), which no target-role overrides: the same outcome as applying
     * target-role after the status.
     */
    private static void applyTargetRole(Rsc rsc) {
        Role req = rsc.targetRole;
        if (req == null || req == Role.STARTED) return;
        if (req == Role.PROMOTED) return; // what a promotable instance may become anyway
        if (req == Role.UNPROMOTED && !rsc.inPromotable()) return;
        if (rsc.nextRole == null || Rsc.rank(req) < Rsc.rank(rsc.nextRole)) {
            rsc.nextRole = req;
            rsc.nextRoleWhy = "target-role";
        }
    }
}
