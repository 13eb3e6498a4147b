package vigil.raft;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
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
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.OcfCode;
import vigil.api.status.OperationRecord;
import vigil.api.status.OutdatedCopy;
import vigil.api.status.ResourceState;
import vigil.engine.state.Command;
import vigil.raft.proto.*;

/**
 * Exact mapping between Vigil's records and the protobuf log / snapshot schema ({@code vigil/raft/log.proto}).
 * Maps are written in key order and lists in their order, so equal values give byte-equal encodings.
 */
public final class LogCodec {
    private LogCodec() {}

    // ---- entry points ---------------------------------------------------------------------------------------

    public static byte[] encodeState(ClusterState s) { return state(s).toByteArray(); }

    public static ClusterState decodeState(byte[] bytes) {
        try {
            return state(ClusterStateP.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("snapshot is not a valid vigil.raft.ClusterStateP: " + e.getMessage(), e);
        }
    }

    /** An entry of {@code commands} stamped with {@code clusterTime} (null: not stamped, as a submitter sends it). */
    public static byte[] encodeEntry(Instant clusterTime, List<Command> commands) {
        LogEntryP.Builder b = LogEntryP.newBuilder();
        if (clusterTime != null) b.setClusterTime(ts(clusterTime));
        for (Command c : commands) b.addCommands(command(c));
        return b.build().toByteArray();
    }

    /**
     * The leader's stamp: {@code entry} as a submitter sent it, carrying {@code clusterTime} instead of any time it held
     * (null: none, the state's time will not move).
     */
    public static byte[] stamp(byte[] entry, Instant clusterTime) throws InvalidProtocolBufferException {
        LogEntryP.Builder b = LogEntryP.parseFrom(entry).toBuilder().clearClusterTime();
        if (clusterTime != null) b.setClusterTime(ts(clusterTime));
        return b.build().toByteArray();
    }

    /**
     * A decoded log entry. {@code at} is its cluster time, {@link Instant#EPOCH} when it carries none (the state's time
     * never goes back, so that leaves it as it was). {@code origin} is the node the leader verified as its sender (empty:
     * none, which no leader appends), {@code controller} whether it came from the leader's own controller.
     */
    public record Entry(Instant at, List<Command> commands, String origin, boolean controller) {
        public Entry {
            commands = List.copyOf(commands);
            origin = origin == null ? "" : origin;
        }

        /** An entry without an origin, as a submitter encodes it. */
        public Entry(Instant at, List<Command> commands) { this(at, commands, "", false); }
    }

    public static Entry decodeEntry(byte[] bytes) throws InvalidProtocolBufferException { return entry(LogEntryP.parseFrom(bytes)); }

    private static Entry entry(LogEntryP e) {
        List<Command> cs = new ArrayList<>(e.getCommandsCount());
        for (CommandP c : e.getCommandsList()) cs.add(command(c));
        return new Entry(e.hasClusterTime() ? instant(e.getClusterTime()) : Instant.EPOCH, cs, e.getOrigin().getNode(), e.getOrigin().getController());
    }

    /**
     * Decodes a submitted entry and checks that it is exactly what a Vigil submitter writes: every command known and
     * valid, no origin (only the leader sets one), nothing this version does not understand (re-encoding the decoded
     * entry gives the same bytes).
     */
    public static Entry decodeSubmitted(byte[] bytes) throws InvalidProtocolBufferException {
        LogEntryP p = LogEntryP.parseFrom(bytes);
        if (p.hasOrigin()) {
            throw new IllegalArgumentException("a submitted entry must not name its origin (the leader sets it)");
        }
        if (p.hasClusterTime()) throw new IllegalArgumentException("a submitted entry must not carry a time (the leader stamps it)");
        Entry e = entry(p);
        if (e.commands().isEmpty()) throw new IllegalArgumentException("the entry holds no command");
        if (!java.util.Arrays.equals(encodeEntry(null, e.commands()), bytes)) {
            throw new IllegalArgumentException("the entry holds fields or values this version does not know");
        }
        return e;
    }

    /** {@code entry} with the origin the leader verified (protobuf merges the appended field into the message). */
    static byte[] withOrigin(byte[] entry, String origin, boolean controller) {
        byte[] stamp = LogEntryP.newBuilder().setOrigin(OriginP.newBuilder().setNode(origin).setController(controller)).build().toByteArray();
        byte[] out = java.util.Arrays.copyOf(entry, entry.length + stamp.length);
        System.arraycopy(stamp, 0, out, entry.length, stamp.length);
        return out;
    }

    // ---- time -----------------------------------------------------------------------------------------------

    public static Timestamp ts(Instant i) { return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build(); }

    public static Instant instant(Timestamp t) { return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()); }

    static Span span(Duration d) { return Span.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build(); }

    static Duration duration(Span s) { return Duration.ofSeconds(s.getSeconds(), s.getNanos()); }

    // ---- maps -----------------------------------------------------------------------------------------------

    private static List<vigil.raft.proto.Entry> entries(Map<String, String> m) {
        List<vigil.raft.proto.Entry> out = new ArrayList<>(m.size());
        new TreeMap<>(m).forEach((k, v) -> out.add(vigil.raft.proto.Entry.newBuilder().setKey(k).setValue(v).build()));
        return out;
    }

    private static Map<String, String> map(List<vigil.raft.proto.Entry> es) {
        Map<String, String> m = new LinkedHashMap<>();
        for (vigil.raft.proto.Entry e : es) m.put(e.getKey(), e.getValue());
        return m;
    }

    // ---- enums ----------------------------------------------------------------------------------------------

    static RoleP role(Role r) {
        if (r == null) return RoleP.ROLE_UNSET;
        switch (r) {
            case STOPPED: return RoleP.ROLE_STOPPED;
            case STARTED: return RoleP.ROLE_STARTED;
            case UNPROMOTED: return RoleP.ROLE_UNPROMOTED;
            default: return RoleP.ROLE_PROMOTED;
        }
    }

    static Role role(RoleP r) {
        switch (r) {
            case ROLE_STOPPED: return Role.STOPPED;
            case ROLE_STARTED: return Role.STARTED;
            case ROLE_UNPROMOTED: return Role.UNPROMOTED;
            case ROLE_PROMOTED: return Role.PROMOTED;
            default: return null;
        }
    }

    private static NodeRoleP nodeRole(NodeRole r) { return r == NodeRole.WITNESS ? NodeRoleP.NODE_ROLE_WITNESS : NodeRoleP.NODE_ROLE_MEMBER; }

    private static NodeRole nodeRole(NodeRoleP r) { return r == NodeRoleP.NODE_ROLE_WITNESS ? NodeRole.WITNESS : NodeRole.MEMBER; }

    private static OnFailP onFail(OnFail f) { return f == null ? OnFailP.ON_FAIL_UNSET : OnFailP.forNumber(f.ordinal() + 1); }

    private static OnFail onFail(OnFailP f) { return f == OnFailP.ON_FAIL_UNSET || f == OnFailP.UNRECOGNIZED ? null : OnFail.values()[f.getNumber() - 1]; }

    private static ActionP action(Action a) { return ActionP.forNumber(a.ordinal() + 1); }

    private static Action action(ActionP a) { return a == ActionP.ACTION_UNSET || a == ActionP.UNRECOGNIZED ? null : Action.values()[a.getNumber() - 1]; }

    private static OrderKindP orderKind(OrderKind k) { return OrderKindP.forNumber(k.ordinal() + 1); }

    private static OrderKind orderKind(OrderKindP k) { return k == OrderKindP.ORDER_KIND_UNSET || k == OrderKindP.UNRECOGNIZED ? null : OrderKind.values()[k.getNumber() - 1]; }

    private static NoQuorumPolicyP noQuorum(NoQuorumPolicy p) { return NoQuorumPolicyP.forNumber(p.ordinal() + 1); }

    private static NoQuorumPolicy noQuorum(NoQuorumPolicyP p) {
        return p == NoQuorumPolicyP.NO_QUORUM_UNSET || p == NoQuorumPolicyP.UNRECOGNIZED ? NoQuorumPolicy.STOP : NoQuorumPolicy.values()[p.getNumber() - 1];
    }

    private static MembershipP membership(Membership m) { return MembershipP.forNumber(m.ordinal() + 1); }

    private static Membership membership(MembershipP m) {
        return m == MembershipP.MEMBERSHIP_UNSET || m == MembershipP.UNRECOGNIZED ? Membership.OFFLINE : Membership.values()[m.getNumber() - 1];
    }

    // ---- configuration --------------------------------------------------------------------------------------

    public static NodeP node(Node n) {
        return NodeP.newBuilder().setId(n.id()).setAddress(n.address()).setRole(nodeRole(n.role())).addAllAttributes(entries(n.attributes())).build();
    }

    public static Node node(NodeP n) { return new Node(n.getId(), n.getAddress(), nodeRole(n.getRole()), map(n.getAttributesList())); }

    private static OperationP operation(Operation o) {
        return OperationP.newBuilder().setName(o.name()).setInterval(span(o.interval())).setTimeout(span(o.timeout()))
                .setOnFail(onFail(o.onFail())).setRole(role(o.role())).build();
    }

    private static Operation operation(OperationP o) {
        return new Operation(o.getName(), duration(o.getInterval()), duration(o.getTimeout()), onFail(o.getOnFail()), role(o.getRole()));
    }

    private static PrimitiveP primitive(Primitive p) {
        PrimitiveP.Builder b = PrimitiveP.newBuilder().setId(p.id()).setType(p.type()).addAllParams(entries(p.params()))
                .addAllMeta(entries(p.meta().values()));
        for (Operation o : p.operations()) b.addOperations(operation(o));
        return b.build();
    }

    private static Primitive primitive(PrimitiveP p) {
        List<Operation> ops = new ArrayList<>();
        for (OperationP o : p.getOperationsList()) ops.add(operation(o));
        return new Primitive(p.getId(), p.getType(), map(p.getParamsList()), Meta.of(map(p.getMetaList())), ops);
    }

    static ResourceP resource(Resource r) {
        if (r instanceof Primitive p) return ResourceP.newBuilder().setPrimitive(primitive(p)).build();
        if (r instanceof Group g) {
            GroupP.Builder b = GroupP.newBuilder().setId(g.id()).addAllMeta(entries(g.meta().values()));
            for (Primitive p : g.members()) b.addMembers(primitive(p));
            return ResourceP.newBuilder().setGroup(b).build();
        }
        Clone c = (Clone) r;
        return ResourceP.newBuilder().setClone(CloneP.newBuilder().setId(c.id()).setChild(resource(c.child()))
                .addAllMeta(entries(c.meta().values())).setPromotable(c.promotable())).build();
    }

    static Resource resource(ResourceP r) {
        switch (r.getKindCase()) {
            case PRIMITIVE: return primitive(r.getPrimitive());
            case GROUP: {
                List<Primitive> members = new ArrayList<>();
                for (PrimitiveP p : r.getGroup().getMembersList()) members.add(primitive(p));
                return new Group(r.getGroup().getId(), members, Meta.of(map(r.getGroup().getMetaList())));
            }
            case CLONE: {
                CloneP c = r.getClone();
                return new Clone(c.getId(), resource(c.getChild()), Meta.of(map(c.getMetaList())), c.getPromotable());
            }
            default: throw new IllegalStateException("resource without kind in log entry");
        }
    }

    static ConstraintP constraint(Constraint c) {
        if (c instanceof Constraint.Location l) {
            LocationP.Builder b = LocationP.newBuilder().setId(l.id()).setResource(l.resource()).setNode(l.node())
                    .setScore(l.score().value()).setRole(role(l.role()));
            if (l.expires() != null) b.setExpires(ts(l.expires()));
            return ConstraintP.newBuilder().setLocation(b).build();
        }
        if (c instanceof Constraint.Colocation co) {
            return ConstraintP.newBuilder().setColocation(ColocationP.newBuilder().setId(co.id()).setResource(co.resource())
                    .setWithResource(co.withResource()).setScore(co.score().value()).setRole(role(co.role())).setWithRole(role(co.withRole()))).build();
        }
        Constraint.Order o = (Constraint.Order) c;
        return ConstraintP.newBuilder().setOrder(OrderP.newBuilder().setId(o.id()).setFirst(o.first()).setFirstAction(action(o.firstAction()))
                .setThen(o.then()).setThenAction(action(o.thenAction())).setKind(orderKind(o.kind())).setSymmetrical(o.symmetrical()).setRequireAny(!o.requireAll())).build();
    }

    static Constraint constraint(ConstraintP c) {
        switch (c.getKindCase()) {
            case LOCATION: {
                LocationP l = c.getLocation();
                return new Constraint.Location(l.getId(), l.getResource(), l.getNode(), Score.of(l.getScore()), role(l.getRole()),
                        l.hasExpires() ? instant(l.getExpires()) : null);
            }
            case COLOCATION: {
                ColocationP co = c.getColocation();
                return new Constraint.Colocation(co.getId(), co.getResource(), co.getWithResource(), Score.of(co.getScore()),
                        role(co.getRole()), role(co.getWithRole()));
            }
            case ORDER: {
                OrderP o = c.getOrder();
                return new Constraint.Order(o.getId(), o.getFirst(), action(o.getFirstAction()), o.getThen(), action(o.getThenAction()),
                        orderKind(o.getKind()), o.getSymmetrical(), !o.getRequireAny());
            }
            default: throw new IllegalStateException("constraint without kind in log entry");
        }
    }

    static PropertiesP properties(ClusterProperties p) {
        return PropertiesP.newBuilder().setStonithEnabled(p.stonithEnabled()).setSymmetricCluster(p.symmetricCluster())
                .setNoQuorumPolicy(noQuorum(p.noQuorumPolicy())).setNodeTimeout(span(p.nodeTimeout())).setWatchdogTimeout(span(p.watchdogTimeout()))
                .setDefaultStickiness(p.defaultStickiness().value()).setStartFailureIsFatal(p.startFailureIsFatal())
                .setMaintenanceMode(p.maintenanceMode()).setMoveLifetime(span(p.moveLifetime())).setFenceTimeout(span(p.fenceTimeout()))
                .addAllOther(entries(p.other())).build();
    }

    static ClusterProperties properties(PropertiesP p) {
        return new ClusterProperties(p.getStonithEnabled(), p.getSymmetricCluster(), noQuorum(p.getNoQuorumPolicy()),
                duration(p.getNodeTimeout()), duration(p.getWatchdogTimeout()), Score.of(p.getDefaultStickiness()),
                p.getStartFailureIsFatal(), p.getMaintenanceMode(), duration(p.getMoveLifetime()), duration(p.getFenceTimeout()),
                map(p.getOtherList()));
    }

    private static FenceDeviceP fenceDevice(FenceDevice d) {
        return FenceDeviceP.newBuilder().setId(d.id()).setType(d.type()).addAllParams(entries(d.params())).addAllHostList(d.hostList())
                .addAllHostMap(entries(d.hostMap())).setDelay(span(d.delay())).build();
    }

    private static FenceDevice fenceDevice(FenceDeviceP d) {
        return new FenceDevice(d.getId(), d.getType(), map(d.getParamsList()), d.getHostListList(), map(d.getHostMapList()), duration(d.getDelay()));
    }

    static ConfigP config(ClusterConfig c) {
        ConfigP.Builder b = ConfigP.newBuilder();
        for (Node n : c.nodes()) b.addNodes(node(n));
        for (Resource r : c.resources()) b.addResources(resource(r));
        for (Constraint k : c.constraints()) b.addConstraints(constraint(k));
        b.setProperties(properties(c.properties()));
        for (FenceDevice d : c.fenceDevices()) b.addFenceDevices(fenceDevice(d));
        for (FencingLevel l : c.fencingLevels()) {
            b.addFencingLevels(FencingLevelP.newBuilder().setNode(l.node()).setIndex(l.index()).addAllDevices(l.devices()));
        }
        b.addAllBlobs(entries(c.blobs()));
        return b.build();
    }

    static ClusterConfig config(ConfigP c) {
        List<Node> nodes = new ArrayList<>();
        for (NodeP n : c.getNodesList()) nodes.add(node(n));
        List<Resource> resources = new ArrayList<>();
        for (ResourceP r : c.getResourcesList()) resources.add(resource(r));
        List<Constraint> constraints = new ArrayList<>();
        for (ConstraintP k : c.getConstraintsList()) constraints.add(constraint(k));
        List<FenceDevice> devices = new ArrayList<>();
        for (FenceDeviceP d : c.getFenceDevicesList()) devices.add(fenceDevice(d));
        List<FencingLevel> levels = new ArrayList<>();
        for (FencingLevelP l : c.getFencingLevelsList()) levels.add(new FencingLevel(l.getNode(), l.getIndex(), l.getDevicesList()));
        return new ClusterConfig(nodes, resources, constraints, c.hasProperties() ? properties(c.getProperties()) : ClusterProperties.DEFAULTS,
                devices, levels, map(c.getBlobsList()));
    }

    // ---- status ---------------------------------------------------------------------------------------------

    private static FenceEventP fence(FenceEvent e) {
        return FenceEventP.newBuilder().setTarget(e.target()).setAction(e.action()).addAllDevices(e.devices()).setExecutor(e.executor())
                .setSuccess(e.success()).setAt(ts(e.at())).setDetail(e.detail()).build();
    }

    private static FenceEvent fence(FenceEventP e) {
        return new FenceEvent(e.getTarget(), e.getAction(), e.getDevicesList(), e.getExecutor(), e.getSuccess(), instant(e.getAt()), e.getDetail());
    }

    static ClusterStateP state(ClusterState s) {
        ClusterStateP.Builder b = ClusterStateP.newBuilder().setConfig(config(s.config())).setConfigVersion(s.configVersion())
                .setNow(ts(s.now())).setLeader(s.leader()).setTerm(s.term()).setHasQuorum(s.hasQuorum()).setBootstrapped(s.bootstrapped());
        for (NodeState n : new TreeMap<>(s.nodes()).values()) {
            b.addNodes(NodeStateP.newBuilder().setNode(n.node()).setMembership(membership(n.membership())).setStandby(n.standby())
                    .setMaintenance(n.maintenance()).setSince(ts(n.since())).setReason(n.reason()).setShutdown(n.shutdown())
                    .setDegraded(n.degraded()));
        }
        for (Map<String, ResourceState> perNode : new TreeMap<>(s.resources()).values()) {
            for (ResourceState r : new TreeMap<>(perNode).values()) {
                ResourceStateP.Builder rb = ResourceStateP.newBuilder().setResource(r.resource()).setNode(r.node()).setRole(role(r.role()))
                        .setFailCount(r.failCount()).setLastFailure(ts(r.lastFailure())).setPromotionScore(r.promotionScore()).setBlocked(r.blocked());
                for (OperationRecord o : r.operations()) {
                    rb.addOperations(OperationRecordP.newBuilder().setAction(o.action()).setInterval(span(o.interval())).setCode(o.code().code())
                            .setAt(ts(o.at())).setTook(span(o.took())).setReason(o.reason()));
                }
                b.addResources(rb);
            }
        }
        for (FenceEvent e : s.fenceHistory()) b.addFenceHistory(fence(e));
        b.addAllBlocked(entries(s.blocked()));
        b.addAllAppliedChanges(s.appliedChanges());
        for (vigil.api.status.FenceDeviceStatus d : s.fenceDevices().values()) b.addFenceDeviceStatus(deviceStatus(d));
        s.watchdogs().forEach((n, t) -> b.addWatchdogs(WatchdogP.newBuilder().setNode(n).setTimeout(span(t))));
        for (OutdatedCopy o : s.outdatedCopies()) {
            b.addOutdatedCopies(OutdatedCopyP.newBuilder().setResource(o.resource()).setNode(o.node()).setReason(o.reason()).setSince(ts(o.since())));
        }
        return b.build();
    }

    static ClusterState state(ClusterStateP p) {
        Map<String, NodeState> nodes = new TreeMap<>();
        for (NodeStateP n : p.getNodesList()) {
            nodes.put(n.getNode(), new NodeState(n.getNode(), membership(n.getMembership()), n.getStandby(), n.getMaintenance(),
                    instant(n.getSince()), n.getReason(), n.getShutdown(), n.getDegraded()));
        }
        Map<String, Map<String, ResourceState>> resources = new TreeMap<>();
        for (ResourceStateP r : p.getResourcesList()) {
            List<OperationRecord> ops = new ArrayList<>();
            for (OperationRecordP o : r.getOperationsList()) {
                ops.add(new OperationRecord(o.getAction(), duration(o.getInterval()), OcfCode.of(o.getCode()), instant(o.getAt()),
                        duration(o.getTook()), o.getReason()));
            }
            Role role = role(r.getRole());
            resources.computeIfAbsent(r.getResource(), k -> new TreeMap<>()).put(r.getNode(), new ResourceState(r.getResource(), r.getNode(),
                    role == null ? Role.STOPPED : role, ops, r.getFailCount(), instant(r.getLastFailure()), r.getPromotionScore(), r.getBlocked()));
        }
        List<FenceEvent> history = new ArrayList<>();
        for (FenceEventP e : p.getFenceHistoryList()) history.add(fence(e));
        Map<String, vigil.api.status.FenceDeviceStatus> devices = new TreeMap<>();
        for (FenceDeviceStatusP d : p.getFenceDeviceStatusList()) devices.put(d.getDevice(), deviceStatus(d));
        Map<String, Duration> watchdogs = new TreeMap<>();
        for (WatchdogP w : p.getWatchdogsList()) watchdogs.put(w.getNode(), duration(w.getTimeout()));
        List<OutdatedCopy> outdated = new ArrayList<>();
        for (OutdatedCopyP o : p.getOutdatedCopiesList()) outdated.add(new OutdatedCopy(o.getResource(), o.getNode(), o.getReason(), instant(o.getSince())));
        return new ClusterState(p.hasConfig() ? config(p.getConfig()) : ClusterConfig.EMPTY, p.getConfigVersion(), instant(p.getNow()),
                nodes, resources, history, p.getLeader(), p.getTerm(), p.getHasQuorum(), watchdogs, outdated, map(p.getBlockedList()),
                devices, p.getAppliedChangesList(), p.getBootstrapped());
    }

    private static FenceDeviceStatusP deviceStatus(vigil.api.status.FenceDeviceStatus d) {
        return FenceDeviceStatusP.newBuilder().setDevice(d.device()).setOk(d.ok()).setCheckedFrom(d.checkedFrom()).setAt(ts(d.at())).setDetail(d.detail()).build();
    }

    private static vigil.api.status.FenceDeviceStatus deviceStatus(FenceDeviceStatusP d) {
        return new vigil.api.status.FenceDeviceStatus(d.getDevice(), d.getOk(), d.getCheckedFrom(), instant(d.getAt()), d.getDetail());
    }

    // ---- commands -------------------------------------------------------------------------------------------

    static CommandP command(Command c) {
        CommandP.Builder b = CommandP.newBuilder();
        if (c instanceof Command.ReplaceConfig x) {
            b.setReplaceConfig(ReplaceConfigP.newBuilder().setConfig(config(x.config())).setExpectedVersion(x.expectedVersion()).setChangeId(x.changeId()));
        } else if (c instanceof Command.PutResource x) {
            b.setPutResource(PutResourceP.newBuilder().setResource(resource(x.resource())));
        } else if (c instanceof Command.DeleteResource x) {
            b.setDeleteResource(DeleteResourceP.newBuilder().setId(x.id()));
        } else if (c instanceof Command.SetResourceMeta x) {
            SetResourceMetaP.Builder m = SetResourceMetaP.newBuilder().setResource(x.resource()).setKey(x.key());
            if (x.value() != null) m.setValue(x.value());
            b.setSetResourceMeta(m);
        } else if (c instanceof Command.PutConstraint x) {
            PutConstraintP.Builder k = PutConstraintP.newBuilder().setConstraint(constraint(x.constraint()));
            if (x.lifetime() != null) k.setLifetime(span(x.lifetime()));
            b.setPutConstraint(k);
        } else if (c instanceof Command.DeleteConstraint x) {
            b.setDeleteConstraint(DeleteConstraintP.newBuilder().setId(x.id()));
        } else if (c instanceof Command.ClearMoveConstraints x) {
            b.setClearMoveConstraints(ClearMoveConstraintsP.newBuilder().setResource(x.resource()));
        } else if (c instanceof Command.PutNode x) {
            b.setPutNode(PutNodeP.newBuilder().setNode(node(x.node())));
        } else if (c instanceof Command.RemoveNode x) {
            b.setRemoveNode(RemoveNodeP.newBuilder().setId(x.id()));
        } else if (c instanceof Command.SetProperties x) {
            b.setSetProperties(SetPropertiesP.newBuilder().setProperties(properties(x.properties())));
        } else if (c instanceof Command.PutFenceDevice x) {
            b.setPutFenceDevice(PutFenceDeviceP.newBuilder().setDevice(fenceDevice(x.device())));
        } else if (c instanceof Command.DeleteFenceDevice x) {
            b.setDeleteFenceDevice(DeleteFenceDeviceP.newBuilder().setId(x.id()));
        } else if (c instanceof Command.PutBlob x) {
            b.setPutBlob(PutBlobP.newBuilder().setName(x.name()).setText(x.text()));
        } else if (c instanceof Command.SetNodeFlags x) {
            SetNodeFlagsP.Builder f = SetNodeFlagsP.newBuilder().setNode(x.node());
            if (x.standby() != null) f.setStandby(x.standby());
            if (x.maintenance() != null) f.setMaintenance(x.maintenance());
            b.setSetNodeFlags(f);
        } else if (c instanceof Command.SetMembership x) {
            b.setSetMembership(SetMembershipP.newBuilder().setNode(x.node()).setMembership(membership(x.membership())).setReason(x.reason()));
        } else if (c instanceof Command.RecordOperation x) {
            RecordOperationP.Builder o = RecordOperationP.newBuilder().setResource(x.resource()).setNode(x.node()).setAction(x.action())
                    .setInterval(span(x.interval())).setCode(x.code().code()).setTook(span(x.took())).setReason(x.reason()).setPeer(x.peer());
            if (x.promotionScore().isPresent()) o.setPromotionScore(x.promotionScore().getAsInt());
            b.setRecordOperation(o);
        } else if (c instanceof Command.Cleanup x) {
            CleanupP.Builder k = CleanupP.newBuilder().setResource(x.resource());
            if (x.node() != null) k.setNode(x.node());
            b.setCleanup(k);
        } else if (c instanceof Command.RecordFence x) {
            b.setRecordFence(RecordFenceP.newBuilder().setEvent(fence(x.event())));
        } else if (c instanceof Command.LeaderElected x) {
            b.setLeaderElected(LeaderElectedP.newBuilder().setLeader(x.leader()).setTerm(x.term()));
        } else if (c instanceof Command.RequestFence x) {
            b.setRequestFence(RequestFenceP.newBuilder().setNode(x.node()).setReason(x.reason()));
        } else if (c instanceof Command.Bootstrap x) {
            b.setBootstrap(BootstrapP.newBuilder().setConfig(config(x.config())));
        } else if (c instanceof Command.SetNodeHealth x) {
            b.setSetNodeHealth(SetNodeHealthP.newBuilder().setNode(x.node()).setDegraded(x.degraded()));
        } else if (c instanceof Command.RequestShutdown x) {
            b.setRequestShutdown(RequestShutdownP.newBuilder().setNode(x.node()));
        } else if (c instanceof Command.SetBlocked x) {
            b.setSetBlocked(SetBlockedP.newBuilder().setResource(x.resource()).setReason(x.reason()));
        } else if (c instanceof Command.RecordFenceDeviceCheck x) {
            b.setRecordFenceDeviceCheck(RecordFenceDeviceCheckP.newBuilder().setStatus(deviceStatus(x.status())));
        } else if (c instanceof Command.Tick) {
            b.setTick(TickP.getDefaultInstance());
        } else if (c instanceof Command.SetWatchdog x) {
            b.setSetWatchdog(SetWatchdogP.newBuilder().setNode(x.node()).setTimeout(span(x.timeout())));
        } else if (c instanceof Command.MarkOutdated x) {
            b.setMarkOutdated(MarkOutdatedP.newBuilder().setResource(x.resource()).setNode(x.node()).setReason(x.reason()));
        } else if (c instanceof Command.ClearOutdated x) {
            b.setClearOutdated(ClearOutdatedP.newBuilder().setResource(x.resource()).setNode(x.node()));
        } else {
            throw new IllegalArgumentException("no protobuf mapping for command " + c.getClass().getName());
        }
        return b.build();
    }

    static Command command(CommandP c) {
        switch (c.getKindCase()) {
            case REPLACE_CONFIG: return new Command.ReplaceConfig(config(c.getReplaceConfig().getConfig()), c.getReplaceConfig().getExpectedVersion(),
                    c.getReplaceConfig().getChangeId());
            case PUT_RESOURCE: return new Command.PutResource(resource(c.getPutResource().getResource()));
            case DELETE_RESOURCE: return new Command.DeleteResource(c.getDeleteResource().getId());
            case SET_RESOURCE_META: {
                SetResourceMetaP m = c.getSetResourceMeta();
                return new Command.SetResourceMeta(m.getResource(), m.getKey(), m.hasValue() ? m.getValue() : null);
            }
            case PUT_CONSTRAINT: {
                PutConstraintP k = c.getPutConstraint();
                return new Command.PutConstraint(constraint(k.getConstraint()), k.hasLifetime() ? duration(k.getLifetime()) : null);
            }
            case DELETE_CONSTRAINT: return new Command.DeleteConstraint(c.getDeleteConstraint().getId());
            case CLEAR_MOVE_CONSTRAINTS: return new Command.ClearMoveConstraints(c.getClearMoveConstraints().getResource());
            case PUT_NODE: return new Command.PutNode(node(c.getPutNode().getNode()));
            case REMOVE_NODE: return new Command.RemoveNode(c.getRemoveNode().getId());
            case SET_PROPERTIES: return new Command.SetProperties(properties(c.getSetProperties().getProperties()));
            case PUT_FENCE_DEVICE: return new Command.PutFenceDevice(fenceDevice(c.getPutFenceDevice().getDevice()));
            case DELETE_FENCE_DEVICE: return new Command.DeleteFenceDevice(c.getDeleteFenceDevice().getId());
            case PUT_BLOB: return new Command.PutBlob(c.getPutBlob().getName(), c.getPutBlob().getText());
            case SET_NODE_FLAGS: {
                SetNodeFlagsP f = c.getSetNodeFlags();
                return new Command.SetNodeFlags(f.getNode(), f.hasStandby() ? f.getStandby() : null, f.hasMaintenance() ? f.getMaintenance() : null);
            }
            case SET_MEMBERSHIP: {
                SetMembershipP m = c.getSetMembership();
                return new Command.SetMembership(m.getNode(), membership(m.getMembership()), m.getReason());
            }
            case RECORD_OPERATION: {
                RecordOperationP o = c.getRecordOperation();
                return new Command.RecordOperation(o.getResource(), o.getNode(), o.getAction(), duration(o.getInterval()), OcfCode.of(o.getCode()),
                        duration(o.getTook()), o.getReason(), o.getPeer(),
                        o.hasPromotionScore() ? OptionalInt.of(o.getPromotionScore()) : OptionalInt.empty());
            }
            case CLEANUP: {
                CleanupP k = c.getCleanup();
                return new Command.Cleanup(k.getResource(), k.hasNode() ? k.getNode() : null);
            }
            case RECORD_FENCE: return new Command.RecordFence(fence(c.getRecordFence().getEvent()));
            case LEADER_ELECTED: return new Command.LeaderElected(c.getLeaderElected().getLeader(), c.getLeaderElected().getTerm());
            case REQUEST_FENCE: return new Command.RequestFence(c.getRequestFence().getNode(), c.getRequestFence().getReason());
            case BOOTSTRAP: return new Command.Bootstrap(config(c.getBootstrap().getConfig()));
            case SET_NODE_HEALTH: return new Command.SetNodeHealth(c.getSetNodeHealth().getNode(), c.getSetNodeHealth().getDegraded());
            case REQUEST_SHUTDOWN: return new Command.RequestShutdown(c.getRequestShutdown().getNode());
            case SET_BLOCKED: return new Command.SetBlocked(c.getSetBlocked().getResource(), c.getSetBlocked().getReason());
            case RECORD_FENCE_DEVICE_CHECK: return new Command.RecordFenceDeviceCheck(deviceStatus(c.getRecordFenceDeviceCheck().getStatus()));
            case TICK: return new Command.Tick();
            case SET_WATCHDOG: return new Command.SetWatchdog(c.getSetWatchdog().getNode(), duration(c.getSetWatchdog().getTimeout()));
            case MARK_OUTDATED: {
                MarkOutdatedP m = c.getMarkOutdated();
                return new Command.MarkOutdated(m.getResource(), m.getNode(), m.getReason());
            }
            case CLEAR_OUTDATED: return new Command.ClearOutdated(c.getClearOutdated().getResource(), c.getClearOutdated().getNode());
            default: throw new IllegalArgumentException("log entry holds a command this version does not know (field "
                    + c.getKindCase() + "); upgrade this node");
        }
    }
}
