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
    void aNewLeaderWaitsOutThePreviousControllersLeaseBeforeCountingItsNodeLost() {
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
        // node-timeout (1 s) after it was last heard here is 400 ms after the election; but n3's controller may have kept
        // its lease (answers of the third node) until up to node-timeout after this election, and its own agent with it.
        // Without word of n3 at all it would be twice node-timeout.
        assertTrue(afterElection >= 1100 && afterElection < 1900, "n3 declared lost " + afterElection + " ms after the election");
    }

    @Test
    void aNodeANewControllerHasNoWordOfGetsTwiceNodeTimeoutToAnswer() {
        threeOnlineNodesWithoutStonith();
        AtomicReference<Instant> declaredAt = new AtomicReference<>();
        n3Answers.set(false); // a host that was restarted with this one and has not answered yet (or died meanwhile)
        controller = new Controller("n1", Scheduler::plan, state::get, cmds -> submitNotingWhenN3IsDeclared(cmds, declaredAt), transport, (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, k -> null);
        clock.advance(Duration.ofMinutes(1)); // this node has run for a while: not a cold start of the cluster
        Instant elected = clock.instant();
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

    @Test
    void aNodeThatAnnouncedItsStopIsMarkedOfflineOnceDrained_neverFenced_andRejoinsWhenItComesBack() {
        ClusterConfig.Builder b = ClusterConfig.builder();
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        b.fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("n1", "/p1", "n2", "/p2", "n3", "/p3"), Duration.ZERO));
        submit(List.of(new Command.ReplaceConfig(b.build(), 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
        AtomicBoolean n3Leaving = new AtomicBoolean();
        List<Boolean> stopAsked = new CopyOnWriteArrayList<>();
        List<String> fenced = new CopyOnWriteArrayList<>();
        NodeTransport leavingN3 = new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
                if (node.equals("n3")) stopAsked.add(request.stop());
                if (node.equals("n3") && !n3Answers.get()) return new CompletableFuture<>();
                return CompletableFuture.completedFuture(new HeartbeatReply(node, request.term(), true, List.of(), node.equals("n3") && n3Leaving.get()));
            }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) { return transport.execute(node, request); }
        };
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, leavingN3, (config, target, action, executor) -> {
            fenced.add(target);
            return new FenceEvent(target, action, List.of("kill"), executor, true, clock.instant(), "killed");
        }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        pass(Duration.ofMillis(500));

        // an administrator asks n3 to stop: the controller tells n3 so in its heartbeats, until n3 says it is leaving
        submit(List.of(new Command.RequestShutdown("n3")));
        Await.until(Duration.ofSeconds(20), "n3 asked to stop", () -> {
            pass(Duration.ofMillis(100));
            return stopAsked.contains(true);
        });
        assertEquals(Membership.ONLINE, state.get().node("n3").membership(), "not offline before it says it is leaving");
        n3Leaving.set(true);
        Await.until(Duration.ofSeconds(20), "n3 offline", () -> {
            pass(Duration.ofMillis(100));
            return state.get().node("n3").membership() == Membership.OFFLINE;
        });
        assertEquals(Controller.SHUT_DOWN, state.get().node("n3").reason());
        // its process ends: silence well beyond node-timeout does not make it a lost node
        n3Answers.set(false);
        pass(Duration.ofSeconds(4));
        assertTrue(fenced.isEmpty(), "fenced: " + fenced);
        assertEquals(Membership.OFFLINE, state.get().node("n3").membership());
        assertTrue(submitted.stream().noneMatch(c -> c instanceof Command.SetMembership m && m.membership() == Membership.UNCLEAN), submitted.toString());

        // started again: a new process answers and is not leaving; it joins, which ends its shutdown
        n3Leaving.set(false);
        n3Answers.set(true);
        Await.until(Duration.ofSeconds(20), "n3 joined again", () -> {
            pass(Duration.ofMillis(100));
            return state.get().node("n3").membership() == Membership.ONLINE;
        });
        assertTrue(!state.get().node("n3").shutdown());
        assertTrue(fenced.isEmpty(), "fenced: " + fenced);
    }

    @Test
    void aNodeThatAnnouncedItsStop_isShuttingDown_whatRunsThereMovesAway() {
        ClusterConfig.Builder b = ClusterConfig.builder().properties(vigil.api.model.ClusterProperties.builder().stonithEnabled(false).build());
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        b.resource(vigil.api.model.Primitive.builder("d1", "ocf:heartbeat:Dummy").build());
        ClusterState s = ClusterState.EMPTY;
        for (Command c : List.of(new Command.ReplaceConfig(b.build(), 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined"),
                new Command.RecordOperation("d1", "n1", "start", Duration.ZERO, vigil.api.status.OcfCode.SUCCESS, Duration.ofMillis(20), "", "",
                        java.util.OptionalInt.empty()),
                new Command.RequestShutdown("n1"))) {
            s = StateTransitions.apply(s, c, clock.instant());
        }
        assertTrue(s.node("n1").shutdown() && s.activeNodes("d1").equals(List.of("n1")));
        // the controller's own node is the one stopping: nothing may keep d1 there
        vigil.engine.scheduler.Transition t = Scheduler.plan(s);
        List<vigil.engine.scheduler.PlannedAction> plan = t.actions();
        assertTrue(plan.stream().anyMatch(a -> a.kind() == vigil.engine.scheduler.ActionKind.STOP && a.resource().equals("d1") && a.node().equals("n1")), plan.toString());
        assertTrue(plan.stream().anyMatch(a -> a.kind() == vigil.engine.scheduler.ActionKind.START && a.resource().equals("d1") && !a.node().equals("n1")),
                plan.toString());
        // with the other nodes in standby d1 stops, and each node's own reason is given
        ClusterState nowhere = s.withNode(s.node("n2").withStandby(true)).withNode(s.node("n3").withStandby(true));
        assertEquals("n1: node is shutting down; n2: node is in standby; n3: node is in standby", Scheduler.plan(nowhere).notPlaced().get("d1"));
    }

    @Test
    void nodesRemovedFromTheConfigAndAddedBack_areNotDeclaredLostForTheTimeTheyWereNotHeartbeated() {
        ClusterConfig.Builder b = ClusterConfig.builder();
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        b.fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("n1", "/p1", "n2", "/p2", "n3", "/p3"), Duration.ZERO));
        ClusterConfig full = b.build();
        submit(List.of(new Command.ReplaceConfig(full, 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
        List<String> fenced = new CopyOnWriteArrayList<>();
        // n3 answers slowly: each reply arrives with the next round of heartbeats (on the test's clock), as on a loaded host
        List<Runnable> late = new CopyOnWriteArrayList<>();
        NodeTransport slowN3 = new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
                HeartbeatReply r = new HeartbeatReply(node, request.term(), true, List.of());
                if (!node.equals("n3")) return CompletableFuture.completedFuture(r);
                List<Runnable> due = List.copyOf(late);
                late.removeAll(due);
                due.forEach(Runnable::run);
                CompletableFuture<HeartbeatReply> f = new CompletableFuture<>();
                late.add(() -> f.complete(r));
                return f;
            }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) { return transport.execute(node, request); }
        };
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, slowN3, (config, target, action, executor) -> {
            fenced.add(target);
            return new FenceEvent(target, action, List.of("kill"), executor, true, clock.instant(), "killed");
        }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        pass(Duration.ofSeconds(1));
        // a configuration without nodes is applied (a file with only resources, applied whole), then the full one again
        submit(List.of(new Command.ReplaceConfig(new ClusterConfig(List.of(), List.of(), List.of(), full.properties(), List.of(), List.of(), Map.of()), -1)));
        pass(Duration.ofSeconds(3));
        submit(List.of(new Command.ReplaceConfig(full, -1)));
        pass(Duration.ofSeconds(3));
        assertTrue(fenced.isEmpty(), "fenced: " + fenced);
        assertTrue(submitted.stream().noneMatch(c -> c instanceof Command.SetMembership m && m.membership() == Membership.UNCLEAN),
                "declared lost: " + submitted);
    }

    @Test
    void aResourceWhoseDriverCannotDescribeItself_doesNotHoldBackTheOthers() {
        threeOnlineNodesWithoutStonith();
        submit(List.of(new Command.PutResource(vigil.api.model.Primitive.builder("x", "ocf:heartbeat:NoSuchAgent").build()),
                new Command.PutResource(vigil.api.model.Primitive.builder("d1", "ocf:heartbeat:Dummy").build())));
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, transport,
                (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, key -> {
                    if (key.startsWith("ocf:heartbeat:NoSuchAgent/")) throw new vigil.api.VigilException("ocf:heartbeat:NoSuchAgent: agent not found");
                    return null;
                });
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(20), "d1 and x sent to a node", () -> {
            pass(Duration.ofMillis(100));
            return executed.stream().anyMatch(e -> e.startsWith("d1 start")) && executed.stream().anyMatch(e -> e.startsWith("x start"));
        });
    }

    @Test
    void cleanup_reprobesTheResourceOnTheNodesItCleaned() {
        threeOnlineNodesWithoutStonith();
        submit(List.of(new Command.PutResource(vigil.api.model.Primitive.builder("d1", "ocf:heartbeat:Dummy").build()),
                new Command.RecordOperation("d1", "n2", "start", Duration.ZERO, vigil.api.status.OcfCode.ERR_GENERIC, Duration.ZERO, "boom", "",
                        java.util.OptionalInt.empty()),
                new Command.RecordOperation("d1", "n2", "stop", Duration.ZERO, vigil.api.status.OcfCode.SUCCESS, Duration.ZERO, "", "",
                        java.util.OptionalInt.empty())));
        // the nodes answer probes as agents do (nothing runs in this test), and refuse everything else
        NodeTransport probed = new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) { return transport.heartbeat(node, request); }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) {
                executed.add(request.resource() + " " + request.action() + " " + node);
                if (!request.action().equals("monitor")) return CompletableFuture.completedFuture(ActionReply.rejected("no resources in this test"));
                submit(List.of(new Command.RecordOperation(request.resource(), node, "monitor", Duration.ZERO, vigil.api.status.OcfCode.NOT_RUNNING,
                        Duration.ZERO, "", "", java.util.OptionalInt.empty())));
                return CompletableFuture.completedFuture(new ActionReply(true, "", vigil.api.status.OcfCode.NOT_RUNNING, ""));
            }
        };
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, probed,
                (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        pass(Duration.ofMillis(500));
        submit(List.of(new Command.Cleanup("d1", "n2")));
        Await.until(Duration.ofSeconds(20), "d1 probed on n2", () -> {
            pass(Duration.ofMillis(100));
            return executed.contains("d1 monitor n2");
        });
    }

    @Test
    void onAColdStart_aNodeStillStartingGetsTheStartupGraceBeforeItIsDeclaredLost() {
        ClusterConfig.Builder b = ClusterConfig.builder().properties(vigil.api.model.ClusterProperties.builder().stonithEnabled(false)
                .other(Map.of("startup-grace", "5s")).build());
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        // the state from before every node stopped says all three were online; n1 and n2 are up again, n3 still starts
        submit(List.of(new Command.ReplaceConfig(b.build(), 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
        Instant started = clock.instant();
        AtomicReference<Instant> declaredAt = new AtomicReference<>();
        n3Answers.set(false);
        controller = new Controller("n1", Scheduler::plan, state::get, cmds -> submitNotingWhenN3IsDeclared(cmds, declaredAt), transport,
                (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(30), "n3 declared lost once the grace is over", () -> {
            pass(Duration.ofMillis(100));
            return declaredAt.get() != null;
        });
        long afterStart = Duration.between(started, declaredAt.get()).toMillis();
        assertTrue(afterStart >= 5000, "n3 declared lost " + afterStart + " ms after the cluster started, within its startup grace");
    }

    @Test
    void aTwoNodeHostRunningAlone_declaresItsConfirmedOffPeerLostWithoutTheStartupGrace() {
        ClusterConfig c = ClusterConfig.builder().properties(vigil.api.model.ClusterProperties.builder().stonithEnabled(false)
                .other(Map.of("startup-grace", "20s")).build())
                .node(new Node("n1", "127.0.0.1:7000", NodeRole.MEMBER, Map.of()))
                .node(new Node("n3", "127.0.0.3:7000", NodeRole.MEMBER, Map.of())).build();
        // the state from before n1 fenced n3 and started again as the only voter: both were online
        submit(List.of(new Command.ReplaceConfig(c, 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n3", Membership.ONLINE, "joined")));
        Instant started = clock.instant();
        AtomicReference<Instant> declaredAt = new AtomicReference<>();
        n3Answers.set(false);
        controller = new Controller("n1", Scheduler::plan, state::get, cmds -> submitNotingWhenN3IsDeclared(cmds, declaredAt), transport,
                (config, target, action, executor) -> { throw new AssertionError("stonith is off"); }, clock, clock, timer, fenceWorkers, k -> null);
        controller.leaseVoters(s -> List.of("n1"));
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(30), "n3 declared lost", () -> {
            pass(Duration.ofMillis(100));
            return declaredAt.get() != null;
        });
        long afterStart = Duration.between(started, declaredAt.get()).toMillis();
        Duration nodeTimeout = c.properties().nodeTimeout();
        assertTrue(afterStart >= nodeTimeout.toMillis() && afterStart < 2 * nodeTimeout.toMillis(),
                "n3 (no voter: confirmed off) declared lost " + afterStart + " ms after the start, node-timeout " + nodeTimeout.toMillis() + " ms");
    }

    /**
     * The state a two-node host n1 starts from as the only voter, after its guard fenced its silent peer n3 (no commit was
     * possible then): both online, d1 running on n3, a device that fences n3. The controller counts the fences it asks
     * for in {@code fenced}.
     */
    private Controller twoNodeHostAloneAfterFencingItsPeer(List<String> fenced) {
        ClusterConfig c = ClusterConfig.builder()
                .node(new Node("n1", "127.0.0.1:7000", NodeRole.MEMBER, Map.of()))
                .node(new Node("n3", "127.0.0.3:7000", NodeRole.MEMBER, Map.of()))
                .resource(vigil.api.model.Primitive.builder("d1", "ocf:heartbeat:Dummy").build())
                .fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("n1", "/p1", "n3", "/p3"), Duration.ZERO)).build();
        submit(List.of(new Command.ReplaceConfig(c, 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n3", Membership.ONLINE, "joined"),
                new Command.RecordOperation("d1", "n3", "start", Duration.ZERO, vigil.api.status.OcfCode.SUCCESS, Duration.ZERO, "", "",
                        java.util.OptionalInt.empty())));
        submitted.clear();
        Controller ctl = new Controller("n1", Scheduler::plan, state::get, this::submit, transport, (config, target, action, executor) -> {
            fenced.add(target);
            return new FenceEvent(target, action, List.of("kill"), executor, true, clock.instant(), "killed");
        }, clock, clock, timer, fenceWorkers, k -> null);
        ctl.leaseVoters(s -> List.of("n1"));
        return ctl;
    }

    private static FenceEvent guardsFenceOfN3() {
        return new FenceEvent("n3", "off", List.of("kill"), "n1", true, Instant.EPOCH, "n3 is off");
    }

    @Test
    void aTwoNodeHostRunningAlone_countsTheFenceItsGuardConfirmed_andRecoversWithoutFencingItsPeerAgain() {
        List<String> fenced = new CopyOnWriteArrayList<>();
        controller = twoNodeHostAloneAfterFencingItsPeer(fenced);
        n3Answers.set(false);
        controller.fenceConfirmedOutside(guardsFenceOfN3(), clock.read());
        pass(Duration.ofMillis(20));
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(30), "d1 started on n1", () -> {
            pass(Duration.ofMillis(100));
            return executed.contains("d1 start n1");
        });
        assertEquals(List.of(), fenced, "n3 was fenced again");
        assertTrue(submitted.stream().noneMatch(cmd -> cmd instanceof Command.SetMembership m && m.node().equals("n3")),
                "n3 declared lost although it is confirmed off: " + submitted);
        assertEquals(1, state.get().fenceHistory().size());
        FenceEvent recorded = state.get().fenceHistory().get(0);
        assertTrue(recorded.success() && recorded.target().equals("n3") && recorded.executor().equals("n1"), recorded.toString());
        assertEquals(Membership.OFFLINE, state.get().node("n3").membership());
    }

    @Test
    void aFenceConfirmedBeforeItsTargetLastAnswered_doesNotCount_theTargetIsFencedAgainOnceLost() {
        List<String> fenced = new CopyOnWriteArrayList<>();
        controller = twoNodeHostAloneAfterFencingItsPeer(fenced);
        long confirmedAt = clock.read();
        pass(Duration.ofMillis(20));
        // n3 answers this controller, after the confirmation (it came back), before the controller could commit that fence
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(10), "the controller acting", () -> {
            pass(Duration.ofMillis(20));
            return submitted.stream().anyMatch(cmd -> cmd instanceof Command.LeaderElected);
        });
        pass(Duration.ofMillis(300));
        controller.fenceConfirmedOutside(guardsFenceOfN3(), confirmedAt);
        pass(Duration.ofMillis(300));
        assertTrue(state.get().fenceHistory().isEmpty(), "a fence older than n3's last answer was recorded: " + state.get().fenceHistory());
        assertTrue(!executed.contains("d1 start n1"), "d1 started on n1 while n3 answers: " + executed);
        // n3 falls silent: declared lost and fenced through its device before d1 starts on n1
        n3Answers.set(false);
        Await.until(Duration.ofSeconds(30), "d1 started on n1", () -> {
            pass(Duration.ofMillis(100));
            return executed.contains("d1 start n1");
        });
        assertEquals(List.of("n3"), fenced);
    }

    @Test
    void everyFenceDeviceIsCheckedFromANodeItDoesNotFence_andAFailedCheckIsRecorded() {
        ClusterConfig.Builder b = ClusterConfig.builder().properties(vigil.api.model.ClusterProperties.builder()
                .other(Map.of("fence-monitor-interval", "5s")).build());
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        b.fenceDevice(new FenceDevice("ipmi-n1", "ipmi", Map.of("password", "wrong"), List.of("n1"), Map.of(), Duration.ZERO));
        b.fenceDevice(new FenceDevice("ipmi-n2", "ipmi", Map.of("password", "right"), List.of("n2"), Map.of(), Duration.ZERO));
        submit(List.of(new Command.ReplaceConfig(b.build(), 0), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
        List<String> checkedRemotely = new CopyOnWriteArrayList<>();
        List<String> checkedHere = new CopyOnWriteArrayList<>();
        NodeTransport checking = new NodeTransport() {
            @Override
            public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) { return transport.heartbeat(node, request); }

            @Override
            public CompletableFuture<ActionReply> execute(String node, ActionRequest request) { return transport.execute(node, request); }

            @Override
            public CompletableFuture<vigil.api.spi.FenceResult> checkFenceDevice(String node, FenceCheckRequest request) {
                checkedRemotely.add(request.device() + " from " + node);
                return CompletableFuture.completedFuture(new vigil.api.spi.FenceResult.Failed(request.device() + ": monitor failed: wrong password"));
            }
        };
        vigil.api.spi.NodeFencer fencer = new vigil.api.spi.NodeFencer() {
            @Override
            public FenceEvent fence(ClusterConfig config, String target, String action, String executorNode) { throw new AssertionError("nobody is fenced"); }

            @Override
            public vigil.api.spi.FenceResult check(ClusterConfig config, String device) {
                checkedHere.add(device);
                return new vigil.api.spi.FenceResult.On(device + ": BMC answers, power on");
            }
        };
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, checking, fencer, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        Await.until(Duration.ofSeconds(20), "both devices checked and recorded", () -> {
            pass(Duration.ofMillis(100));
            return state.get().fenceDevices().size() == 2;
        });
        // ipmi-n1 fences the controller's own node: another node checks it; ipmi-n2 is checked here
        assertEquals(List.of("ipmi-n2"), checkedHere.stream().distinct().toList());
        assertTrue(checkedRemotely.get(0).equals("ipmi-n1 from n2") || checkedRemotely.get(0).equals("ipmi-n1 from n3"), checkedRemotely.toString());
        vigil.api.status.FenceDeviceStatus bad = state.get().fenceDevices().get("ipmi-n1");
        assertTrue(!bad.ok() && bad.detail().contains("wrong password") && !bad.checkedFrom().equals("n1"), bad.toString());
        assertTrue(state.get().fenceDevices().get("ipmi-n2").ok());
        // checked again every interval, recorded only when the answer changes
        int commits = (int) submitted.stream().filter(c -> c instanceof Command.RecordFenceDeviceCheck).count();
        pass(Duration.ofSeconds(6));
        assertTrue(checkedHere.size() >= 2, "ipmi-n2 checked again: " + checkedHere);
        assertEquals(commits, submitted.stream().filter(c -> c instanceof Command.RecordFenceDeviceCheck).count());
    }
}
