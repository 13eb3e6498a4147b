package vigil.engine.controller;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.status.ClusterState;
import vigil.api.status.OcfCode;

/** What a node agent needs from the node's executor. */
public interface LocalOperations {

    /**
     * Runs one operation here; completes (never exceptionally) with its outcome, which is {@link OcfCode#EXEC_ERROR}
     * when the executor refused or cancelled it without running it (nothing to record then).
     */
    CompletableFuture<Outcome> run(String resource, String action, Duration interval, String peer, Duration timeout, long term);

    /** Probes (monitor, interval 0) every configured primitive here. */
    CompletableFuture<List<Outcome>> probeAll(ClusterState state);

    /**
     * This node heard from no leader for node-timeout: apply {@code policy} (stop or demote what runs here, or leave it)
     * and refuse anything that would activate a resource until {@link #quorumRegained()}.
     */
    CompletableFuture<List<Outcome>> quorumLost(NoQuorumPolicy policy);

    void quorumRegained();

    /**
     * Whether this node provably runs nothing and starts nothing until {@link #quorumRegained()}: it lost quorum and
     * refuses every activation, no operation is queued or running, and every resource it probed or acted on is known
     * stopped here. Its watchdog need not reset it then (see {@link WatchdogKeeper}). False when in doubt.
     */
    default boolean runsNothing() { return false; }

    /** Operations running now, as {@code resource/action}. */
    List<String> inFlight();

    /** Receives the results of recurring monitors that found a change (failure, or a role change). */
    void onMonitorResult(Consumer<Outcome> listener);

    record Outcome(String resource, String action, Duration interval, OcfCode code, String message, Duration took, String peer,
                   OptionalInt promotionScore) {
        public Outcome {
            interval = interval == null ? Duration.ZERO : interval;
            message = message == null ? "" : message;
            took = took == null ? Duration.ZERO : took;
            peer = peer == null ? "" : peer;
            promotionScore = promotionScore == null ? OptionalInt.empty() : promotionScore;
        }
    }
}
