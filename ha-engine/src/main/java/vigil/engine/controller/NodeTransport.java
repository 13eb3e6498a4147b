package vigil.engine.controller;

import java.time.Duration;
import java.time.Instant;
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
     * leader cannot keep its own node's resources running. {@code fenceYourself}: the controller must fence this node
     * and counts on its watchdog; the node stops feeding it, so the host resets. {@code stop}: an administrator asked
     * this node to stop ({@code vigil node stop}), so it leaves; carried by live heartbeats and never replayed from the
     * log, so a restarted node is not stopped again by an old request.
     *
     * <p>The lease: heartbeats are numbered ({@code seq}); {@code confirmed} is the newest number whose answer reached
     * the controller, which counts the node's silence from the arrival of that answer. The agent runs on a lease only
     * from the moment it received a confirmed heartbeat (never from one whose answer may be lost), and never longer than
     * {@code leaseLeft} of it, what remained of the controller's own lease when it sent it. So the node's lease ends
     * before the controller can count it lost, whatever the delays and losses on the way.
     */
    record HeartbeatRequest(String leader, long term, Duration nodeTimeout, boolean leaseValid, boolean fenceYourself, boolean stop,
                            long seq, long confirmed, Duration leaseLeft) {
        public HeartbeatRequest {
            Objects.requireNonNull(leader, "leader");
            Objects.requireNonNull(leaseLeft, "leaseLeft");
        }

        /** A heartbeat that confirms the previous one ({@code seq - 1}) and grants a full node-timeout (tests). */
        public HeartbeatRequest(String leader, long term, Duration nodeTimeout, boolean leaseValid, boolean fenceYourself, long seq) {
            this(leader, term, nodeTimeout, leaseValid, fenceYourself, false, seq, seq - 1, nodeTimeout);
        }
    }

    /**
     * @param newestTerm the newest term the node has seen; larger than the sender's means the sender is deposed
     * @param ready      the node has probed every configured resource since it (re)gained contact with a leader
     * @param inFlight   operations running there now, as {@code resource/action}
     * @param wallClock  the node's wall clock when it answered (null: not reported), for the cluster time
     * @param watchdog   the node's watchdog: none, armed and fed, or no longer fed
     * @param leaving    the node is stopping cleanly (it announced its shutdown): it must not be taken back online
     * @param degraded   empty while the node's Raft replica keeps up, else why not and what to do
     */
    record HeartbeatReply(String node, long newestTerm, boolean ready, List<String> inFlight, Instant wallClock, WatchdogReport watchdog,
                          boolean leaving, String degraded) {
        public HeartbeatReply {
            inFlight = List.copyOf(inFlight);
            watchdog = watchdog == null ? WatchdogReport.NONE : watchdog;
            degraded = degraded == null ? "" : degraded;
        }

        public HeartbeatReply(String node, long newestTerm, boolean ready, List<String> inFlight, Instant wallClock, WatchdogReport watchdog) {
            this(node, newestTerm, ready, inFlight, wallClock, watchdog, false, "");
        }

        public HeartbeatReply(String node, long newestTerm, boolean ready, List<String> inFlight, boolean leaving) {
            this(node, newestTerm, ready, inFlight, null, WatchdogReport.NONE, leaving, "");
        }

        public HeartbeatReply(String node, long newestTerm, boolean ready, List<String> inFlight) {
            this(node, newestTerm, ready, inFlight, null, WatchdogReport.NONE, false, "");
        }
    }

    /**
     * What a node says about its watchdog. {@code timeout} zero: none is armed. Otherwise it is armed with that timeout,
     * and either fed while the node hears a quorate leader, or ({@code resetting}) no longer fed, so the host resets
     * within {@code resetWithin} of this report unless it already did.
     */
    record WatchdogReport(Duration timeout, boolean resetting, Duration resetWithin) {
        public static final WatchdogReport NONE = new WatchdogReport(Duration.ZERO, false, Duration.ZERO);

        public WatchdogReport {
            if (timeout.isNegative() || resetWithin.isNegative()) throw new IllegalArgumentException("negative watchdog report " + timeout + " / " + resetWithin);
            if (timeout.isZero() && resetting) throw new IllegalArgumentException("a watchdog that is not armed cannot be resetting");
        }

        public static WatchdogReport armed(Duration timeout) { return new WatchdogReport(timeout, false, Duration.ZERO); }

        public static WatchdogReport resetting(Duration timeout, Duration within) { return new WatchdogReport(timeout, true, within); }

        public boolean isArmed() { return !timeout.isZero(); }
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

    /**
     * Runs the periodic check of fence device {@code device} on {@code node} (one the device does not fence); completes
     * with the device's answer. A transport that cannot reach agents for this fails the future.
     */
    default CompletableFuture<vigil.api.spi.FenceResult> checkFenceDevice(String node, FenceCheckRequest request) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this transport cannot check fence devices on other nodes"));
    }

    /** A fence device check sent by the controller of {@code term}. */
    record FenceCheckRequest(long term, String leader, String device) {
        public FenceCheckRequest {
            Objects.requireNonNull(leader, "leader");
            Objects.requireNonNull(device, "device");
        }
    }

    /** {@code accepted == false}: not run (stale term, node not ready); otherwise the operation's result. */
    record ActionReply(boolean accepted, String rejection, OcfCode code, String message) {
        public static ActionReply rejected(String why) { return new ActionReply(false, why, OcfCode.EXEC_ERROR, why); }
    }
}
