package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.Action;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.Meta;
import vigil.api.model.OrderKind;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.OcfCode;
import vigil.api.status.ResourceState;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.testkit.Await;

/** The controller while a live migration is in flight: what the migrating VM needs is not changed under it. */
class ControllerMigrationTest {
    private final ControllerHarness h = new ControllerHarness();

    @AfterEach
    void stop() { h.close(); }

    /**
     * The two-host pattern on n1 and n2 (n3 runs none of it): vm1 on the Promoted copy of its DRBD disk, started after
     * the promotion, live-migrating to n2 inside the dual-primary window (both copies Promoted, vm1 still on n1, moved
     * to n2), so that the controller's next action is vm1's migrate_to on n1.
     */
    private void dualPrimaryWindowOpenForAMoveToN2() {
        Primitive drbd = Primitive.builder("vm1-drbd", "ocf:linbit:drbd").build();
        ClusterConfig config = ClusterConfig.builder()
                .properties(ClusterProperties.builder().stonithEnabled(false).build())
                .resource(new Clone("vm1-disk", drbd, Meta.of(Map.of(Meta.PROMOTED_MAX, "1", Meta.CLONE_MAX, "2")), true))
                .resource(Primitive.builder("vm1", "kvm").meta(Meta.ALLOW_MIGRATE, "true").build())
                .constraint(new Constraint.Colocation("vm1-with-its-disk-primary", "vm1", "vm1-disk", Score.INFINITY, null, Role.PROMOTED))
                .constraint(new Constraint.Order("vm1-after-disk-promote", "vm1-disk", Action.PROMOTE, "vm1", Action.START, OrderKind.MANDATORY, true))
                .constraint(new Constraint.Location("vm1-prefers-n1", "vm1", "n1", Score.of(50)))
                .constraint(new Constraint.Location("disk-not-on-n3", "vm1-disk", "n3", Score.MINUS_INFINITY))
                .constraint(new Constraint.Location(StateTransitions.MOVE_PREFIX + "vm1", "vm1", "n2", Score.INFINITY))
                .build();
        h.threeOnlineNodes(config);
        h.state.set(h.state.get()
                .withResource(ResourceState.stopped("vm1-drbd", "n1").withRole(Role.PROMOTED).withPromotionScore(10000))
                .withResource(ResourceState.stopped("vm1-drbd", "n2").withRole(Role.PROMOTED).withPromotionScore(10000))
                .withResource(ResourceState.stopped("vm1", "n1").withRole(Role.STARTED)));
    }

    @Test
    void whileVm1sMigrateToIsInFlight_aPlanThatDemotesItsDiskOnTheTarget_waitsForTheMigrationToReportBack() {
        dualPrimaryWindowOpenForAMoveToN2();
        CompletableFuture<NodeTransport.ActionReply> migrateTo = new CompletableFuture<>();
        NodeTransport nodes = new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) { return h.transport.heartbeat(node, request); }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) {
                h.executed.add(request.resource() + " " + request.action() + " " + node);
                return request.action().equals("migrate_to") ? migrateTo : CompletableFuture.completedFuture(ActionReply.rejected("not in this test"));
            }
        };
        h.start((c, target, action, executor) -> { throw new AssertionError("stonith is off"); }, nodes);
        Await.until(Duration.ofSeconds(20), "vm1's migrate_to sent", () -> {
            h.pass(Duration.ofMillis(100));
            return h.executed.contains("vm1 migrate_to n1");
        });

        // 'vigil resource clear vm1' while the migration runs: vm1 belongs on n1 again, and one copy Promoted is enough
        h.submit(List.of(new Command.ClearMoveConstraints("vm1")));
        h.pass(Duration.ofSeconds(2));
        assertFalse(h.executed.contains("vm1-drbd demote n2"),
                "vm1-drbd demoted on n2, where vm1's migrate_to is bringing vm1, before the migration reported back: " + h.executed);

        // the migration reports back (the agent commits its result, then answers): the controller carries on
        h.submit(List.of(new Command.RecordOperation("vm1", "n1", "migrate_to", Duration.ZERO, OcfCode.SUCCESS, Duration.ofSeconds(1), "", "n2",
                java.util.OptionalInt.empty())));
        migrateTo.complete(new NodeTransport.ActionReply(true, "", OcfCode.SUCCESS, ""));
        int before = h.executed.size();
        Await.until(Duration.ofSeconds(20), "the next action sent once the migration reported back", () -> {
            h.pass(Duration.ofMillis(100));
            return h.executed.size() > before;
        });
    }

    @Test
    void aMigrationAPreviousControllerSent_holdsTheDemoteOfItsDiskOnTheTarget_whileItsNodeSaysItRuns() {
        dualPrimaryWindowOpenForAMoveToN2();
        // this controller was elected while vm1's migrate_to (sent by the previous one) runs on n1, and the move was cleared
        h.submit(List.of(new Command.ClearMoveConstraints("vm1")));
        List<String> runningOnN1 = new java.util.concurrent.CopyOnWriteArrayList<>(List.of("vm1/migrate_to"));
        NodeTransport nodes = new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
                return CompletableFuture.completedFuture(new HeartbeatReply(node, request.term(), true, node.equals("n1") ? List.copyOf(runningOnN1) : List.of()));
            }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) {
                h.executed.add(request.resource() + " " + request.action() + " " + node);
                return CompletableFuture.completedFuture(ActionReply.rejected("not in this test"));
            }
        };
        h.start((c, target, action, executor) -> { throw new AssertionError("stonith is off"); }, nodes);
        h.pass(Duration.ofSeconds(2));
        assertFalse(h.executed.contains("vm1-drbd demote n2"), "vm1-drbd demoted on n2 while n1 says vm1's migrate_to runs: " + h.executed);

        // the migration ends there and its result is committed: the controller carries on
        h.submit(List.of(new Command.RecordOperation("vm1", "n1", "migrate_to", Duration.ZERO, OcfCode.SUCCESS, Duration.ofSeconds(1), "", "n2",
                java.util.OptionalInt.empty())));
        runningOnN1.clear();
        Await.until(Duration.ofSeconds(20), "an action sent once n1 no longer runs the migration", () -> {
            h.pass(Duration.ofMillis(100));
            return !h.executed.isEmpty();
        });
    }
}
