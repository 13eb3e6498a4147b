package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.testkit.Await;
import vigil.testkit.ManualClock;

/** The controller against the real scheduler and state transitions, with nodes answering through a direct transport. */
class ControllerTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService fenceWorkers = Executors.newSingleThreadExecutor();
    private final AtomicReference<ClusterState> state = new AtomicReference<>(ClusterState.EMPTY);
    private final List<Command> submitted = new CopyOnWriteArrayList<>();
    private final AtomicBoolean n3Answers = new AtomicBoolean(true);
    private final List<String> n3Running = new CopyOnWriteArrayList<>();
    private final List<String> executed = new CopyOnWriteArrayList<>();
    private Controller controller;

    @AfterEach
    void stop() {
        timer.shutdownNow();
        fenceWorkers.shutdownNow();
    }

    private synchronized CompletableFuture<?> submit(List<Command> cmds) {
        for (Command c : cmds) {
            submitted.add(c);
            state.set(StateTransitions.apply(state.get(), c, clock.instant()));
        }
        if (controller != null) controller.onStateChanged();
        return CompletableFuture.completedFuture(null);
    }

    private final NodeTransport transport = new NodeTransport() {
        @Override
        public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
            if (node.equals("n3") && !n3Answers.get()) return new CompletableFuture<>(); // a dead process never answers
            return CompletableFuture.completedFuture(new HeartbeatReply(node, request.term(), true, node.equals("n3") ? n3Running : List.of()));
        }

        @Override
        public CompletableFuture<ActionReply> execute(String node, ActionRequest request) {
            executed.add(request.resource() + " " + request.action() + " " + node);
            return CompletableFuture.completedFuture(ActionReply.rejected("no resources in this test"));
        }
    };

    /** Lets the controller run while {@code d} passes on its clock, in 20 ms steps. */
    private void pass(Duration d) {
        for (long ms = 0; ms < d.toMillis(); ms += 20) {
            clock.advance(Duration.ofMillis(20));
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private void threeOnlineNodesWithoutStonith() {
        ClusterConfig.Builder b = ClusterConfig.builder().properties(vigil.api.model.ClusterProperties.builder().stonithEnabled(false).build());
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        submit(List.of(new Command.ReplaceConfig(b.build(), 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
    }

    /** Submits as {@link #submit} does, noting (on the test clock) when n3 is first declared UNCLEAN. */
    private CompletableFuture<?> submitNotingWhenN3IsDeclared(List<Command> cmds, AtomicReference<Instant> declaredAt) {
        for (Command c : cmds) {
            if (c instanceof Command.SetMembership m && m.node().equals("n3") && m.membership() == Membership.UNCLEAN) declaredAt.compareAndSet(null, clock.instant());
        }
        return submit(cmds);
    }

    private boolean submittedOnline(String node) {
        return submitted.stream().anyMatch(c -> c instanceof Command.SetMembership m && m.node().equals(node) && m.membership() == Membership.ONLINE);
    }

    @Test
    void aFencedNodeIsNotTakenBackOnlineFromRepliesOfTheIncarnationTheFenceEnded() {
        ClusterConfig.Builder b = ClusterConfig.builder();
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        b.fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("n1", "/p1", "n2", "/p2", "n3", "/p3"), Duration.ZERO));
        submit(List.of(new Command.ReplaceConfig(b.build(), 0),
                new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.SetMembership("n2", Membership.ONLINE, "joined"),
                // n3 was declared lost (it was paused) and has just woken up: it answers heartbeats while it waits for its fence
                new Command.SetMembership("n3", Membership.UNCLEAN, "no reply for 1000 ms")));
        submitted.clear();
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, transport, (config, target, action, executor) -> {
            n3Answers.set(false); // the fence ends the process
            return new FenceEvent(target, action, List.of("kill"), executor, true, clock.instant(), "killed");
        }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);

        Await.until(Duration.ofSeconds(20), "n3 fenced", () -> {
            pass(Duration.ofMillis(100));
            return state.get().node("n3").membership() == Membership.OFFLINE;
        });
        // within node-timeout of the fence the replies n3 gave before it must not make it join
        pass(Duration.ofMillis(800));
        assertTrue(!submittedOnline("n3"), "a fenced node joined from stale replies: " + submitted);
        assertEquals(Membership.OFFLINE, state.get().node("n3").membership());
        assertEquals(1, state.get().fenceHistory().size(), "fenced once");

        // the node comes back (a new incarnation): it answers anew and joins
        n3Answers.set(true);
        Await.until(Duration.ofSeconds(20), "n3 joined again", () -> {
            pass(Duration.ofMillis(100));
            return state.get().node("n3").membership() == Membership.ONLINE;
        });
        assertEquals(1, state.get().fenceHistory().size(), "still fenced once");
    }

    @Test
    void aResourceIsNotHeldBackByWhatADeadNodeLastSaidItWasRunning() {
        ClusterConfig.Builder b = ClusterConfig.builder()
                .properties(vigil.api.model.ClusterProperties.builder().stonithEnabled(false).build())
                .resource(vigil.api.model.Primitive.builder("d1", "ocf:heartbeat:Dummy").build());
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        submit(List.of(new Command.ReplaceConfig(b.build(), 0),
                new Command.SetMembership("n1", Membership.ONLINE, "joined"), new Command.SetMembership("n2", Membership.ONLINE, "joined"),
                new Command.SetMembership("n3", Membership.ONLINE, "joined"),
                new Command.RecordOperation("d1", "n3", "start", Duration.ZERO, vigil.api.status.OcfCode.SUCCESS, Duration.ZERO, "", "",
                        java.util.OptionalInt.empty())));
        n3Running.add("d1/monitor"); // its last words: a recurring monitor of d1 was running
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, transport,
                (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(20), "n3's report heard", () -> {
            pass(Duration.ofMillis(100));
            return true;
        });
        n3Answers.set(false); // n3 dies
        Await.until(Duration.ofSeconds(30), "d1 started elsewhere", () -> {
            pass(Duration.ofMillis(100));
            return executed.stream().anyMatch(e -> e.startsWith("d1 start n1") || e.startsWith("d1 start n2"));
        });
        assertEquals(Membership.UNCLEAN, state.get().node("n3").membership());
    }

    @Test
    void aControllerWhoseNodeWasDeclaredLostWhilePausedRejoinsInsteadOfFencingItself() {
        ClusterConfig.Builder b = ClusterConfig.builder()
                .resource(vigil.api.model.Primitive.builder("d1", "ocf:heartbeat:Dummy").build())
                // only n1 may run it, so it waits for n1 to be back
                .constraint(new vigil.api.model.Constraint.Location("d1-not-n2", "d1", "n2", vigil.api.model.Score.MINUS_INFINITY))
                .constraint(new vigil.api.model.Constraint.Location("d1-not-n3", "d1", "n3", vigil.api.model.Score.MINUS_INFINITY));
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        b.fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("n1", "/p1", "n2", "/p2", "n3", "/p3"), Duration.ZERO));
        submit(List.of(new Command.ReplaceConfig(b.build(), 0),
                // an earlier leader declared n1 lost while it was paused; n1 woke up, was never fenced, and won the election
                new Command.SetMembership("n1", Membership.UNCLEAN, Controller.SILENCE + "1200 ms"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
        submitted.clear();
        List<String> fenced = new CopyOnWriteArrayList<>();
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, transport, (config, target, action, executor) -> {
            fenced.add(target);
            return new FenceEvent(target, action, List.of("kill"), executor, true, clock.instant(), "killed");
        }, clock, clock, timer, fenceWorkers, k -> null);
        List<List<String>> stepDowns = new CopyOnWriteArrayList<>();
        controller.stepDownWith(stepDowns::add);
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(20), "n1 back online", () -> {
            pass(Duration.ofMillis(100));
            return state.get().node("n1").membership() == Membership.ONLINE;
        });
        assertTrue(fenced.isEmpty(), "fenced: " + fenced);
        assertTrue(stepDowns.isEmpty(), "stepped down: " + stepDowns);
        // and once back, its own node takes actions again (it was once barred as a fencing target)
        Await.until(Duration.ofSeconds(20), "d1 sent to n1", () -> {
            pass(Duration.ofMillis(100));
            return executed.contains("d1 start n1");
        });
    }

    @Test
    void aNewLeaderCountsThePreviousLeadersSilenceFromWhenItsNodeLastHeardIt() {
        threeOnlineNodesWithoutStonith();
        Instant elected = clock.instant();
        AtomicReference<Instant> declaredAt = new AtomicReference<>();
        n3Answers.set(false); // n3 was the leader and died 600 ms before n1 won the election
        // the agent reports on the node's monotonic time line
        Instant lastHeardN3 = Controller.monotonic(clock).instant().minusMillis(600);
        AtomicBoolean agentHearsN1 = new AtomicBoolean();
        controller = new Controller("n1", Scheduler::plan, state::get, cmds -> submitNotingWhenN3IsDeclared(cmds, declaredAt), new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
                if (node.equals("n1")) agentHearsN1.set(true);
                return transport.heartbeat(node, request);
            }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) { return transport.execute(node, request); }
        }, (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, k -> null);
        // n1's agent knows when it last heard its leader n3, until n1's own heartbeats reach it
        controller.livenessHints(n -> n.equals("n3") && !agentHearsN1.get() ? java.util.Optional.of(lastHeardN3) : java.util.Optional.empty());
        controller.onLeadership(true, 2);
        Await.until(Duration.ofSeconds(20), "n3 declared lost", () -> {
            clock.advance(Duration.ofMillis(10));
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return declaredAt.get() != null;
        });
        long afterElection = Duration.between(elected, declaredAt.get()).toMillis();
        // node-timeout (1 s) after it was last heard is 400 ms after the election; counting from the election would be 1 s
        assertTrue(afterElection < 900, "n3 declared lost " + afterElection + " ms after the election");
    }

    @Test
    void aNodeANewControllerHasNoWordOfGetsTwiceNodeTimeoutToAnswer() {
        threeOnlineNodesWithoutStonith();
        Instant elected = clock.instant();
        AtomicReference<Instant> declaredAt = new AtomicReference<>();
        n3Answers.set(false); // a host that was restarted with this one and has not answered yet (or died meanwhile)
        controller = new Controller("n1", Scheduler::plan, state::get, cmds -> submitNotingWhenN3IsDeclared(cmds, declaredAt), transport, (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(20), "n3 declared lost", () -> {
            pass(Duration.ofMillis(100));
            return declaredAt.get() != null;
        });
        long afterElection = Duration.between(elected, declaredAt.get()).toMillis();
        assertTrue(afterElection > 2000, "n3 declared lost " + afterElection + " ms after the election, before twice node-timeout");
    }

    @Test
    void aStartWhoseOutcomeIsUnknownKeepsTheResourceOffOtherNodesUntilItsNodeIsFenced() throws Exception {
        ClusterConfig.Builder b = ClusterConfig.builder()
                .resource(vigil.api.model.Primitive.builder("d1", "ocf:heartbeat:Dummy").build())
                .constraint(new vigil.api.model.Constraint.Location("d1-on-n2", "d1", "n2", vigil.api.model.Score.of(100)));
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        b.fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("n1", "/p1", "n2", "/p2", "n3", "/p3"), Duration.ZERO));
        submit(List.of(new Command.ReplaceConfig(b.build(), 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
        AtomicBoolean n2Alive = new AtomicBoolean(true);
        java.util.concurrent.CountDownLatch fenceMayFinish = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean fenceAsked = new AtomicBoolean();
        NodeTransport dyingN2 = new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
                if (node.equals("n2") && !n2Alive.get()) return new CompletableFuture<>();
                return CompletableFuture.completedFuture(new HeartbeatReply(node, request.term(), true, List.of()));
            }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) {
                executed.add(request.resource() + " " + request.action() + " " + node);
                if (node.equals("n2")) {
                    // the start reached n2, which may have run it, and then the connection and the node were gone
                    n2Alive.set(false);
                    return CompletableFuture.failedFuture(new IllegalStateException("UNAVAILABLE: Network closed for unknown reason"));
                }
                return new CompletableFuture<>(); // still running there
            }
        };
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, dyingN2, (config, target, action, executor) -> {
            fenceAsked.set(true);
            try {
                fenceMayFinish.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return new FenceEvent(target, action, List.of("kill"), executor, true, clock.instant(), "killed");
        }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(20), "n2 being fenced", () -> {
            pass(Duration.ofMillis(100));
            return fenceAsked.get();
        });
        pass(Duration.ofSeconds(2));
        assertTrue(executed.stream().noneMatch(e -> e.equals("d1 start n1") || e.equals("d1 start n3")),
                "d1 started elsewhere before n2, where its start may have run, was fenced: " + executed);
        fenceMayFinish.countDown();
        Await.until(Duration.ofSeconds(20), "d1 started on a survivor", () -> {
            pass(Duration.ofMillis(100));
            return executed.contains("d1 start n1") || executed.contains("d1 start n3");
        });
    }
}
