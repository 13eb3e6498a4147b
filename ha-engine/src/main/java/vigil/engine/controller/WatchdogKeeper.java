package vigil.engine.controller;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Ticker;
import vigil.api.spi.Watchdog;
import vigil.api.spi.WatchdogProvider;
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;

/**
 * The node side of watchdog self-fencing (what sbd does beside Pacemaker): it arms this node's watchdog device with the
 * cluster's watchdog-timeout when the node first hears a quorate leader, feeds it only while the node keeps hearing one
 * and its engine is healthy, and stops feeding it once the node lost the cluster (no quorate leader for node-timeout,
 * safety rule 3) until it provably runs nothing, or for good when the controller asked it to fence itself. Then the
 * host resets within the watchdog's timeout, whatever else still runs on it. Heartbeat replies carry its
 * {@link #report}, which is what the controller counts on ({@link WatchdogFencing}); the node also commits its
 * watchdog's timeout, so that a controller that never heard it knows.
 *
 * <p>Feeding stops a quarter node-timeout before the node would lose the cluster, so that a feed delayed by a pause
 * between the check and the write cannot outlast node-timeout.
 *
 * <p>An election that takes longer than node-timeout (its first candidates were killed, or paused on a loaded host)
 * must not reset every node of a healthy majority: a node that lost the cluster feeds again if, before its watchdog
 * fires, it hears a quorate leader of a <em>newer</em> term than the last leader it heard. This keeps the controller's
 * count (see {@link WatchdogFencing}) true: a controller of that newer term counts a node as self-fenced no earlier than
 * node-timeout + node-timeout + watchdog-timeout after it took over, or node-timeout + watchdog-timeout after the node's
 * last reply to it, and the node, feeding again only while it hears that controller, stops within node-timeout of its
 * last contact; a controller of an older term can no longer commit a fence once the newer term was elected, which
 * happened before the node fed again, and before its own count (the node fed again before its watchdog fired, that is
 * before node-timeout + watchdog-timeout after its last reply to that controller). It never feeds again on a leader of
 * the term it lost while it may still run something (that controller may be counting it), nor once it said it is
 * resetting (that word counts at once).
 *
 * <p>A node that lost the cluster but provably runs nothing needs no reset (safety rule 3 of the design: it resets if
 * it cannot stop its resources), as sbd does not reset a node whose Pacemaker stopped everything on quorum loss: while
 * its executor refuses every activation, nothing is queued or running there and every resource is known stopped there
 * ({@link LocalOperations#runsNothing}), it keeps feeding, and it takes part again on hearing any quorate leader. So a
 * controller that counts it self-fenced after node-timeout + watchdog-timeout is right either way: its watchdog fired
 * (nothing was fed within watchdog-timeout of its last lease) or it was last fed with nothing running there, and from
 * that feed on the executor refused to start anything until a quorate leader was heard again, a leader that then finds
 * out by its probes that nothing runs there. (Resetting such nodes only turned every leader change that outlasted
 * node-timeout into a reset of nodes that had just started or stopped everything, and those resets into more.)
 *
 * <p>It feeds from its own thread. The timeout is the one the device had when it was armed: a later change of
 * watchdog-timeout applies when the node restarts.
 */
public final class WatchdogKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchdogKeeper.class);
    private static final Duration RETRY_OPEN = Duration.ofSeconds(10);

    private enum Phase { UNARMED, ARMED, RESETTING, CLOSED }

    private final String self;
    private final Path device;
    private final WatchdogProvider provider;
    private final Supplier<ClusterState> state;
    private final Function<List<Command>, CompletableFuture<?>> submit;
    private final InstantSource monotonic;
    private final BooleanSupplier healthy;
    private final BooleanSupplier runsNothing;
    private final ScheduledExecutorService feeder;

    // guarded by this
    private Phase phase = Phase.UNARMED;
    private Watchdog dog;
    private Duration timeout = Duration.ZERO;
    private Instant lastContact;
    private long lastContactTerm;
    private boolean lost;
    private Instant lastFeed;
    private Instant lastAttempt;
    private String stopReason = "";
    private boolean stoppedLogged;
    private boolean idleLogged;
    private boolean zeroLogged;

    /**
     * @param device   the watchdog device from the node's configuration ({@code /dev/watchdog})
     * @param provider opens it (ha-fencing's Linux watchdog)
     * @param submit   commits this node's watchdog timeout
     * @param healthy  whether this node's engine (executor, its timers) works; the watchdog is not fed while it does not
     * @param runsNothing whether this node provably runs nothing and starts nothing until it hears a quorate leader again
     *                 ({@link LocalOperations#runsNothing}); called under this keeper's lock
     */
    public WatchdogKeeper(String self, Path device, WatchdogProvider provider, Supplier<ClusterState> state,
                          Function<List<Command>, CompletableFuture<?>> submit, Ticker ticker, BooleanSupplier healthy,
                          BooleanSupplier runsNothing) {
        this.self = Objects.requireNonNull(self, "self");
        this.device = Objects.requireNonNull(device, "device");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.state = state;
        this.submit = submit;
        this.monotonic = Controller.monotonic(ticker);
        this.healthy = healthy;
        this.runsNothing = runsNothing;
        this.feeder = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vigil-" + self + "-watchdog");
            t.setDaemon(true);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
        });
        feeder.scheduleWithFixedDelay(this::feedSafely, 20, 20, TimeUnit.MILLISECONDS);
    }

    /**
     * The node heard a quorate leader of {@code term} now. The first time (with watchdog-timeout set) this arms the
     * device, before the node probes and accepts actions. Returns whether the node may take part: false while its
     * watchdog is no longer fed (its host is about to reset), true when none is armed, and true after it lost the
     * cluster when the leader's term is newer or nothing runs here.
     */
    public synchronized boolean heard(long term) { return heard(term, monotonic.instant()); }

    /** As {@link #heard(long)}, for a lease that counts from {@code leaseFrom} (monotonic, not after now). */
    public synchronized boolean heard(long term, Instant leaseFrom) {
        if (phase == Phase.RESETTING || phase == Phase.CLOSED) return false;
        Instant now = monotonic.instant();
        if (lost) {
            boolean idle = runsNothing.getAsBoolean();
            if (term <= lastContactTerm && !idle) return false;
            if (Duration.between(lastFeed, now).compareTo(timeout) >= 0) {
                // its watchdog has fired by now: feeding again could outlast what a controller counts on
                resetForGood("no quorate leader heard until its watchdog's timeout had passed", now);
                return false;
            }
            lost = false;
            LOG.info("{}: watchdog {}: fed again: a quorate leader of term {} is heard ({} ms after the last feed{})", self, device, term,
                    Duration.between(lastFeed, now).toMillis(), idle ? "; nothing runs here" : "");
        }
        if (lastContact == null || leaseFrom.isAfter(lastContact)) lastContact = leaseFrom;
        lastContactTerm = term;
        if (phase == Phase.UNARMED) arm(now);
        return true;
    }

    /**
     * The node lost the cluster (no quorate leader for node-timeout): the watchdog is not fed any more, and the host
     * resets within its timeout unless a quorate leader of a newer term is heard first (see the class comment).
     */
    public synchronized void lostCluster(String reason) {
        if (phase != Phase.ARMED || lost) return;
        lost = true;
        idleLogged = false;
        LOG.warn("{}: watchdog {}: no longer fed ({}); the host resets within {} ms unless it stops everything here or a leader "
                + "of a term after {} is heard first", self, device, reason, remaining(monotonic.instant()).toMillis(), lastContactTerm);
    }

    /**
     * Stops feeding for good: the host resets within the watchdog's timeout. Does nothing when no watchdog is armed
     * (then nothing would reset the host, and the controller never counts this node as self-fenced).
     */
    public synchronized void selfFence(String reason) {
        if (phase != Phase.ARMED) return;
        resetForGood(reason, monotonic.instant());
    }

    private void resetForGood(String reason, Instant now) {
        phase = Phase.RESETTING;
        stopReason = reason;
        LOG.warn("{}: watchdog {}: no longer fed ({}); the host resets within {} ms", self, device, reason, remaining(now).toMillis());
    }

    /** Whether the watchdog is no longer fed for good: this node must not take part any more, its host is about to reset. */
    public synchronized boolean resetting() { return phase == Phase.RESETTING; }

    /**
     * What heartbeat replies say about this node's watchdog. While it is not fed after the node lost the cluster it is
     * still reported armed (the controller counts from the node's last reply, and the node may feed it again).
     */
    public synchronized NodeTransport.WatchdogReport report() {
        return switch (phase) {
            case ARMED -> NodeTransport.WatchdogReport.armed(timeout);
            case RESETTING -> NodeTransport.WatchdogReport.resetting(timeout, remaining(monotonic.instant()));
            default -> NodeTransport.WatchdogReport.NONE;
        };
    }

    /** The timeout of the armed watchdog, zero when none is armed (what this node commits to the replicated state). */
    public synchronized Duration armedTimeout() { return phase == Phase.ARMED || phase == Phase.RESETTING ? timeout : Duration.ZERO; }

    private Duration remaining(Instant now) {
        if (lastFeed == null) return timeout;
        Duration left = timeout.minus(Duration.between(lastFeed, now));
        return left.isNegative() ? Duration.ZERO : left;
    }

    private void arm(Instant now) {
        ClusterState s = state.get();
        Duration wanted = s.config().properties().watchdogTimeout();
        if (wanted.isZero()) {
            if (!zeroLogged) LOG.warn("{}: watchdog {} not armed: the cluster's watchdog-timeout is 0; set it to arm the "
                    + "watchdogs (this node is never counted as self-fenced without one)", self, device);
            zeroLogged = true;
            return;
        }
        if (lastAttempt != null && Duration.between(lastAttempt, now).compareTo(RETRY_OPEN) < 0) return;
        lastAttempt = now;
        try {
            dog = provider.open(device, wanted);
        } catch (RuntimeException e) {
            LOG.error("{}: watchdog {} not armed: {}; without it this node is never counted as self-fenced", self, device,
                    e.getMessage());
            return;
        }
        timeout = dog.timeout();
        lastFeed = now;
        phase = Phase.ARMED;
        LOG.info("{}: watchdog {} armed, timeout {} ms", self, device, timeout.toMillis());
        // the node's own word for controllers that never hear it (it joins with this value too, see NodeAgent)
        Duration t = timeout;
        submit.apply(List.of(new Command.SetWatchdog(self, t))).whenComplete((r, e) -> {
            if (e != null) LOG.warn("{}: watchdog timeout not committed yet ({}); it goes with the next probe", self, e.toString());
        });
    }

    private void feedSafely() {
        try {
            feed();
        } catch (RuntimeException | Error e) {
            // an escaping throwable would end the timer: the host would reset without a word
            LOG.error("{}: watchdog feeder failed", self, e);
        }
    }

    private void feed() {
        Duration nodeTimeout = state.get().config().properties().nodeTimeout();
        boolean ok = healthy.getAsBoolean();
        synchronized (this) {
            if (phase != Phase.ARMED) return;
            Instant now = monotonic.instant();
            String notFed;
            if (lost) {
                // checked under this lock: the executor can start nothing before heard() lets the node take part again
                notFed = runsNothing.getAsBoolean() ? null : "it lost the cluster and may still run resources";
            } else {
                Duration quiet = Duration.between(lastContact, now);
                // a quarter node-timeout of margin: a write delayed after this check still lands within node-timeout
                boolean quorate = quiet.compareTo(nodeTimeout.minus(nodeTimeout.dividedBy(4))) <= 0;
                notFed = quorate ? null : "no quorate leader heard for " + quiet.toMillis() + " ms";
            }
            if (notFed == null && !ok) notFed = "the engine is not healthy";
            if (notFed != null) {
                if (!stoppedLogged) LOG.warn("{}: watchdog {} not fed: {}", self, device, notFed);
                stoppedLogged = true;
                return;
            }
            stoppedLogged = false;
            if (lost) {
                if (Duration.between(lastFeed, now).compareTo(timeout) >= 0) {
                    resetForGood("it stopped everything only after its watchdog's timeout had passed", now);
                    return;
                }
                if (!idleLogged) LOG.info("{}: watchdog {}: fed again without a quorate leader: nothing runs here, and nothing "
                        + "starts until a quorate leader is heard", self, device);
                idleLogged = true;
            }
            if (Duration.between(lastFeed, now).compareTo(timeout.dividedBy(10)) < 0) return;
            try {
                dog.feed();
                lastFeed = now;
            } catch (java.io.IOException e) {
                phase = Phase.RESETTING;
                stopReason = "feeding failed: " + e.getMessage();
                LOG.error("{}: watchdog {}: {}; the host resets", self, device, stopReason);
            }
        }
    }

    /**
     * Stops the feeder. The watchdog is disarmed only when {@code runsNothing} holds (nothing can be left running that
     * a reset would have to stop); otherwise it stays armed and the host resets, as sbd does when the cluster stack
     * stops uncleanly.
     */
    public void close(boolean runsNothing) {
        feeder.shutdownNow();
        synchronized (this) {
            if (dog != null) {
                if (phase == Phase.ARMED && !lost && runsNothing) {
                    dog.disarm();
                    LOG.info("{}: watchdog {} disarmed (nothing runs here)", self, device);
                } else {
                    dog.abandon();
                    LOG.warn("{}: watchdog {} left armed ({}): the host resets", self, device,
                            phase == Phase.RESETTING ? stopReason : lost ? "this node lost the cluster" : "resources may still run here");
                }
            }
            phase = Phase.CLOSED;
        }
    }

    @Override
    public void close() { close(false); }
}
