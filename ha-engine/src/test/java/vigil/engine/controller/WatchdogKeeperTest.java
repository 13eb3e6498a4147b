package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.ConfigException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Node;
import vigil.api.spi.Watchdog;
import vigil.api.spi.WatchdogProvider;
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;
import vigil.testkit.Await;
import vigil.testkit.ManualClock;

/** The node agent with its watchdog keeper, on a manual clock, against a recording watchdog device. */
class WatchdogKeeperTest {
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration WATCHDOG = Duration.ofSeconds(3);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Device device = new Device();
    private final List<Command> committed = new CopyOnWriteArrayList<>();
    private final List<String> local = new CopyOnWriteArrayList<>();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    /** Whether the executor says this node runs nothing (it lost quorum and stopped everything). */
    private final AtomicBoolean runsNothing = new AtomicBoolean();
    private final CountDownLatch release = new CountDownLatch(1);
    private ClusterState state = stateWith(Duration.ZERO);
    private NodeAgent agent;
    private WatchdogKeeper keeper;

    /** Records what is done to the device. */
    private static final class Device implements WatchdogProvider, Watchdog {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger feeds = new AtomicInteger();
        volatile boolean present = true;
        volatile Duration timeout;

        @Override
        public Watchdog open(Path path, Duration t) {
            if (!present) throw new ConfigException("watchdog", "no watchdog device " + path, "load softdog");
            events.add("open " + t.toMillis());
            timeout = t;
            return this;
        }

        @Override
        public Duration timeout() { return timeout; }

        @Override
        public void feed() { feeds.incrementAndGet(); }

        @Override
        public void disarm() { events.add("disarm"); }

        @Override
        public void abandon() { events.add("abandon"); }
    }

    /** The executor side: records the no-quorum-policy it is asked to apply. */
    private final LocalOperations ops = new LocalOperations() {
        @Override
        public CompletableFuture<Outcome> run(String resource, String action, Duration interval, String peer, Duration timeout, long term) {
            local.add("run " + resource + " " + action);
            return new CompletableFuture<>();
        }

        @Override
        public CompletableFuture<List<Outcome>> probeAll(ClusterState s) {
            local.add("probe");
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<List<Outcome>> quorumLost(NoQuorumPolicy policy) {
            local.add("quorum lost " + policy.text());
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public void quorumRegained() { local.add("quorum regained"); }

        @Override
        public List<String> inFlight() { return List.of(); }

        @Override
        public boolean runsNothing() { return runsNothing.get(); }

        @Override
        public void onMonitorResult(Consumer<Outcome> listener) { }
    };

    private static ClusterState stateWith(Duration committedWatchdog) {
        ClusterConfig config = ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:7000"))
                .properties(ClusterProperties.builder().nodeTimeout(NODE_TIMEOUT).watchdogTimeout(WATCHDOG).build()).build();
        return ClusterState.EMPTY.withConfig(config, 1).withWatchdog("n1", committedWatchdog);
    }

    private void start() {
        // the quorum watch never gets the timer thread: only heartbeats and the keeper's own thread drive the node
        timer.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        agent = new NodeAgent("n1", ops, this::commit, () -> state, () -> 0, clock, clock, timer);
        keeper = new WatchdogKeeper("n1", Path.of("/dev/watchdog"), device, () -> state, this::commit, clock, healthy::get,
                ops::runsNothing);
        agent.watchdog(keeper);
    }

    private CompletableFuture<?> commit(List<Command> cmds) {
        committed.addAll(cmds);
        return CompletableFuture.completedFuture(null);
    }

    @AfterEach
    void stop() {
        if (keeper != null) keeper.close();
        release.countDown();
        timer.shutdownNow();
    }

    /** The term of the leader whose heartbeats {@link #pass} sends. */
    private long leaderTerm = 1;
    private long seq;

    private NodeTransport.HeartbeatReply heartbeat(boolean fenceYourself) { return heartbeat(leaderTerm, fenceYourself); }

    /** One exchange with the leader of {@code term}: a heartbeat, and the next one confirming its answer arrived. */
    private NodeTransport.HeartbeatReply heartbeat(long term, boolean fenceYourself) {
        agent.onHeartbeat(new NodeTransport.HeartbeatRequest("n2", term, NODE_TIMEOUT, true, false, ++seq));
        return agent.onHeartbeat(new NodeTransport.HeartbeatRequest("n2", term, NODE_TIMEOUT, true, fenceYourself, ++seq));
    }

    /** Time passes with a heartbeat every 100 ms (or none), giving the keeper's thread time to run. */
    private void pass(Duration d, boolean heartbeats) {
        for (long ms = 0; ms < d.toMillis(); ms += 100) {
            clock.advance(Duration.ofMillis(100));
            if (heartbeats) heartbeat(false);
            sleep(30);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private int feedsDuring(Duration d, boolean heartbeats) {
        int before = device.feeds.get();
        pass(d, heartbeats);
        sleep(60);
        return device.feeds.get() - before;
    }

    @Test
    void armedAtTheFirstQuorateHeartbeat_fedWhileALeaderIsHeard_advertisedAndCommitted() {
        start();
        assertEquals(NodeTransport.WatchdogReport.NONE, keeper.report(), "not armed before the node heard a quorate leader");
        NodeTransport.HeartbeatReply reply = heartbeat(false);
        assertEquals(List.of("open 3000"), device.events);
        assertEquals(NodeTransport.WatchdogReport.armed(WATCHDOG), reply.watchdog());
        assertTrue(committed.contains(new Command.SetWatchdog("n1", WATCHDOG)), "committed: " + committed);
        assertTrue(feedsDuring(Duration.ofSeconds(2), true) >= 5, "fed while heartbeats come");
    }

    @Test
    void notFedWhileNoLeaderIsHeard_norWhileTheEngineIsUnhealthy_andFedAgainBeforeNodeTimeout() {
        start();
        heartbeat(false);
        pass(Duration.ofMillis(800), false); // past three quarters of node-timeout without a heartbeat
        assertEquals(0, feedsDuring(Duration.ofMillis(100), false), "not fed with no leader heard for 900 ms");
        assertTrue(feedsDuring(Duration.ofSeconds(1), true) >= 2, "a heartbeat before node-timeout: fed again");
        healthy.set(false);
        sleep(60);
        assertEquals(0, feedsDuring(Duration.ofSeconds(1), true), "not fed while the engine is unhealthy");
        healthy.set(true);
        assertTrue(feedsDuring(Duration.ofSeconds(1), true) >= 2);
    }

    @Test
    void losingTheClusterStopsFeeding_theLeaderOfThatTermNeverFeedsItAgain_theNodeTakesNoFurtherPart() {
        start();
        heartbeat(false);
        pass(Duration.ofSeconds(1), true);
        clock.advance(Duration.ofMillis(1500)); // the process was paused past node-timeout: that controller may count it lost
        NodeTransport.HeartbeatReply reply = heartbeat(false);
        // still advertised armed: the controller counts node-timeout + watchdog-timeout from this node's last reply
        assertEquals(NodeTransport.WatchdogReport.armed(WATCHDOG), reply.watchdog());
        assertTrue(local.contains("quorum lost stop"), "stops what it runs: " + local);
        local.clear();
        assertEquals(0, feedsDuring(Duration.ofSeconds(2), true), "never fed again by a leader of the term it lost");
        assertFalse(reply.ready() || agent.isReady(), "takes no actions");
        assertEquals(List.of(), local, "no probe, no quorum regained: " + local);
        assertEquals(0, feedsDuring(Duration.ofMillis(500), false));
        heartbeat(2, false);
        assertEquals(0, feedsDuring(Duration.ofMillis(500), true), "nor by a newer leader once its watchdog has fired");
        assertTrue(heartbeat(2, false).watchdog().resetting(), "then it says it resets");
    }

    @Test
    void anElectionLongerThanNodeTimeout_theNewLeaderFeedsItAgainBeforeItsWatchdogFires() {
        start();
        heartbeat(1, false);
        pass(Duration.ofSeconds(1), true);
        // the leader of term 1 dies; its successor is elected only 2 s later (within the watchdog's 3 s, past node-timeout)
        pass(Duration.ofMillis(800), false);
        assertEquals(0, feedsDuring(Duration.ofMillis(1200), false), "not fed while no leader is heard");
        leaderTerm = 2;
        NodeTransport.HeartbeatReply reply = heartbeat(false);
        assertTrue(local.contains("quorum lost stop"), "the no-quorum-policy applied first: " + local);
        assertEquals(NodeTransport.WatchdogReport.armed(WATCHDOG), reply.watchdog());
        assertTrue(feedsDuring(Duration.ofSeconds(2), true) >= 5, "fed again while the new leader is heard");
        Await.until(Duration.ofSeconds(10), "probed again and ready", () -> agent.isReady());
        assertTrue(local.contains("quorum regained"), local.toString());
        // and asked by that controller to fence itself, it stops for good
        assertTrue(heartbeat(2, true).watchdog().resetting());
        assertEquals(0, feedsDuring(Duration.ofSeconds(1), true));
        leaderTerm = 3;
        assertTrue(heartbeat(false).watchdog().resetting(), "no later leader feeds it again");
        assertEquals(0, feedsDuring(Duration.ofMillis(500), true));
    }

    @Test
    void aNodeThatLostTheClusterAndRunsNothing_staysFed_andTakesPartAgainWithTheLeaderOfTheSameTerm() {
        start();
        heartbeat(false);
        pass(Duration.ofSeconds(1), true);
        clock.advance(Duration.ofMillis(1500)); // paused past node-timeout: it loses the cluster
        heartbeat(false);
        assertTrue(local.contains("quorum lost stop"), local.toString());
        assertEquals(0, feedsDuring(Duration.ofMillis(500), false), "not fed while what ran here is being stopped");
        runsNothing.set(true); // the stops are done: the executor refuses every start and nothing runs here
        assertTrue(feedsDuring(Duration.ofSeconds(5), false) >= 5, "fed with no leader, past the watchdog's timeout");
        local.clear();
        NodeTransport.HeartbeatReply reply = heartbeat(false);
        assertEquals(NodeTransport.WatchdogReport.armed(WATCHDOG), reply.watchdog());
        assertTrue(local.contains("quorum regained") && local.contains("probe"), "takes part again: " + local);
        runsNothing.set(false);
        assertTrue(feedsDuring(Duration.ofSeconds(2), true) >= 5, "fed while the leader is heard");
    }

    @Test
    void aNodeThatStopsEverythingOnlyAfterItsWatchdogsTimeout_isNotFedAgain() {
        start();
        heartbeat(false);
        pass(Duration.ofSeconds(1), true);
        clock.advance(Duration.ofMillis(1500));
        heartbeat(false);
        assertEquals(0, feedsDuring(Duration.ofMillis(3000), false), "the stops hang past the watchdog's timeout");
        runsNothing.set(true);
        assertEquals(0, feedsDuring(Duration.ofSeconds(1), false), "its watchdog has fired: it resets");
        assertTrue(heartbeat(false).watchdog().resetting());
    }

    @Test
    void askedToFenceItself_itStopsFeedingAndStopsItsResources() {
        start();
        heartbeat(false);
        pass(Duration.ofMillis(500), true);
        NodeTransport.HeartbeatReply reply = heartbeat(true);
        assertTrue(reply.watchdog().resetting(), reply.watchdog().toString());
        assertTrue(local.contains("quorum lost stop"), local.toString());
        assertEquals(0, feedsDuring(Duration.ofSeconds(1), true));
    }

    @Test
    void withoutItsDeviceTheNodeAdvertisesNoWatchdog_andWithdrawsOneAnEarlierRunCommitted() {
        device.present = false;
        state = stateWith(WATCHDOG); // an earlier run of this node had armed one
        start();
        NodeTransport.HeartbeatReply reply = heartbeat(false);
        assertEquals(NodeTransport.WatchdogReport.NONE, reply.watchdog());
        Await.until(Duration.ofSeconds(10), "probe committed", () -> agent.isReady());
        assertTrue(committed.contains(new Command.SetWatchdog("n1", Duration.ZERO)), "committed: " + committed);
        // and losing the cluster then resets nothing: the node just stops its resources, as without a watchdog
        clock.advance(Duration.ofMillis(1500));
        assertEquals(NodeTransport.WatchdogReport.NONE, heartbeat(false).watchdog());
    }

    @Test
    void closedItIsDisarmedOnlyWhenNothingRunsHere() {
        start();
        heartbeat(false);
        keeper.close(false);
        assertEquals(List.of("open 3000", "abandon"), device.events);
        device.events.clear();
        keeper = new WatchdogKeeper("n1", Path.of("/dev/watchdog"), device, () -> state, this::commit, clock, healthy::get,
                ops::runsNothing);
        keeper.heard(1);
        keeper.close(true);
        assertEquals(List.of("open 3000", "disarm"), device.events);
    }
}
