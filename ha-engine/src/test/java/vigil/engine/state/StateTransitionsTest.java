package vigil.engine.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ConfigValidator;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.api.status.OcfCode;
import vigil.api.status.ResourceState;

class StateTransitionsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static ClusterState base() {
        ClusterConfig c = ClusterConfig.builder()
                .node(Node.member("n1", "127.0.0.1:9870")).node(Node.member("n2", "127.0.0.2:9870"))
                .resource(Primitive.builder("d1", "ocf:heartbeat:Dummy").build())
                .resource(new Clone("ms", Primitive.builder("st", "ocf:pacemaker:Stateful").build(), Meta.EMPTY, true))
                .constraint(new Constraint.Location("pref-d1", "d1", "n1", Score.of(50)))
                .build();
        return StateTransitions.apply(ClusterState.EMPTY, new Command.ReplaceConfig(c, -1), T0);
    }

    private static Command.RecordOperation op(String rsc, String node, String action, long intervalMs, OcfCode code) {
        return new Command.RecordOperation(rsc, node, action, Duration.ofMillis(intervalMs), code, Duration.ofMillis(5), "", "", OptionalInt.empty());
    }

    private static ClusterState apply(ClusterState s, Command... cmds) {
        for (Command c : cmds) s = StateTransitions.apply(s, c, s.now().plusSeconds(1));
        return s;
    }

    @Test
    void requestShutdown_marksAnOnlineNodeUntilItRejoins_andIgnoresANodeThatIsNotOnline() {
        ClusterState s = apply(base(), new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.RequestShutdown("n1"),
                new Command.RequestShutdown("n2"));
        assertTrue(s.node("n1").shutdown());
        assertFalse(s.node("n2").shutdown(), "an offline node has nothing to drain");
        s = apply(s, new Command.SetMembership("n1", Membership.OFFLINE, "shut down"));
        assertTrue(s.node("n1").shutdown(), "still the node that left");
        s = apply(s, new Command.SetMembership("n1", Membership.ONLINE, "joined"));
        assertFalse(s.node("n1").shutdown(), "re-joining ends the shutdown");
        assertThrows(ConfigException.class, () -> apply(base(), new Command.RequestShutdown("n9")));
    }

    @Test
    void start_success_isStarted_promotableIsUnpromoted() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.SUCCESS), op("st", "n2", "start", 0, OcfCode.SUCCESS));
        assertEquals(Role.STARTED, s.resource("d1", "n1").role());
        assertEquals(Role.UNPROMOTED, s.resource("st", "n2").role());
        assertEquals(List.of("n1"), s.activeNodes("d1"));
    }

    @Test
    void start_failure_withStartFailureIsFatal_setsInfiniteFailCount_andStaysActiveUntilStopped() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.ERR_GENERIC));
        assertEquals(Score.INFINITY_VALUE, s.resource("d1", "n1").failCount());
        assertTrue(s.resource("d1", "n1").isActive(), "a failed start may have left something running");
        s = apply(s, op("d1", "n1", "stop", 0, OcfCode.SUCCESS));
        assertFalse(s.resource("d1", "n1").isActive());
    }

    @Test
    void recurringMonitor_notRunning_countsFailureAndStaysActiveUntilStopped() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.SUCCESS), op("d1", "n1", "monitor", 10_000, OcfCode.NOT_RUNNING));
        assertEquals(1, s.resource("d1", "n1").failCount());
        assertEquals(Role.STARTED, s.resource("d1", "n1").role(), "failed, but active until a stop succeeds (Pacemaker: FAILED)");
        assertEquals(s.now(), s.resource("d1", "n1").lastFailure());
        s = apply(s, op("d1", "n1", "stop", 0, OcfCode.SUCCESS));
        assertEquals(Role.STOPPED, s.resource("d1", "n1").role());
        assertEquals(1, s.resource("d1", "n1").failCount());
    }

    @Test
    void recurringMonitor_notRunning_afterTheStop_changesNothing() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.SUCCESS), op("d1", "n1", "stop", 0, OcfCode.SUCCESS),
                op("d1", "n1", "monitor", 10_000, OcfCode.NOT_RUNNING));
        assertEquals(0, s.resource("d1", "n1").failCount());
        assertEquals(Role.STOPPED, s.resource("d1", "n1").role());
    }

    @Test
    void probe_notRunning_isNoFailure() {
        ClusterState s = apply(base(), op("d1", "n2", "monitor", 0, OcfCode.NOT_RUNNING));
        assertEquals(0, s.resource("d1", "n2").failCount());
    }

    @Test
    void promote_thenMonitor8_promoted_andScoreRecorded() {
        ClusterState s = apply(base(), op("st", "n1", "start", 0, OcfCode.SUCCESS),
                new Command.RecordOperation("st", "n1", "monitor", Duration.ZERO, OcfCode.SUCCESS, Duration.ZERO, "", "", OptionalInt.of(10)),
                op("st", "n1", "promote", 0, OcfCode.SUCCESS));
        assertEquals(Role.PROMOTED, s.resource("st", "n1").role());
        assertEquals(10, s.resource("st", "n1").promotionScore());
    }

    @Test
    void stopFailure_blocksResource_untilFenced() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.SUCCESS), op("d1", "n1", "stop", 0, OcfCode.TIMEOUT));
        assertTrue(s.resource("d1", "n1").blocked());
        s = apply(s, new Command.SetMembership("n1", Membership.UNCLEAN, "stop failed"),
                new Command.RecordFence(new FenceEvent("n1", "reboot", List.of("ipmi-n1"), "n2", true, T0, "off")));
        assertEquals(Membership.OFFLINE, s.node("n1").membership());
        assertFalse(s.resource("d1", "n1").isActive());
        assertFalse(s.resource("d1", "n1").blocked());
        assertEquals(1, s.fenceHistory().size());
    }

    @Test
    void failedFence_leavesResourcesActiveOnUncleanNode() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.SUCCESS), new Command.SetMembership("n1", Membership.UNCLEAN, "silent"),
                new Command.RecordFence(new FenceEvent("n1", "reboot", List.of("ipmi-n1"), "n2", false, T0, "timeout")));
        assertEquals(Membership.UNCLEAN, s.node("n1").membership());
        assertTrue(s.resource("d1", "n1").isActive());
    }

    @Test
    void pendingStart_isRecorded_leavesTheRoleAndFailCount_untilItsResultOrAProbe() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.PENDING));
        assertTrue(s.resource("d1", "n1").pending());
        assertEquals(Role.STOPPED, s.resource("d1", "n1").role(), "dependents wait for the result (the scheduler handles a lost node)");
        assertEquals(0, s.resource("d1", "n1").failCount());
        ClusterState started = apply(s, op("d1", "n1", "start", 0, OcfCode.SUCCESS));
        assertEquals(List.of("n1"), started.activeNodes("d1"));
        assertFalse(started.resource("d1", "n1").pending());
        assertFalse(apply(s, op("d1", "n1", "monitor", 0, OcfCode.NOT_RUNNING)).resource("d1", "n1").pending(), "a probe settles it");
        assertThrows(ConfigException.class, () -> apply(base(), op("d1", "n1", "stop", 0, OcfCode.PENDING)));
    }

    @Test
    void migrateFrom_success_movesRoleFromSourceToTarget() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.SUCCESS), op("d1", "n1", "migrate_to", 0, OcfCode.SUCCESS),
                new Command.RecordOperation("d1", "n2", "migrate_from", Duration.ZERO, OcfCode.SUCCESS, Duration.ZERO, "", "n1", OptionalInt.empty()));
        assertEquals(List.of("n2"), s.activeNodes("d1"));
    }

    @Test
    void invalidCommand_throws_andLeavesStateUnchanged() {
        ClusterState before = apply(base(), op("d1", "n1", "start", 0, OcfCode.SUCCESS));
        ConfigException e = assertThrows(ConfigException.class,
                () -> StateTransitions.apply(before, new Command.PutConstraint(new Constraint.Location("bad", "d1", "n7", Score.INFINITY)), T0.plusSeconds(99)));
        assertEquals("constraints.bad.node", e.field());
        assertEquals(1, before.configVersion());
        assertEquals(List.of("n1"), before.activeNodes("d1"));
    }

    @Test
    void replaceConfig_withStaleVersion_isRejected() {
        ClusterState s = base();
        ConfigException e = assertThrows(ConfigException.class,
                () -> StateTransitions.apply(s, new Command.ReplaceConfig(s.config(), s.configVersion() - 1), T0));
        assertTrue(e.getMessage().contains("another change was committed first"), e.getMessage());
        assertEquals(s.configVersion() + 1, StateTransitions.apply(s, new Command.ReplaceConfig(s.config(), s.configVersion()), T0).configVersion());
    }

    @Test
    void deleteResource_removesItsConstraints() {
        ClusterState s = apply(base(), new Command.DeleteResource("d1"));
        assertTrue(s.config().constraints().isEmpty());
        assertTrue(s.config().resource("d1").isEmpty());
    }

    @Test
    void removeNode_namedByAFenceDeviceAndALocation_dropsItsLocations_andKeepsTheDevice_whichFencesItAgainAfterARejoin() {
        ClusterState s = apply(base(), new Command.PutFenceDevice(new vigil.api.model.FenceDevice("kill", "process", Map.of(), List.of(),
                Map.of("n1", "/run/n1.pid", "n2", "/run/n2.pid"), null)),
                new Command.PutConstraint(new Constraint.Location("cli-prefer-d1", "d1", "n2", Score.INFINITY, null, T0.plusSeconds(3600))));
        s = apply(s, new Command.RemoveNode("n2"));
        assertTrue(s.config().node("n2").isEmpty());
        assertFalse(s.nodes().containsKey("n2"));
        assertEquals(List.of("pref-d1"), s.config().constraints().stream().map(Constraint::id).toList(), "the node's location constraints went with it");
        vigil.api.model.FenceDevice kill = s.config().fenceDevice("kill").orElseThrow();
        assertEquals("/run/n2.pid", kill.plugFor("n2"), "the device still names the removed host");
        s = apply(s, new Command.PutNode(Node.member("n2", "127.0.0.2:9870")));
        assertTrue(s.config().fenceDevice("kill").orElseThrow().canFence("n2"), "a node re-joined under the same id is fenceable again");
    }

    @Test
    void removeNode_withAnActiveResource_isRefused() {
        ClusterState s = apply(base(), op("d1", "n2", "start", 0, OcfCode.SUCCESS));
        ClusterState before = s;
        ConfigException e = assertThrows(ConfigException.class, () -> StateTransitions.apply(before, new Command.RemoveNode("n2"), T0));
        assertTrue(e.getMessage().contains("d1"), e.getMessage());
    }

    @Test
    void clearMoveConstraints_removesOnlyCliLocations() {
        ClusterState s = apply(base(),
                new Command.PutConstraint(new Constraint.Location("cli-prefer-d1", "d1", "n2", Score.INFINITY, null, T0.plusSeconds(3600))),
                new Command.PutConstraint(new Constraint.Location("cli-ban-d1-on-n1", "d1", "n1", Score.MINUS_INFINITY, null, null)));
        assertEquals(3, s.config().constraints().size());
        s = apply(s, new Command.ClearMoveConstraints("d1"));
        assertEquals(List.of("pref-d1"), s.config().constraints().stream().map(Constraint::id).toList());
    }

    @Test
    void cleanup_ofClone_resetsItsPrimitivesFailCounts() {
        ClusterState s = apply(base(), op("st", "n1", "start", 0, OcfCode.ERR_GENERIC), new Command.Cleanup("ms", null));
        assertEquals(0, s.resource("st", "n1").failCount());
    }

    @Test
    void cleanup_forgetsTheFailedOperations_andAsksForAProbe() {
        ClusterState s = apply(base(), op("d1", "n1", "start", 0, OcfCode.ERR_GENERIC), op("d1", "n1", "stop", 0, OcfCode.SUCCESS),
                op("d1", "n2", "start", 0, OcfCode.SUCCESS), new Command.Cleanup("d1", "n1"));
        ResourceState n1 = s.resource("d1", "n1");
        assertEquals(0, n1.failCount());
        assertTrue(n1.pending(), "a probe is pending");
        assertEquals(List.of("monitor"), n1.operations().stream().map(vigil.api.status.OperationRecord::action).toList());
        assertEquals(Role.STOPPED, n1.role());
        assertEquals(Role.STARTED, s.resource("d1", "n2").role(), "other nodes untouched");
        assertFalse(s.resource("d1", "n2").pending());
        // the probe's result settles it
        s = apply(s, op("d1", "n1", "monitor", 0, OcfCode.NOT_RUNNING));
        assertFalse(s.resource("d1", "n1").pending());
        assertEquals(0, s.resource("d1", "n1").failCount());
    }

    @Test
    void replaceConfig_withAChangeIdAlreadyApplied_changesNothing() {
        ClusterState s = base();
        ClusterConfig more = s.config().toBuilder().resource(Primitive.builder("d2", "ocf:heartbeat:Dummy").build()).build();
        ClusterState once = apply(s, new Command.ReplaceConfig(more, s.configVersion(), "change-1"));
        assertEquals(s.configVersion() + 1, once.configVersion());
        // the same change sent again (its answer was lost): no second version, and no compare-and-set failure
        ClusterState again = apply(once, new Command.ReplaceConfig(more, s.configVersion(), "change-1"));
        assertEquals(once.configVersion(), again.configVersion());
        assertEquals(once.config(), again.config());
        assertThrows(ConfigException.class, () -> apply(once, new Command.ReplaceConfig(more, s.configVersion(), "change-2")));
    }

    @Test
    void replaceConfig_withAnOverlongChangeId_isRefusedAndChangesNothing() {
        ClusterState s = base();
        String id = "x".repeat(ConfigValidator.MAX_ID + 1);
        ConfigException e = assertThrows(ConfigException.class, () -> apply(s, new Command.ReplaceConfig(s.config(), s.configVersion(), id)));
        assertEquals("change_id", e.field());
        assertEquals(1, apply(s, new Command.ReplaceConfig(s.config(), s.configVersion(), "x".repeat(ConfigValidator.MAX_ID))).appliedChanges().size());
    }

    @Test
    void leaderElected_olderTermIgnored() {
        ClusterState s = apply(base(), new Command.LeaderElected("n2", 5), new Command.LeaderElected("n1", 4));
        assertEquals("n2", s.leader());
        assertEquals(5, s.term());
    }

    @Test
    void now_neverGoesBackwards() {
        ClusterState s = apply(base(), new Command.SetNodeFlags("n1", true, null));
        ClusterState t = StateTransitions.apply(s, new Command.SetNodeFlags("n1", false, null), T0.minusSeconds(100));
        assertEquals(s.now(), t.now());
        assertFalse(t.node("n1").standby());
    }

    @Test
    void unknownNode_inStatusCommand_rejected() {
        assertThrows(ConfigException.class, () -> apply(base(), op("d1", "n9", "start", 0, OcfCode.SUCCESS)));
        ClusterState s = base();
        assertSame(s.config(), s.config());
        assertEquals(Map.of(), s.resources());
    }
}
