package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import vigil.api.ConfigException;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
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
import vigil.api.status.OcfCode;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.raft.proto.CommandResultP;

/** The replicated apply path: deterministic, exact snapshots, invalid commands rejected without effect. */
class StateMachineProperties {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** Every generated entry comes from n1's controller in this Raft term, announced by the bootstrap entry. */
    private static final long TERM = 1;

    private static LogCodec.Entry fromController(Instant at, List<Command> commands) { return new LogCodec.Entry(at, commands, "n1", true); }

    // ---- properties ---------------------------------------------------------------------------------------------

    @Property(tries = 200)
    void apply_sameCommands_giveEqualStatesAndByteEqualSnapshots(@ForAll("entries") List<LogCodec.Entry> entries) throws Exception {
        ClusterState a = replay(entries, false);
        ClusterState b = replay(entries, true); // the second replica sees the entries through the log encoding
        net.jqwik.api.statistics.Statistics.collect(a.config().constraints().isEmpty() ? "no constraints" : "constraints",
                a.resources().isEmpty() ? "no resource status" : "resource status", a.configVersion() > 6 ? "many config changes" : "few config changes");
        assertEquals(a, b);
        assertArrayEquals(LogCodec.encodeState(a), LogCodec.encodeState(b));
    }

    @Property(tries = 200)
    void snapshot_roundTrip_isExact(@ForAll("entries") List<LogCodec.Entry> entries) {
        ClusterState s = replay(entries, false);
        byte[] bytes = LogCodec.encodeState(s);
        ClusterState back = LogCodec.decodeState(bytes);
        assertEquals(s, back);
        assertArrayEquals(bytes, LogCodec.encodeState(back));
    }

    @Property(tries = 300)
    void commandEncoding_roundTrip_isExact(@ForAll("command") Command c) throws Exception {
        LogCodec.Entry e = LogCodec.decodeEntry(LogCodec.encodeEntry(T0, List.of(c)));
        assertEquals(List.of(c), e.commands());
        assertEquals(T0, e.at());
    }

    @Property(tries = 200)
    void invalidCommand_isRejected_andLeavesStateUnchanged(@ForAll("entries") List<LogCodec.Entry> entries, @ForAll("invalid") Command bad,
                                                             @ForAll("command") Command after) {
        ClusterState before = replay(entries, false);
        Instant at = before.now();
        VigilStateMachine.Batch alone = VigilStateMachine.applyBatch(before, fromController(at, List.of(bad)), TERM);
        assertEquals(1, alone.rejected());
        CommandResultP r = alone.results().get(0);
        assertFalse(r.getOk());
        assertFalse(r.getProblem().isEmpty(), "a rejection says what is wrong");
        assertSame(before, alone.state(), "a rejected command leaves the state as it was");

        // in a batch, the commands around it still apply exactly as they would without it
        VigilStateMachine.Batch mixed = VigilStateMachine.applyBatch(before, fromController(at, List.of(bad, after)), TERM);
        VigilStateMachine.Batch without = VigilStateMachine.applyBatch(before, fromController(at, List.of(after)), TERM);
        assertEquals(without.state(), mixed.state());
        assertFalse(mixed.results().get(0).getOk());
        assertEquals(without.results().get(0), mixed.results().get(1));
    }

    @Property(tries = 100)
    void differentCommands_giveDifferentSnapshots_whenStatesDiffer(@ForAll("entries") List<LogCodec.Entry> a, @ForAll("entries") List<LogCodec.Entry> b) {
        ClusterState sa = replay(a, false);
        ClusterState sb = replay(b, false);
        if (!sa.equals(sb)) assertNotEquals(java.util.Arrays.toString(LogCodec.encodeState(sa)), java.util.Arrays.toString(LogCodec.encodeState(sb)));
        else assertArrayEquals(LogCodec.encodeState(sa), LogCodec.encodeState(sb));
    }

    private static ClusterState replay(List<LogCodec.Entry> entries, boolean throughLog) {
        ClusterState s = ClusterState.EMPTY;
        for (LogCodec.Entry e : entries) {
            LogCodec.Entry applied = e;
            if (throughLog) {
                try {
                    applied = LogCodec.decodeEntry(LogCodec.withOrigin(LogCodec.encodeEntry(e.at(), e.commands()), e.origin(), e.controller()));
                } catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            }
            s = VigilStateMachine.applyBatch(s, applied, TERM).state();
        }
        return s;
    }

    // ---- generators ---------------------------------------------------------------------------------------------

    private static final List<String> NODES = List.of("n1", "n2", "n3", "w1");
    private static final List<String> RESOURCES = List.of("r1", "r2", "r3", "g1", "c1", "m1");

    @Provide
    Arbitrary<List<LogCodec.Entry>> entries() {
        Arbitrary<LogCodec.Entry> entry = Combinators.combine(Arbitraries.longs().between(0, 86_400_000), command().list().ofMinSize(1).ofMaxSize(6))
                .as((ms, cs) -> fromController(T0.plusMillis(ms), cs));
        // a bootstrap entry first, so that later commands have nodes and resources to act on
        return entry.list().ofMaxSize(12).map(es -> {
            List<LogCodec.Entry> all = new ArrayList<>();
            all.add(fromController(T0, bootstrap()));
            all.addAll(es);
            return all;
        });
    }

    private static List<Command> bootstrap() {
        List<Command> cs = new ArrayList<>();
        cs.add(new Command.LeaderElected("n1", TERM));
        for (String n : NODES) cs.add(new Command.PutNode(n.startsWith("w") ? Node.witness(n, n + ":7000") : Node.member(n, n + ":7000")));
        cs.add(new Command.PutResource(Primitive.builder("r1", "ocf:heartbeat:Dummy").build()));
        cs.add(new Command.PutResource(Primitive.builder("r2", "kvm").param("domain", "vm2").build()));
        return cs;
    }

    private static Arbitrary<String> node() { return Arbitraries.of(NODES); }

    private static Arbitrary<String> resource() { return Arbitraries.of(RESOURCES); }

    private static Arbitrary<String> text() { return Arbitraries.strings().withCharRange('a', 'e').withChars(' ', '-', 'é').ofMaxLength(6); }

    private static Arbitrary<Map<String, String>> smallMap() { return Arbitraries.maps(Arbitraries.of("a", "b", "c", "d"), text()).ofMaxSize(3); }

    private static Arbitrary<Duration> duration() { return Arbitraries.longs().between(0, 600_000).map(Duration::ofMillis); }

    private static Arbitrary<Instant> instant() { return Arbitraries.longs().between(-1000, 4_000_000_000L).map(s -> Instant.ofEpochSecond(s, 123_000)); }

    private static Arbitrary<Role> roleOrNull() { return Arbitraries.of(Role.values()).injectNull(0.3); }

    private static Arbitrary<Score> score() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-5000, 5000).map(Score::of), Arbitraries.of(Score.INFINITY, Score.MINUS_INFINITY));
    }

    private static Arbitrary<Meta> meta() {
        Arbitrary<Map<String, String>> m = Arbitraries.maps(Arbitraries.of(Meta.STICKINESS, Meta.PRIORITY, "note", Meta.TARGET_ROLE),
                Arbitraries.of("0", "10", "100", "INFINITY")).ofMaxSize(2);
        return m.map(values -> {
            var copy = new java.util.TreeMap<>(values);
            if (copy.containsKey(Meta.TARGET_ROLE)) copy.put(Meta.TARGET_ROLE, "Started");
            return Meta.of(copy);
        });
    }

    private static Arbitrary<Operation> operation() {
        return Combinators.combine(Arbitraries.of("monitor", "start", "stop"), duration(), duration().map(d -> d.plusSeconds(1)),
                Arbitraries.of(OnFail.values()).injectNull(0.5), roleOrNull())
                .as(Operation::new);
    }

    private static Arbitrary<Primitive> primitive(Arbitrary<String> ids) {
        return Combinators.combine(ids, Arbitraries.of("ocf:heartbeat:Dummy", "kvm", "java:svc"), smallMap(), meta(), operation().list().ofMaxSize(2))
                .as(Primitive::new);
    }

    private static Arbitrary<Resource> resourceDef() {
        Arbitrary<Resource> prim = primitive(Arbitraries.of("r1", "r2", "r3")).map(p -> p);
        Arbitrary<Resource> group = Combinators.combine(primitive(Arbitraries.of("g1a", "g1b")).list().ofMinSize(1).ofMaxSize(2).uniqueElements(Primitive::id), meta())
                .as((ms, m) -> new Group("g1", ms, m));
        Arbitrary<Resource> clone = Combinators.combine(primitive(Arbitraries.of("c1a")), meta(), Arbitraries.of(false, true))
                .as((p, m, prom) -> new Clone("c1", p, m, prom));
        return Arbitraries.oneOf(prim, group, clone);
    }

    /** Mostly resources the bootstrap entry created, so that many constraints are valid. */
    private static Arbitrary<String> constrained() { return Arbitraries.of("r1", "r2", "r1", "r2", "r3", "g1"); }

    private static Arbitrary<Constraint> constraint() {
        Arbitrary<Constraint> loc = Combinators.combine(Arbitraries.of("loc1", "loc2", StateTransitions.MOVE_PREFIX + "r1"), constrained(), node(), score(),
                Arbitraries.of(Role.values()).injectNull(0.8), instant().injectNull(0.5)).as(Constraint.Location::new);
        Arbitrary<Constraint> col = Combinators.combine(Arbitraries.of("col1", "col2"), constrained(), constrained(), score(), Arbitraries.of(Role.values()).injectNull(0.8), Arbitraries.of(Role.values()).injectNull(0.8))
                .as(Constraint.Colocation::new);
        Arbitrary<Constraint> ord = Combinators.combine(Arbitraries.of("ord1", "ord2"), constrained(), Arbitraries.of(Action.values()), constrained(),
                Arbitraries.of(Action.values()), Arbitraries.of(OrderKind.values()), Arbitraries.of(true, false)).as(Constraint.Order::new);
        return Arbitraries.oneOf(loc, col, ord);
    }

    private static Arbitrary<ClusterProperties> properties() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(NoQuorumPolicy.values()), duration().map(d -> d.plusSeconds(1)),
                score(), Arbitraries.of(true, false), smallMap())
                .as((stonith, nq, timeout, stick, fatal, other) -> ClusterProperties.builder().stonithEnabled(stonith).noQuorumPolicy(nq)
                        .nodeTimeout(timeout).defaultStickiness(stick).startFailureIsFatal(fatal).other(other).build());
    }

    private static Arbitrary<FenceDevice> fenceDevice() {
        return Combinators.combine(Arbitraries.of("f1", "f2"), Arbitraries.of("ipmi", "libvirt"), smallMap(), node().list().ofMaxSize(2),
                Arbitraries.maps(node(), text()).ofMaxSize(2), duration()).as(FenceDevice::new);
    }

    private static Arbitrary<Node> nodeDef() {
        return Combinators.combine(node(), Arbitraries.of("a:1", "b:2"), Arbitraries.of(NodeRole.values()), smallMap()).as(Node::new);
    }

    private static Arbitrary<ClusterConfig> config() {
        return Combinators.combine(nodeDef().list().ofMaxSize(3).uniqueElements(Node::id), resourceDef().list().ofMaxSize(2).uniqueElements(Resource::id),
                properties(), Arbitraries.maps(Arbitraries.of("x", "y"), text()).ofMaxSize(2))
                .as((ns, rs, p, blobs) -> new ClusterConfig(ns, rs, List.of(), p, List.of(), List.of(), blobs));
    }

    @Provide
    Arbitrary<Command> command() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Combinators.combine(config(), Arbitraries.longs().between(-1, 6), Arbitraries.of("", "change-1", "change-2"))
                        .as((c, v, id) -> (Command) new Command.ReplaceConfig(c, v, id))),
                net.jqwik.api.Tuple.of(6, resourceDef().map(Command.PutResource::new)),
                net.jqwik.api.Tuple.of(1, resource().map(Command.DeleteResource::new)),
                net.jqwik.api.Tuple.of(6, Combinators.combine(Arbitraries.of("r1", "r2", "r3", "g1", "g1a", "c1a", "zz"), Arbitraries.of("note", Meta.PRIORITY),
                        Arbitraries.of("1", "2", "3").injectNull(0.3)).as(Command.SetResourceMeta::new)),
                net.jqwik.api.Tuple.of(8, constraint().map(Command.PutConstraint::new)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of("loc1", "col1", "ord1", "nope").map(Command.DeleteConstraint::new)),
                net.jqwik.api.Tuple.of(1, resource().map(Command.ClearMoveConstraints::new)),
                net.jqwik.api.Tuple.of(2, nodeDef().map(Command.PutNode::new)),
                net.jqwik.api.Tuple.of(1, node().map(Command.RemoveNode::new)),
                net.jqwik.api.Tuple.of(1, properties().map(Command.SetProperties::new)),
                net.jqwik.api.Tuple.of(1, fenceDevice().map(Command.PutFenceDevice::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("f1", "f2").map(Command.DeleteFenceDevice::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(Arbitraries.of("x", "y"), text()).as(Command.PutBlob::new)),
                net.jqwik.api.Tuple.of(3, Combinators.combine(node(), Arbitraries.of(true, false).injectNull(0.4), Arbitraries.of(true, false).injectNull(0.4))
                        .as(Command.SetNodeFlags::new)),
                net.jqwik.api.Tuple.of(3, Combinators.combine(node(), Arbitraries.of(Membership.values()), text()).as(Command.SetMembership::new)),
                net.jqwik.api.Tuple.of(6, Combinators.combine(Arbitraries.of("r1", "r2", "g1a", "c1a", "gone"), node(),
                        Arbitraries.of("start", "stop", "monitor", "promote", "demote", "migrate_to", "migrate_from", "notify", "bogus"),
                        duration(), Arbitraries.of(OcfCode.values()), duration(), Combinators.combine(text(), node()).as(List::of),
                        Arbitraries.integers().between(-10, 100).map(OptionalInt::of).injectNull(0.5))
                        .as((r, n, a, i, code, took, whyPeer, prom) -> new Command.RecordOperation(r, n, a, i, code, took, whyPeer.get(0),
                                whyPeer.get(1), prom == null ? OptionalInt.empty() : prom))),
                net.jqwik.api.Tuple.of(2, Combinators.combine(resource(), node().injectNull(0.5)).as(Command.Cleanup::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(node(), Arbitraries.of("off", "reboot"), Arbitraries.of("f1", "f2").list().ofMaxSize(2),
                        text(), Arbitraries.of(true, false), instant(), text()).as((t, a, d, ex, ok, at, det) ->
                                new Command.RecordFence(new FenceEvent(t, a, d, ex, ok, at, det)))),
                net.jqwik.api.Tuple.of(2, Combinators.combine(node(), Arbitraries.longs().between(0, 20)).as(Command.LeaderElected::new)),
                net.jqwik.api.Tuple.of(2, node().map(Command.RequestShutdown::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(resource(), Arbitraries.of("", "agent not found")).as(Command.SetBlocked::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(Arbitraries.of("f1", "f2"), Arbitraries.of(true, false), node(), instant(), text())
                        .as((d, ok, from, at, detail) -> new Command.RecordFenceDeviceCheck(new vigil.api.status.FenceDeviceStatus(d, ok, from, at, detail)))),
                net.jqwik.api.Tuple.of(2, Combinators.combine(constraint().filter(c -> c instanceof Constraint.Location), duration())
                        .as(Command.PutConstraint::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Command.Tick())),
                net.jqwik.api.Tuple.of(2, Combinators.combine(node(), duration()).as(Command.SetWatchdog::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(Arbitraries.of("r1", "r2", "g1a", "c1a", "gone"), node(), text()).as(Command.MarkOutdated::new)),
                net.jqwik.api.Tuple.of(1, Combinators.combine(Arbitraries.of("r1", "r2", "gone"), node()).as(Command.ClearOutdated::new)));
    }

    /** Commands that are invalid in any state these generators reach. */
    @Provide
    Arbitrary<Command> invalid() {
        return Arbitraries.oneOf(
                Arbitraries.of("no-such-constraint").map(Command.DeleteConstraint::new),
                Arbitraries.of("ghost").map(r -> new Command.SetResourceMeta(r, "note", "x")),
                Arbitraries.of("ghost-node").map(n -> new Command.SetNodeFlags(n, true, null)),
                Arbitraries.of("no-such-device").map(Command.DeleteFenceDevice::new),
                Arbitraries.longs().between(1_000, 2_000).map(v -> new Command.ReplaceConfig(ClusterConfig.EMPTY, v)),
                Arbitraries.of("ghost").map(r -> new Command.PutConstraint(new Constraint.Location("bad-loc", r, "n1", Score.INFINITY))));
    }

    @Property(tries = 50)
    void invalidGenerator_reallyProducesRejections(@ForAll("entries") List<LogCodec.Entry> entries, @ForAll("invalid") Command bad) {
        ClusterState s = replay(entries, false);
        try {
            StateTransitions.apply(s, bad, s.now());
            throw new AssertionError("expected a rejection of " + bad);
        } catch (ConfigException expected) {
            assertTrue(expected.getMessage().length() > 0);
        }
    }
}
