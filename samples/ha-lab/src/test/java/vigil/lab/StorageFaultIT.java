package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.raft.admin.AdminClient;
import vigil.raft.agent.AgentAddresses;
import vigil.testkit.LabDir;

/**
 * Storage faults on one member (n3) of a three-process cluster: a full disk (a small tmpfs as its data dir), a log
 * segment cut short, the in-progress segment cut back behind the snapshot, deleted snapshots. Each makes n3 stop
 * applying entries and report why; every node's status shows it within 10 s (measured from when the fault takes
 * effect: the disk filled, or n3 is back up on the damaged storage); n3 is never fenced for it; and once the fault is
 * removed (space freed, or its data dir wiped as the message says) and n3 restarted, it catches up from its peers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StorageFaultIT {
    private static final Duration SHOWN_WITHIN = Duration.ofSeconds(10);
    private static final Duration LONG = Duration.ofSeconds(120);
    private static final Pattern CLOSED = Pattern.compile("log_(\\d+)-(\\d+)");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.\\d+_(\\d+)");
    private static LocalCluster c;
    private static Path tmpfs;
    private static final AtomicInteger writes = new AtomicInteger();

    @BeforeAll
    static void start() {
        List<String> options = new ArrayList<>(LabScenario.nodeJavaOptions());
        options.addAll(List.of("-Dvigil.lab.snapshot-threshold=40", "-Dvigil.lab.segment-size=8192"));
        c = LocalCluster.start(LabDir.create("vigil-storage-"), 3, 0, options);
        // no fencing: a node that stops answering would be declared lost, but must not be killed here; n3 keeps
        // answering throughout, and the test checks it is never declared lost
        c.admin().applyConfig(c.baseConfig(ClusterConfig.builder()
                .properties(ClusterProperties.builder().nodeTimeout(Duration.ofSeconds(3)).stonithEnabled(false).build()).build()));
        awaitAll("every node online", s -> c.members().stream().allMatch(n -> s.node(n).membership() == Membership.ONLINE));
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) c.close();
        if (tmpfs != null) run("umount", tmpfs.toString());
    }

    @Test
    @Order(1)
    void fullDisk_isShownEverywhere_andTheNodeCatchesUpOnceThereIsRoomAgain() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/bin/mount")) && "root".equals(System.getProperty("user.name")), "a tmpfs mount needs root and mount(8)");
        // n3 starts over on an 8 MiB tmpfs; it copies the cluster state from its peers
        c.kill("n3");
        tmpfs = c.nodeDir("n3").resolve("data");
        Files.createDirectories(tmpfs);
        run("mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", tmpfs.toString());
        c.launch("n3");
        awaitCaughtUp("n3 on its tmpfs");

        Path filler = tmpfs.resolve("filler");
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(64 << 10);
            try {
                while (true) {
                    block.clear();
                    ch.write(block);
                }
            } catch (IOException full) {
                // the file system is full now
            }
        }
        long filled = System.nanoTime();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = writer(writing);
        try {
            String why = shownDegradedEverywhere("n3", filled);
            assertTrue(why.contains("cannot write") && why.contains("No space left on device"), why);
            assertNeverDeclaredLost("n3");
        } finally {
            writing.set(false);
            writer.join();
        }

        Files.delete(filler);
        c.kill("n3");
        c.launch("n3");
        awaitHealthyEverywhere("n3");
        awaitCaughtUp("n3 after the disk has room again");
    }

    @Test
    @Order(2)
    void logSegmentCutShort_isShownEverywhere_andAWipedNodeRejoins() throws Exception {
        Path segment = closedSegmentAfterTheSnapshot("n3");
        c.kill("n3");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        c.launch("n3");
        long up = awaitAnswering("n3");
        String why = shownDegradedEverywhere("n3", up);
        assertTrue(why.contains(segment.getFileName().toString()) && why.contains("cut short"), why);
        assertTrue(why.contains("delete its data directory"), why);

        wipeAndRestart("n3");
        awaitHealthyEverywhere("n3");
        awaitCaughtUp("n3 after its data dir was wiped");
    }

    @Test
    @Order(3)
    void inProgressSegmentCutBackBehindTheSnapshot_isRepaired_insteadOfALoop() throws Exception {
        write(50);
        // the open segment must hold whole entries before its last one (about 400 bytes each), or no cut leaves any
        Path raft = groupDir("n3");
        for (int round = 0; round < 40 && written(openSegment(raft)) < 1200; round++) write(1);
        awaitCaughtUp("n3 with the latest entries");
        c.stop("n3"); // a clean stop writes a snapshot of everything applied: the open segment ends behind it
        long snapshot = newestSnapshotIndex(raft);
        Path open = openSegment(raft);
        long first = Long.parseLong(open.getFileName().toString().substring("log_inprogress_".length()));
        assertTrue(first <= snapshot, "the open segment starts at " + first + ", after the snapshot at " + snapshot);
        // cut into its last entry (Ratis preallocates the file: zeros follow the entries); the whole entries before it end
        // behind the snapshot, which Ratis alone answers with "gap between entries" for every entry sent to it
        try (FileChannel ch = FileChannel.open(open, StandardOpenOption.WRITE)) {
            ch.truncate(written(open) - 1);
        }
        c.launch("n3");
        awaitAnswering("n3");
        write(20);
        awaitCaughtUp("n3 after the repair");
        String log = Files.readString(c.dir().resolve("n3.log"));
        assertTrue(log.contains("removed " + open), "no repair was logged");
        assertFalse(log.contains("gap between entries"), "Ratis looped on the gap");
        assertTrue(c.status().orElseThrow().node("n3").degraded().isEmpty());
    }

    @Test
    @Order(4)
    void deletedSnapshots_areShownEverywhere_andAWipedNodeRejoins() throws Exception {
        closedSegmentAfterTheSnapshot("n3"); // entries beyond a snapshot
        c.kill("n3");
        Path raft = groupDir("n3");
        try (Stream<Path> s = Files.list(raft.resolve("current"))) {
            long first = s.map(p -> p.getFileName().toString().replaceAll("log_(inprogress_)?(\\d+).*", "$2")).filter(x -> x.matches("\\d+"))
                    .mapToLong(Long::parseLong).min().orElseThrow();
            assertTrue(first > 0, "the log before the snapshot must have been purged, it starts at " + first);
        }
        Path sm = raft.resolve("sm");
        try (Stream<Path> s = Files.list(sm)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        c.launch("n3");
        long up = awaitAnswering("n3");
        String why = shownDegradedEverywhere("n3", up);
        assertTrue(why.contains("are gone") && why.contains("there is no snapshot"), why);

        wipeAndRestart("n3");
        awaitHealthyEverywhere("n3");
        awaitCaughtUp("n3 after its data dir was wiped");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /**
     * Waits until every node's own status (each asked through its own API) shows {@code node} degraded, checks that
     * this happened within {@link #SHOWN_WITHIN} of {@code since} (System.nanoTime), and returns the reason shown.
     */
    private static String shownDegradedEverywhere(String node, long since) {
        Map<String, String> shown = new java.util.TreeMap<>();
        c.await(LONG, node + " degraded in every node's status", () -> {
            for (Node n : c.nodes()) {
                Optional<ClusterState> s = statusFrom(n);
                if (s.isEmpty() || !s.get().node(node).isDegraded()) return false;
                shown.put(n.id(), s.get().node(node).degraded());
            }
            return true;
        });
        Duration took = Duration.ofNanos(System.nanoTime() - since);
        System.out.printf("%s shown degraded on every node %d ms after the fault took effect: %s%n", node, took.toMillis(), shown.get(node));
        assertTrue(took.compareTo(SHOWN_WITHIN) <= 0, node + " shown degraded everywhere only after " + took.toMillis() + " ms");
        assertEquals(1, new java.util.HashSet<>(shown.values()).size(), "every node shows the same reason: " + shown);
        return shown.get(node);
    }

    private static void awaitHealthyEverywhere(String node) {
        c.await(LONG, node + " healthy in every node's status", () -> c.nodes().stream().allMatch(n -> statusFrom(n)
                .map(s -> !s.node(node).isDegraded() && s.node(node).membership() == Membership.ONLINE).orElse(false)));
    }

    private static void assertNeverDeclaredLost(String node) {
        ClusterState s = c.status().orElseThrow();
        assertEquals(Membership.ONLINE, s.node(node).membership(), node + " was declared lost: " + s.node(node).reason());
        assertTrue(c.isAlive(node));
    }

    /** When {@code node}'s own API answers again (System.nanoTime). */
    private static long awaitAnswering(String node) {
        Node n = c.nodes().stream().filter(x -> x.id().equals(node)).findFirst().orElseThrow();
        c.await(LONG, node + " answering", () -> statusFrom(n).isPresent());
        return System.nanoTime();
    }

    /** Every node has applied the same configuration version as the leader. */
    private static void awaitCaughtUp(String what) {
        c.await(LONG, what, () -> {
            Optional<ClusterState> leader = c.status();
            if (leader.isEmpty()) return false;
            long version = leader.get().configVersion();
            return c.nodes().stream().allMatch(n -> statusFrom(n).map(s -> s.configVersion() == version && !s.node(n.id()).isDegraded()).orElse(false));
        });
    }

    private static Optional<ClusterState> statusFrom(Node n) {
        try (AdminClient one = AdminClient.connect(List.of(AgentAddresses.of(n)), c.adminCredentials(), Duration.ofSeconds(3))) {
            return Optional.of(one.status());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void awaitAll(String what, java.util.function.Predicate<ClusterState> p) {
        c.await(LONG, what, () -> c.status().filter(p).isPresent());
    }

    private static void write(int n) {
        for (int i = 0; i < n; i++) {
            int k = writes.incrementAndGet();
            c.admin().updateConfig(cfg -> cfg.toBuilder().blob("b" + (k % 7), "v" + k).build());
        }
    }

    /** Keeps committing changes (so that n3 has log entries to write) until {@code writing} is cleared. */
    private static Thread writer(AtomicBoolean writing) {
        Thread t = new Thread(() -> {
            while (writing.get()) {
                try {
                    write(1);
                } catch (RuntimeException e) {
                    LocalCluster.sleep(Duration.ofMillis(100));
                }
            }
        }, "storage-it-writer");
        t.start();
        return t;
    }

    /** A closed log segment of {@code node} that holds entries after its newest snapshot (writes until one exists). */
    private static Path closedSegmentAfterTheSnapshot(String node) throws IOException {
        for (int round = 0; round < 40; round++) {
            write(10);
            Path raft = groupDir(node);
            long snapshot = newestSnapshotIndex(raft);
            try (Stream<Path> s = Files.list(raft.resolve("current"))) {
                Optional<Path> seg = s.filter(p -> {
                    Matcher m = CLOSED.matcher(p.getFileName().toString());
                    return m.matches() && Long.parseLong(m.group(1)) > snapshot;
                }).max(Comparator.comparing(p -> p.getFileName().toString()));
                if (seg.isPresent() && snapshot >= 0) return seg.get();
            }
        }
        throw new AssertionError(node + " never had a closed log segment after its snapshot");
    }

    private static Path openSegment(Path raft) throws IOException {
        try (Stream<Path> s = Files.list(raft.resolve("current"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("log_inprogress_")).findFirst().orElseThrow();
        }
    }

    /** Bytes written into a segment file (Ratis preallocates it: zeros follow the entries). */
    private static int written(Path segment) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        int written = bytes.length;
        while (written > 0 && bytes[written - 1] == 0) written--;
        return written;
    }

    private static long newestSnapshotIndex(Path raft) throws IOException {
        try (Stream<Path> s = Files.list(raft.resolve("sm"))) {
            return s.map(p -> SNAPSHOT.matcher(p.getFileName().toString())).filter(Matcher::matches).mapToLong(m -> Long.parseLong(m.group(1)))
                    .max().orElse(-1);
        }
    }

    private static Path groupDir(String node) throws IOException {
        try (Stream<Path> s = Files.list(c.nodeDir(node).resolve("data").resolve("raft"))) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    /** What the degraded node's message says to do: stop it, delete its data dir, start it again. */
    private static void wipeAndRestart(String node) throws IOException {
        c.kill(node);
        Path data = c.nodeDir(node).resolve("data");
        try (Stream<Path> s = Files.walk(data)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(data)) Files.delete(p);
            }
        }
        c.launch(node);
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
}
