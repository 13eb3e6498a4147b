package vigil.engine.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.spi.NodeFencer;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.testkit.ManualClock;

/**
 * A controller against the real scheduler and state transitions, on a {@link ManualClock} (wall and monotonic), with
 * nodes n1 (the controller's own), n2 and n3 answering through a direct transport as each test scripts them. Commands
 * apply at once, stamped with the wall clock of the test (the cluster's time is tested in {@link ClusterClockTest}),
 * or as Raft stamps them ({@link #stampedByController}).
 */
final class ControllerHarness implements AutoCloseable {
    final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    final AtomicReference<ClusterState> state = new AtomicReference<>(ClusterState.EMPTY);
    final List<Command> submitted = new CopyOnWriteArrayList<>();
    /** A submitted command and the monotonic time (ms) of its submission. */
    record Submitted(Command command, long monoMillis) {}

    final List<Submitted> submittedAt = new CopyOnWriteArrayList<>();
    final List<NodeTransport.HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
    final List<String> executed = new CopyOnWriteArrayList<>();
    /** Nodes that do not answer (dead, paused or cut off). */
    final java.util.Set<String> silent = ConcurrentHashMap.newKeySet();
    /** The monotonic time (ms) of each node's last answered heartbeat. */
    final Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    /** What each node's replies say about its watchdog (absent: none). */
    final Map<String, NodeTransport.WatchdogReport> watchdogs = new ConcurrentHashMap<>();
    /** How far each node's wall clock is off (absent: not at all). */
    final Map<String, Duration> clockOffsets = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService fenceWorkers = Executors.newSingleThreadExecutor();
    Controller controller;

    /** n1, n2 and n3 online with {@code config}'s properties, resources and devices. */
    void threeOnlineNodes(ClusterConfig config) {
        ClusterConfig.Builder b = config.toBuilder();
        for (int i = 1; i <= 3; i++) b.node(new Node("n" + i, "127.0.0." + i + ":7000", NodeRole.MEMBER, Map.of()));
        submit(List.of(new Command.ReplaceConfig(b.build(), -1), new Command.SetMembership("n1", Membership.ONLINE, "joined"),
                new Command.SetMembership("n2", Membership.ONLINE, "joined"), new Command.SetMembership("n3", Membership.ONLINE, "joined")));
    }

    /** Entries are stamped as Raft stamps them, with the controller's cluster time (else the state's own), not the test's clock. */
    volatile boolean stampedByController;

    synchronized CompletableFuture<?> submit(List<Command> cmds) {
        for (Command c : cmds) {
            submitted.add(c);
            submittedAt.add(new Submitted(c, monoMillis()));
            Instant at = !stampedByController ? clock.instant()
                    : (controller == null ? java.util.Optional.<Instant>empty() : controller.clusterTime()).orElse(state.get().now());
            state.set(StateTransitions.apply(state.get(), c, at));
        }
        if (controller != null) controller.onStateChanged();
        return CompletableFuture.completedFuture(null);
    }

    final NodeTransport transport = new NodeTransport() {
        @Override
        public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
            heartbeats.add(request);
            if (silent.contains(node)) return new CompletableFuture<>(); // never answers
            answeredAt.put(node, monoMillis());
            Instant wall = clock.instant().plus(clockOffsets.getOrDefault(node, Duration.ZERO));
            return CompletableFuture.completedFuture(new HeartbeatReply(node, request.term(), true, List.of(), wall,
                    watchdogs.getOrDefault(node, WatchdogReport.NONE)));
        }

        @Override
        public CompletableFuture<ActionReply> execute(String node, ActionRequest request) {
            executed.add(request.resource() + " " + request.action() + " " + node);
            return CompletableFuture.completedFuture(ActionReply.rejected("no resources in this test"));
        }
    };

    /** Starts the controller on n1 as leader of term 1. */
    Controller start(NodeFencer fencer) { return start(fencer, transport); }

    /** Starts the controller on n1 as leader of term 1, reaching the nodes through {@code via}. */
    Controller start(NodeFencer fencer, NodeTransport via) {
        controller = new Controller("n1", Scheduler::plan, state::get, this::submit, via, fencer, clock, clock, timer, fenceWorkers, k -> null);
        controller.onLeadership(true, 1);
        return controller;
    }

    /** A fencer for clusters without a fence device: every attempt fails, as the topology fencer's would. */
    static NodeFencer noDevice() {
        return (config, target, action, executor) -> new FenceEvent(target, action, List.of(), executor, false, Instant.EPOCH,
                "no fence device can fence " + target);
    }

    /** Lets the controller run while {@code d} passes (both clocks), in 20 ms steps. */
    void pass(Duration d) {
        for (long ms = 0; ms < d.toMillis(); ms += 20) {
            clock.advance(Duration.ofMillis(20));
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Monotonic milliseconds of the test clock. */
    long monoMillis() { return Duration.ofNanos(clock.read()).toMillis(); }

    List<FenceEvent> fences(String node) {
        return submitted.stream().filter(c -> c instanceof Command.RecordFence f && f.event().target().equals(node))
                .map(c -> ((Command.RecordFence) c).event()).toList();
    }

    boolean declared(String node) {
        return submitted.stream().anyMatch(c -> c instanceof Command.SetMembership m && m.node().equals(node) && m.membership() == Membership.UNCLEAN);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        fenceWorkers.shutdownNow();
    }
}
