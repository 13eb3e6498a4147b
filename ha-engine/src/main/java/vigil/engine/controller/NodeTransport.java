package vigil.engine.controller;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import vigil.api.status.OcfCode;

/** How the controller reaches the node agents (gRPC between processes; direct calls in tests). */
public interface NodeTransport {

    CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request);

    /** Runs an action on {@code node}; completes after the node committed the result. */
    CompletableFuture<ActionReply> execute(String node, ActionRequest request);

    /**
     * The leader's periodic message: it proves the leader is alive and carries its term. {@code leaseValid} is false
     * while the leader has not heard from a majority within node-timeout and was not elected by one within the last
     * half node-timeout (e.g. woken from a pause): such a heartbeat does not count as leader contact, so a deposed
     * leader cannot keep its own node's resources running.
     */
    record HeartbeatRequest(String leader, long term, Duration nodeTimeout, boolean leaseValid) {
        public HeartbeatRequest { Objects.requireNonNull(leader, "leader"); }
    }

    /**
     * @param newestTerm the newest term the node has seen; larger than the sender's means the sender is deposed
     * @param ready      the node has probed every configured resource since it (re)gained contact with a leader
     * @param inFlight   operations running there now, as {@code resource/action}
     * @param degraded   empty while the node's Raft replica keeps up, else why not and what to do
     */
    record HeartbeatReply(String node, long newestTerm, boolean ready, List<String> inFlight, String degraded) {
        public HeartbeatReply {
            inFlight = List.copyOf(inFlight);
            degraded = degraded == null ? "" : degraded;
        }

        public HeartbeatReply(String node, long newestTerm, boolean ready, List<String> inFlight) { this(node, newestTerm, ready, inFlight, ""); }
    }

    /**
     * One resource operation, stamped with the leader's term (an executor drops older terms) and the config version
     * the leader planned it from (the node waits until it has applied that version, so it knows the resource).
     */
    record ActionRequest(long term, String leader, String resource, String action, Duration interval, String peer, Duration timeout,
                         long configVersion) {
        public ActionRequest {
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(action, "action");
            interval = interval == null ? Duration.ZERO : interval;
            peer = peer == null ? "" : peer;
            Objects.requireNonNull(timeout, "timeout");
        }

        public String key() { return resource + "/" + action; }
    }

    /** {@code accepted == false}: not run (stale term, node not ready); otherwise the operation's result. */
    record ActionReply(boolean accepted, String rejection, OcfCode code, String message) {
        public static ActionReply rejected(String why) { return new ActionReply(false, why, OcfCode.EXEC_ERROR, why); }
    }
}
