package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.status.ClusterState;
import vigil.testkit.ManualClock;

class NodeAgentTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Recorder ops = new Recorder();
    private NodeAgent agent;

    /** What the agent asked of the local executor, in order. */
    private static final class Recorder implements LocalOperations {
        final List<String> calls = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<Outcome> run(String resource, String action, Duration interval, String peer, Duration timeout, long term) {
            calls.add("run " + resource + " " + action);
            return new CompletableFuture<>();
        }

        @Override
        public synchronized CompletableFuture<List<Outcome>> probeAll(ClusterState state) {
            calls.add("probe");
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public synchronized CompletableFuture<List<Outcome>> quorumLost(NoQuorumPolicy policy) {
            calls.add("quorum lost " + policy.text());
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public synchronized void quorumRegained() { calls.add("quorum regained"); }

        @Override
        public List<String> inFlight() { return List.of(); }

        @Override
        public void onMonitorResult(Consumer<Outcome> listener) { }

        synchronized List<String> calls() { return List.copyOf(calls); }
    }

    private NodeAgent agent() { return agent(ClusterState.EMPTY); }

    private NodeAgent agent(ClusterState state) {
        // the quorum watch never gets the timer thread here: only heartbeats drive the agent
        timer.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return new NodeAgent("n1", ops, cmds -> CompletableFuture.completedFuture(null), () -> state, () -> 0, clock, clock, timer);
    }

    @AfterEach
    void stop() {
        release.countDown();
        timer.shutdownNow();
    }

    private long seq;

    /** One exchange with the leader n2 of {@code term}: a heartbeat, and the next one confirming its answer arrived. */
    private NodeTransport.HeartbeatReply beat(long term) {
        agent.onHeartbeat(new NodeTransport.HeartbeatRequest("n2", term, Duration.ofSeconds(1), true, false, ++seq));
        return agent.onHeartbeat(new NodeTransport.HeartbeatRequest("n2", term, Duration.ofSeconds(1), true, false, ++seq));
    }

    @Test
    void aHeartbeatWhoseAnswerNeverReachedTheControllerDoesNotExtendTheLease() {
        agent = agent();
        beat(1);
        clock.advance(Duration.ofMillis(500));
        // the controller never got the answer to this one, so it counts this node's silence from the exchange before
        agent.onHeartbeat(new NodeTransport.HeartbeatRequest("n2", 1, Duration.ofSeconds(1), true, false, false, ++seq, seq - 2,
                Duration.ofSeconds(1)));
        clock.advance(Duration.ofMillis(501));
        assertFalse(agent.hearsQuorateLeader(), "the lease ended node-timeout after the last confirmed heartbeat");
    }

    @Test
    void theLeaseNeverOutlastsTheControllersOwn() {
        agent = agent();
        // the controller's own lease (its majority's answers) runs 300 ms more when it sends these
        agent.onHeartbeat(new NodeTransport.HeartbeatRequest("n2", 1, Duration.ofSeconds(1), true, false, false, ++seq, seq - 1,
                Duration.ofMillis(300)));
        agent.onHeartbeat(new NodeTransport.HeartbeatRequest("n2", 1, Duration.ofSeconds(1), true, false, false, ++seq, seq - 1,
                Duration.ofMillis(300)));
        assertTrue(agent.hearsQuorateLeader());
        clock.advance(Duration.ofMillis(301));
        assertFalse(agent.hearsQuorateLeader(), "a deposed controller's node stops with the controller's lease");
    }

    @Test
    void aHeartbeatWithinNodeTimeoutKeepsTheResourcesRunning() {
        agent = agent();
        beat(1);
        clock.advance(Duration.ofMillis(900));
        beat(1);
        assertEquals(List.of("quorum regained", "probe"), ops.calls());
        assertTrue(agent.isReady());
    }

    @Test
    void aHeartbeatAfterASilenceLongerThanNodeTimeoutAppliesTheNoQuorumPolicyFirst() {
        agent = agent();
        beat(1);
        // the process was paused for 3 s; the first thing it hears on waking is the new leader
        clock.advance(Duration.ofSeconds(3));
        beat(2);
        assertEquals(List.of("quorum regained", "probe", "quorum lost stop", "quorum regained", "probe"), ops.calls());
    }

    @Test
    void inTwoNodeModeASilenceFreezesWhatRunsHere() {
        ClusterProperties twoNode = ClusterProperties.builder().other(Map.of(ClusterProperties.TWO_NODE, "true")).build();
        agent = agent(ClusterState.EMPTY.withConfig(ClusterConfig.builder().properties(twoNode).build(), 1));
        beat(1);
        // the peer died or the link is cut: the peer starts nothing of this host's before it powered this host off
        clock.advance(Duration.ofSeconds(3));
        beat(2);
        assertEquals(List.of("quorum regained", "probe", "quorum lost freeze", "quorum regained", "probe"), ops.calls());
    }

    @Test
    void wallClockStepsNeitherLoseNorHideTheLeader() {
        agent = agent();
        beat(1);
        clock.step(Duration.ofHours(1)); // NTP steps this node's clock an hour ahead between two heartbeats
        clock.advance(Duration.ofMillis(100));
        beat(1);
        assertEquals(List.of("quorum regained", "probe"), ops.calls(), "an hour on the wall clock is not an hour of silence");

        clock.step(Duration.ofHours(-2)); // and two hours back
        clock.advance(Duration.ofSeconds(3)); // while three real seconds pass without a heartbeat
        beat(2);
        assertEquals(List.of("quorum regained", "probe", "quorum lost stop", "quorum regained", "probe"), ops.calls(),
                "three seconds of silence are three seconds, however the wall clock moved");
    }
}
