package vigil.engine.controller;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When the controller may count a lost node as self-fenced by its watchdog (safety rule 2 of the design): only when
 * the node's last word advertised an armed watchdog - its last heartbeat reply to this controller or, when this
 * controller never heard it, the watchdog the node itself committed to the replicated state - and only once the
 * watchdog must have reset it, on this node's monotonic clock. A node that never advertised one is never counted.
 *
 * <p>An armed node feeds its watchdog only while it heard a quorate leader within node-timeout, or while it provably
 * runs nothing and starts nothing until it hears one again (see {@link WatchdogKeeper}), so at most node-timeout +
 * watchdog-timeout after it last heard one its host has reset or nothing runs there. It last heard one no later than
 * its last reply reached this controller, or than node-timeout after this controller took over (a previous
 * controller's lease ends within node-timeout of the election). A node that lost the cluster and may still run
 * something feeds again only on hearing a leader of a newer term before its watchdog fired: this controller, if newer,
 * then counts from that contact as above; if older, it can commit nothing any more. A node that reported its watchdog
 * as no longer fed resets within the time it named, and never feeds again.
 *
 * <p>Confined to the controller's thread.
 */
final class WatchdogFencing {
    private record Heard(NodeTransport.WatchdogReport report, Instant at) {}

    private final InstantSource monotonic;
    private final Map<String, Heard> last = new HashMap<>();

    /** @param monotonic this node's monotonic time line (see {@link Controller}) */
    WatchdogFencing(InstantSource monotonic) { this.monotonic = monotonic; }

    /** What {@code node}'s reply, arriving now, said about its watchdog. */
    void reply(String node, NodeTransport.WatchdogReport report) { last.put(node, new Heard(report, monotonic.instant())); }

    /** A new term, or the node was fenced: what it said before no longer counts. */
    void forget(String node) { last.remove(node); }

    void clear() { last.clear(); }

    /**
     * When {@code node} counts as self-fenced (on the monotonic time line), or empty if it never will on what is known.
     *
     * @param committed    the watchdog timeout the node committed to the replicated state (zero: none)
     * @param leaderSince  when this controller took over
     */
    Optional<Instant> selfFencedAt(String node, Duration committed, Instant leaderSince, Duration nodeTimeout) {
        Instant takeover = leaderSince.plus(nodeTimeout);
        Heard h = last.get(node);
        if (h == null) {
            // never heard in this term: the node's own committed word; it may have heard the previous controller up to
            // node-timeout after this one took over
            return committed.isZero() ? Optional.empty() : Optional.of(takeover.plus(nodeTimeout).plus(committed));
        }
        NodeTransport.WatchdogReport r = h.report();
        if (!r.isArmed()) return Optional.empty();
        if (r.resetting()) return Optional.of(h.at().plus(r.resetWithin()));
        Instant lastContact = h.at().isAfter(takeover) ? h.at() : takeover;
        return Optional.of(lastContact.plus(nodeTimeout).plus(r.timeout()));
    }

    /** The watchdog timeout {@code node} last advertised to this controller, if it said anything. */
    Optional<NodeTransport.WatchdogReport> lastReport(String node) {
        Heard h = last.get(node);
        return h == null ? Optional.empty() : Optional.of(h.report());
    }
}
