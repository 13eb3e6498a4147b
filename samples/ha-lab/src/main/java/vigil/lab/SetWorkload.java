package vigil.lab;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import vigil.api.Cluster;
import vigil.api.status.ClusterState;

/**
 * The config-change workload of the fault-injection runs and its history. A writer adds one element with a unique id
 * per change to a set kept in a config blob ({@code <round> id id ...}, a new round per schedule), through the
 * cluster's compare-and-set update, ten times a second; readers on every node read the cluster (linearizable reads)
 * twice a second. The checks, on the history alone:
 *
 * <ul>
 *   <li>a read sees every change acknowledged before it began (so the final read after a schedule sees every
 *       acknowledged id: none was lost), and no older state than a read that ended before it began;
 *   <li>no id appears twice, and no id appears that was never written.
 * </ul>
 *
 * Unlike a counter that the next write overwrites, an id that a rollback lost stays missing for good.
 *
 * <p>The writer's change adds its id only when it is not there yet: the admin client runs a change again when an
 * attempt that did commit looked failed to it (its answer came too late, or the node answering died), which would put
 * an id in twice; the workload counts those runs ({@link #retriedAfterCommit()}) instead.
 */
final class SetWorkload implements AutoCloseable {
    static final String BLOB = "chaos-set";

    /** A change the cluster acknowledged: {@code id} of round {@code round}, acknowledged at {@code ackNanos}. */
    record Ack(int round, String id, long ackNanos) {}

    /** A read through {@code via} that began and ended at the given times and returned this config version and set. */
    record Read(String via, long startNanos, long endNanos, long version, int round, List<String> ids) {
        @Override
        public String toString() {
            return "the read via " + via + " from " + Evidence.instant(startNanos) + " to " + Evidence.instant(endNanos) + " (config version "
                    + version + ", round " + round + ", " + ids.size() + " ids)";
        }
    }

    /** The blob after adding {@code id} in {@code round} (a new round starts an empty set). */
    static String add(String blob, int round, String id) {
        return blob == null || round(blob) != round ? round + " " + id : blob + " " + id;
    }

    static int round(String blob) {
        if (blob == null || blob.isBlank()) return 0;
        int sp = blob.indexOf(' ');
        return Integer.parseInt(sp < 0 ? blob : blob.substring(0, sp));
    }

    static List<String> ids(String blob) {
        if (blob == null || blob.isBlank()) return List.of();
        String[] parts = blob.trim().split(" ");
        return List.of(parts).subList(1, parts.length);
    }

    static Read read(String via, long start, long end, ClusterState s) {
        String blob = s.config().blobs().get(BLOB);
        return new Read(via, start, end, s.configVersion(), round(blob), ids(blob));
    }

    /**
     * What the history breaks: {@code acks} (every acknowledged change so far), {@code written} (every id ever sent,
     * acknowledged or not), {@code reads} (linearizable reads).
     */
    static List<String> check(List<Ack> acks, Set<String> written, List<Read> reads) { return check(acks, written, reads, null); }

    /** As {@link #check(List, Set, List)}, where no read may return an older state than {@code floor} either. */
    static List<String> check(List<Ack> acks, Set<String> written, List<Read> reads, Read floor) {
        List<String> out = new ArrayList<>();
        List<Ack> byTime = acks.stream().sorted(Comparator.comparingLong(Ack::ackNanos)).toList();
        List<Read> byEnd = reads.stream().sorted(Comparator.comparingLong(Read::endNanos)).toList();
        List<Read> byStart = reads.stream().sorted(Comparator.comparingLong(Read::startNanos)).toList();
        // each lost, doubled or unknown id is reported once, with the first read that showed it
        Map<String, Read> missing = new LinkedHashMap<>();
        Map<String, Read> twice = new LinkedHashMap<>();
        Map<String, Read> unknown = new LinkedHashMap<>();
        int ended = 0;
        Read newest = null; // the read of the highest version among those that ended before this one began
        for (Read r : byStart) {
            if (floor != null && floor.endNanos() < r.startNanos() && (newest == null || floor.version() > newest.version())) newest = floor;
            while (ended < byEnd.size() && byEnd.get(ended).endNanos() < r.startNanos()) {
                Read e = byEnd.get(ended++);
                if (newest == null || e.version() > newest.version()) newest = e;
            }
            if (newest != null && r.version() < newest.version()) {
                out.add("stale read: " + r + " returned an older state than " + newest + ", which ended before it began");
            }
            // the newest round acknowledged before the read began, and its ids acknowledged by then
            int round = 0;
            Set<String> due = new LinkedHashSet<>();
            for (Ack a : byTime) {
                if (a.ackNanos() >= r.startNanos()) break;
                if (a.round() > round) {
                    round = a.round();
                    due.clear();
                }
                if (a.round() == round) due.add(a.id());
            }
            if (r.round() < round) {
                out.add("acknowledged change missing: " + r + " shows round " + r.round() + ", but " + due.size() + " changes of round " + round
                        + " were acknowledged before it began");
            } else if (r.round() == round) {
                for (String id : due) if (!r.ids().contains(id)) missing.putIfAbsent(id, r);
            }
            Set<String> seen = new HashSet<>();
            for (String id : r.ids()) {
                if (!seen.add(id)) twice.putIfAbsent(id, r);
                if (!written.contains(id)) unknown.putIfAbsent(id, r);
            }
        }
        report(out, "acknowledged change missing", "acknowledged before it began and not in it", missing);
        report(out, "change applied twice", "held more than once", twice);
        report(out, "unknown change", "held, never written", unknown);
        return out;
    }

    private static void report(List<String> out, String what, String how, Map<String, Read> ids) {
        Map<Read, List<String>> byRead = new LinkedHashMap<>();
        ids.forEach((id, r) -> byRead.computeIfAbsent(r, k -> new ArrayList<>()).add(id));
        byRead.forEach((r, list) -> out.add(what + ": " + abbreviate(list) + " " + how + ": " + r));
    }

    private static String abbreviate(List<String> ids) {
        return ids.size() <= 10 ? String.join(" ", ids) : String.join(" ", ids.subList(0, 10)) + " ... (" + ids.size() + ")";
    }

    // ---- the running workload ----

    private final Cluster writerClient;
    private final List<Reader> readers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Ack> acks = new ArrayList<>();
    private final Set<String> written = new HashSet<>();
    private final List<Read> reads = new ArrayList<>();
    private Read floor;
    private final java.util.concurrent.atomic.AtomicInteger retriedAfterCommit = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int round = 1;
    private long seq;

    /** A reader: a client of one node only, so that every node's answers are checked. */
    record Reader(String node, Cluster client) {}

    /**
     * Starts the writer (through {@code writer}, a client of the whole cluster) and one reader per entry of
     * {@code perNode}.
     */
    SetWorkload(Cluster writer, List<Reader> perNode) {
        this.writerClient = writer;
        this.readers.addAll(perNode);
        Thread w = new Thread(this::write, "chaos-writer");
        threads.add(w);
        for (Reader r : readers) threads.add(new Thread(() -> readLoop(r), "chaos-reader-" + r.node()));
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
    }

    /** From now on the writer adds to a fresh set for round {@code r}. */
    void round(int r) { round = r; }

    synchronized int acknowledged() { return acks.size(); }

    /** How many times the client ran a change again after an attempt of it had committed (see the writer). */
    int retriedAfterCommit() { return retriedAfterCommit.get(); }

    /**
     * A linearizable read through {@code client} (the final read after a schedule), added to the history. The node that
     * answers may be one that has not heard the leader yet since it came back: its answer (its own view, without
     * quorum) is no linearizable read, so the read is tried again for up to {@code patience}.
     */
    Read readNow(String via, Cluster client, Duration patience) { return readNow(via, client, patience, () -> { }); }

    /** As {@link #readNow(String, Cluster, Duration)}, running {@code whileWaiting} before every attempt. */
    Read readNow(String via, Cluster client, Duration patience, Runnable whileWaiting) {
        long deadline = System.nanoTime() + patience.toNanos();
        long start;
        ClusterState s = null;
        RuntimeException unreachable = null;
        while (true) {
            whileWaiting.run();
            start = now();
            try {
                s = client.status();
                unreachable = null;
            } catch (RuntimeException e) {
                // no node answers for a moment (a two-node host starting again as the only voter): ask again
                unreachable = e;
            }
            if (s != null && s.hasQuorum()) break;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(via + (unreachable != null ? " did not answer for " + patience.toSeconds() + " s: "
                        + unreachable.getMessage() : " answered only with a view without quorum for " + patience.toSeconds()
                        + " s, which is no linearizable read"));
            }
            pause(Duration.ofMillis(200));
        }
        Read r = read(via, start, now(), s);
        synchronized (this) {
            reads.add(r);
        }
        return r;
    }

    /** The violations in the history so far. */
    synchronized List<String> check() { return check(acks, written, reads, floor); }

    /**
     * Forgets the reads so far and the changes of rounds before {@code round}, keeping the read of the newest state as
     * the floor for the next reads, so that hours of history stay small.
     */
    synchronized void forgetBefore(int round) { floor = forget(round, acks, written, reads, floor); }

    /**
     * Clears {@code reads} and forgets the changes of rounds before {@code round}, except those of the round the newest
     * state holds: when no change of a later round was acknowledged (the cluster could not commit for a whole
     * schedule), the cluster still holds that round's set, and later reads of it are checked against its changes.
     * Returns the new floor: the read of the newest state, {@code floor} or one of {@code reads}.
     */
    static Read forget(int round, List<Ack> acks, Set<String> written, List<Read> reads, Read floor) {
        for (Read r : reads) if (floor == null || r.version() > floor.version()) floor = r;
        reads.clear();
        int keep = floor == null ? round : Math.min(round, floor.round());
        acks.removeIf(a -> a.round() < keep);
        written.removeIf(id -> Integer.parseInt(id.substring(0, id.indexOf('.'))) < keep);
        return floor;
    }

    private void write() {
        while (!stop.get()) {
            int r = round;
            String id;
            synchronized (this) {
                id = r + "." + (++seq);
                written.add(id);
            }
            try {
                writerClient.updateConfig(cfg -> {
                    String blob = cfg.blobs().get(BLOB);
                    if (round(blob) == r && ids(blob).contains(id)) {
                        // this call's earlier attempt committed although the client took it for failed: the client retries
                        // the change itself, which a non-idempotent change would apply twice (counted, see retriedAfterCommit)
                        retriedAfterCommit.incrementAndGet();
                        return cfg;
                    }
                    return cfg.toBuilder().blob(BLOB, add(blob, r, id)).build();
                });
                long at = now();
                synchronized (this) {
                    acks.add(new Ack(r, id, at));
                }
            } catch (RuntimeException notAcknowledged) {
                // no quorum or no leader right now: not acknowledged, so nothing is promised (the id may still appear once)
            }
            pause(Duration.ofMillis(100));
        }
    }

    private void readLoop(Reader reader) {
        while (!stop.get()) {
            long start = now();
            try {
                ClusterState s = reader.client().status();
                // a node without quorum answers with its own last applied state, marked so: not a linearizable read
                if (s.hasQuorum()) {
                    Read r = read(reader.node(), start, now(), s);
                    synchronized (this) {
                        reads.add(r);
                    }
                }
            } catch (RuntimeException unavailable) {
                // the node is cut off, paused, dead or has no leader: no answer, nothing to check
            }
            pause(Duration.ofMillis(500));
        }
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop.set(true);
        }
    }

    private static long now() { return LocalCluster.nanos(Instant.now()); }

    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(35_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
