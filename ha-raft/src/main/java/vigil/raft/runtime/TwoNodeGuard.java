package vigil.raft.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ConfigException;
import vigil.api.Ticker;
import vigil.api.spi.NodeFencer;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.engine.controller.TwoNodePolicy;
import vigil.engine.controller.TwoNodePolicy.Decision;
import vigil.engine.controller.TwoNodePolicy.Fence;
import vigil.engine.controller.TwoNodePolicy.Step;
import vigil.raft.SingleVoter;
import vigil.raft.VigilNode;
import vigil.raft.agent.AgentAddresses;

/**
 * Carries out {@link TwoNodePolicy} on one host of a two-node cluster (properties.other.two-node), checked every
 * tick: fences the silent peer itself (no controller can: the pair has no majority without it), its own Raft replica
 * stopped first (no incarnation of the peer that boots after the fence may take this host for a partner), requests the restart
 * as the only voter once the fence is confirmed (with that fence, which the single leader's controller then commits as
 * its own: the peer is fenced once), asks the peer to admit it while it waits for it (wait_for_all), and
 * takes an administrator's word that the peer is down. Does nothing in any other cluster.
 */
final class TwoNodeGuard {
    private static final Logger LOG = LoggerFactory.getLogger("vigil.node");
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final String self;
    private final VigilNode raft;
    private final Path dataDir;
    private final BooleanSupplier quorateLeaderHeard;
    private final NodeFencer fencer;
    private final Ticker ticker;
    private final ExecutorService workers;
    private final Consumer<String> askToAdmit;
    private final Runnable restart;

    private boolean peerSeen;
    private long silentSince = -1;
    private volatile boolean peerConfirmedDown;
    private volatile Fence fence = Fence.NOT_TRIED;
    /** The fence that confirmed the peer off, while {@link #fence} is CONFIRMED: the single leader commits it. */
    private volatile FenceEvent confirmedFence;
    private volatile boolean busy;
    private long nextTry;
    private boolean restarting;
    private boolean replicaRan;
    /** Stopped before the first fence of the peer; the replica runs again only when this node starts again. */
    private volatile boolean replicaStopped;
    private volatile Decision last = new Decision(Step.PAIRED, "");
    private volatile boolean single;
    private volatile SingleVoter.PeerNote note;

    /**
     * @param askToAdmit asks the peer (at its node API address) to make this host a voter again; may throw
     * @param restart    closes this node so that its owner starts it again (as the only voter once that is requested);
     *                   called from another thread
     */
    TwoNodeGuard(String self, VigilNode raft, Path dataDir, BooleanSupplier quorateLeaderHeard, NodeFencer fencer, Ticker ticker,
                 ExecutorService workers, Consumer<String> askToAdmit, Runnable restart) {
        this.self = self;
        this.raft = raft;
        this.dataDir = dataDir;
        this.quorateLeaderHeard = quorateLeaderHeard;
        this.fencer = fencer;
        this.ticker = ticker;
        this.workers = workers;
        this.askToAdmit = askToAdmit;
        this.restart = restart;
        this.note = SingleVoter.note(dataDir).orElse(null);
    }

    /** In two-node mode, whether this host runs alone (the only Raft voter), as of the last tick. */
    boolean single() { return single && peer(raft.state()).isPresent(); }

    /** An administrator confirmed that {@code peer} is down (powered off by hand): this host may continue alone. */
    void confirmPeerDown(String peer) {
        String expected = peer(raft.state()).map(SingleVoter.PeerNote::peer).orElseThrow(() -> new ConfigException("node",
                "this cluster does not run in two-node mode", "confirming a node down is only for two-node clusters"));
        if (!expected.equals(peer)) throw new ConfigException("node", "\"" + peer + "\" is not the peer of " + self, "name " + expected);
        LOG.warn("{}: an administrator confirmed that {} is down: this host may continue alone", self, peer);
        peerConfirmedDown = true;
    }

    /**
     * The peer of this host in two-node mode, or empty in any other cluster: from the replicated config once this host's
     * state is at least as new as its note (which it then keeps in step), else from the note (a host that just started
     * knows only its last snapshot until a leader commits the rest).
     */
    private synchronized Optional<SingleVoter.PeerNote> peer(ClusterState s) {
        SingleVoter.PeerNote known = note;
        if (known != null && s.configVersion() < known.configVersion()) return Optional.of(known);
        if (!s.bootstrapped()) return Optional.ofNullable(known);
        Optional<SingleVoter.PeerNote> p = s.config().properties().twoNode()
                ? TwoNodePolicy.peerOf(s.config(), self).flatMap(id -> s.config().node(id))
                        .map(n -> new SingleVoter.PeerNote(n.id(), AgentAddresses.of(n), s.configVersion()))
                : Optional.empty();
        SingleVoter.PeerNote next = p.orElse(null);
        if (!java.util.Objects.equals(next == null ? null : next.peer() + next.peerApi(), known == null ? null : known.peer() + known.peerApi())) {
            try {
                SingleVoter.note(dataDir, next);
                note = next;
            } catch (IOException e) {
                LOG.warn("{}: cannot note two-node mode in {}: {}", self, dataDir, e.getMessage());
            }
        }
        return p;
    }

    synchronized void tick() {
        ClusterState s = raft.state();
        Optional<String> peer = peer(s).map(SingleVoter.PeerNote::peer);
        if (peer.isEmpty() || restarting) return;
        long now = ticker.read();
        boolean running = raft.replicaRunning();
        if (running) replicaRan = true;
        else if (replicaRan && !peerSeen) {
            // its peer, running alone, refused its vote before it had admitted it (this host campaigned first: admitting
            // took longer than its first-election wait), and Ratis stopped the replica for that: start again, to be
            // admitted this time (runs nothing meanwhile, as before)
            restarting = true;
            LOG.warn("{}: two-node: the Raft replica stopped before {} admitted this host: starting again", self, peer.get());
            Thread t = new Thread(restart, "vigil-" + self + "-rejoin");
            t.setDaemon(true);
            t.start();
            return;
        }
        List<String> voters;
        try {
            voters = raft.committedVoters();
        } catch (RuntimeException e) {
            return; // the replica is not running: nothing to decide on
        }
        single = voters.equals(List.of(self));
        // with its peer only once both vote in a configuration this host knows committed, and (until it has seen its
        // peer) once a leader appended an entry to its replica since it started: a host that comes back to a peer running
        // alone hears that peer's controller before it is admitted, while its own log still holds, committed, the
        // two-voter configuration from before; only its admission brings it entries, and with them every entry its
        // peer committed alone. (The peer stops its replica before it fences this host, so no replica that may yet go on
        // alone from an older log feeds an incarnation of this host that booted after that fence.)
        boolean heard = !replicaStopped && voters.size() == 2 && voters.contains(self) && voters.contains(peer.get())
                && quorateLeaderHeard.getAsBoolean() && (peerSeen || raft.appliedSinceStart());
        if (heard || single) {
            // a host that ran alone holds every entry (its peer could commit nothing without it): it has "seen" its peer;
            // and alone there is no peer to hear: its silence starts when the peer is a voter again
            peerSeen = true;
            silentSince = -1;
        } else if (silentSince < 0) {
            silentSince = now;
        }
        Duration silent = Duration.ofNanos(heard ? 0 : now - silentSince);
        Duration delay = TwoNodePolicy.fenceDelay(s, self, peer.get());
        Decision d = TwoNodePolicy.decide(new TwoNodePolicy.View(heard, peerSeen, peerConfirmedDown, silent, single, fence),
                s.config().properties().nodeTimeout(), delay);
        if (d.step() != last.step()) {
            LOG.atLevel(d.step() == Step.PAIRED || d.step() == Step.SINGLE ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN)
                    .log("{}: two-node: {} ({}){}", self, d.step(), d.reason(), delay.isZero() ? "" : "; priority-fencing-delay " + delay.toMillis() + " ms");
        }
        last = d;
        switch (d.step()) {
            case PAIRED -> {
                fence = Fence.NOT_TRIED;
                confirmedFence = null;
            }
            case FENCE_PEER -> {
                if (!busy && now >= nextTry) {
                    busy = true;
                    replicaStopped = true;
                    workers.execute(() -> {
                        raft.stopReplica("two-node: fencing " + peer.get() + "; from here this host goes on alone once the fence is confirmed, never paired with this replica");
                        fencePeer(s, peer.get());
                    });
                }
            }
            case GO_SINGLE -> {
                restarting = true;
                try {
                    SingleVoter.request(dataDir, d.reason(), fence == Fence.CONFIRMED ? confirmedFence : null);
                } catch (IOException e) {
                    LOG.error("{}: cannot record the restart as the only voter: {}; stays waiting", self, e.getMessage());
                    restarting = false;
                    return;
                }
                LOG.warn("{}: two-node: {} is off ({}): restarting as the only voter", self, peer.get(), d.reason());
                replicaStopped = true;
                Thread t = new Thread(() -> {
                    // at once, not only when the slow restart closes it: a peer that boots now must not take it for a
                    // partner (after a fence it stopped already; not after an administrator's word)
                    raft.stopReplica("two-node: going on alone");
                    restart.run();
                }, "vigil-" + self + "-single");
                t.setDaemon(true);
                t.start();
            }
            case WAIT_FOR_ALL -> {
                // (not a host that starts as the only voter and has not committed that configuration yet)
                if (!busy && now >= nextTry && !startsAlone()) {
                    busy = true;
                    nextTry = now + RETRY.toNanos();
                    String api = note != null ? note.peerApi() : "";
                    workers.execute(() -> {
                        try {
                            askToAdmit.accept(api);
                        } catch (RuntimeException e) {
                            LOG.debug("{}: {} did not admit it yet: {}", self, peer.get(), e.getMessage());
                        } finally {
                            busy = false;
                        }
                    });
                }
            }
            default -> { }
        }
    }

    /** This host's Raft configuration, committed or not, is itself alone. */
    private boolean startsAlone() {
        try {
            List<String> m = raft.members();
            return m.size() == 1 && m.get(0).startsWith(self + "=");
        } catch (RuntimeException e) {
            return true;
        }
    }

    private void fencePeer(ClusterState s, String peer) {
        try {
            FenceEvent e = fencer.fence(s.config(), peer, "off", self);
            confirmedFence = e.success() ? e : null;
            fence = e.success() ? Fence.CONFIRMED : Fence.FAILED;
            LOG.atLevel(e.success() ? org.slf4j.event.Level.WARN : org.slf4j.event.Level.ERROR)
                    .log("{}: two-node: fencing {} {}: {}", self, peer, e.success() ? "confirmed it off" : "FAILED", e.detail());
        } catch (RuntimeException e) {
            confirmedFence = null;
            fence = Fence.FAILED;
            LOG.error("{}: two-node: fencing {} FAILED: {}", self, peer, e.toString());
        } finally {
            synchronized (this) {
                nextTry = ticker.read() + RETRY.toNanos();
            }
            busy = false;
        }
    }
}
