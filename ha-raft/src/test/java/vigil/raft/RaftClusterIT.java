package vigil.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.status.ClusterState;
import vigil.engine.state.Command;
import vigil.testkit.Await;
import vigil.testkit.LabDir;

/**
 * Three node processes on 127.0.0.1-3: committed changes survive a SIGKILL of the leader, and a killed node catches
 * up after a restart, once from the log and once from a snapshot because the leader purged the log it missed.
 */
class RaftClusterIT {
    private static final int RESOURCES = 10;
    private static final Duration LONG = Duration.ofSeconds(90);

    @Test
    void leaderKilled_acknowledgedChangesSurvive_andRestartedNodeCatchesUpByLogThenBySnapshot() throws Exception {
        Path dir = LabDir.create("vigil-raft-it-");
        try (LocalCluster cluster = LocalCluster.start(dir, "it", 3, List.of("--snapshot-threshold", "300", "--segment-size", "16384"));
             VigilClient client = VigilClient.connect("it", cluster.nodes(), cluster.clientTls(), cluster.secret())) {
            List<Command> setup = new ArrayList<>();
            for (int r = 0; r < RESOURCES; r++) setup.add(new Command.PutResource(Primitive.builder("r" + r, "ocf:heartbeat:Dummy").build()));
            for (CommandResult res : client.submit(setup).get(60, TimeUnit.SECONDS)) res.orThrow();

            // 1,000 config changes, 64 in flight
            Set<Integer> acked = ConcurrentHashMap.newKeySet();
            Writer first = new Writer(client, acked, 0, 64);
            first.runUntil(1_000);
            assertEquals(1_000, acked.size(), "every one of the first 1,000 changes is acknowledged");

            // SIGKILL the leader while changes keep coming
            String leader = client.readLeader().leaderId();
            int killed = indexOf(cluster, leader);
            Writer during = new Writer(client, acked, 1_000, 64);
            Thread writer = new Thread(() -> during.runUntil(Integer.MAX_VALUE), "it-writer");
            writer.start();
            Await.until(LONG, "writes under way", () -> acked.size() > 1_200);
            cluster.kill(killed);
            long killedAt = System.nanoTime();
            int ackedAtKill = acked.size();
            int survivor = (killed + 1) % 3;
            Await.until(LONG, "a new leader among the survivors", () -> {
                String l = client.readLocal(cluster.nodes().get(survivor).id()).leaderId();
                return !l.isEmpty() && !l.equals(leader);
            });
            long electedAt = System.nanoTime();
            Await.until(LONG, "a write committed by the new leader", () -> acked.size() > ackedAtKill);
            // information only (no timed assertions): how long the cluster could not commit
            System.out.printf("leader %s killed: new leader known after %d ms, first write acknowledged after %d ms%n", leader,
                    (electedAt - killedAt) / 1_000_000, (System.nanoTime() - killedAt) / 1_000_000);
            Await.until(LONG, "writes committed by the new leader", () -> acked.size() > ackedAtKill + 500);
            during.stop();
            writer.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(writer.isAlive());

            Set<Integer> expected = Set.copyOf(acked);
            for (int i = 0; i < 3; i++) {
                if (i == killed) continue;
                String id = cluster.nodes().get(i).id();
                Await.until(LONG, id + " holds every acknowledged change", () -> missing(client.readLocal(id).state(), expected).isEmpty());
            }

            // restart the killed node: it catches up through the log
            cluster.restart(killed, LONG);
            String killedId = cluster.nodes().get(killed).id();
            Await.until(LONG, killedId + " caught up from the log", () -> missing(client.readLocal(killedId).state(), expected).isEmpty());
            assertFalse(log(cluster, killed).contains("installed a snapshot from the leader"), "first catch-up used the log");

            // kill it again; one change per log entry pushes the leader past its snapshot threshold, so it purges its log
            long behindAt = client.readLocal(killedId).appliedIndex();
            cluster.kill(killed);
            Set<Integer> acked2 = ConcurrentHashMap.newKeySet();
            try (VigilClient oneByOne = VigilClient.connect("it", cluster.nodes(), cluster.clientTls(), cluster.secret(), 1, 16)) {
                new Writer(oneByOne, acked2, 100_000, 32).runUntil(1_500);
            }
            assertEquals(1_500, acked2.size());
            int alive = (killed + 1) % 3;
            int leaderIndex = indexOf(cluster, client.readLocal(cluster.nodes().get(alive).id()).leaderId());
            Await.until(LONG, "leader purged the log the killed node misses", () -> firstLogIndex(cluster.dataDir(leaderIndex)) > behindAt + 1);

            cluster.restart(killed, LONG);
            Set<Integer> all = new java.util.HashSet<>(expected);
            all.addAll(acked2);
            Await.until(LONG, killedId + " caught up from a snapshot", () -> missing(client.readLocal(killedId).state(), all).isEmpty());
            assertTrue(log(cluster, killed).contains("installed a snapshot from the leader"), "second catch-up installed the leader's snapshot");
            for (int i = 0; i < 3; i++) {
                String id = cluster.nodes().get(i).id();
                Await.until(LONG, id + " holds every acknowledged change", () -> missing(client.readLocal(id).state(), all).isEmpty());
            }
            ClusterState a = client.readLocal(cluster.nodes().get(0).id()).state();
            Await.until(LONG, "replicas converge to equal states", () -> {
                long idx0 = client.readLocal(cluster.nodes().get(0).id()).appliedIndex();
                return idx0 == client.readLocal(cluster.nodes().get(1).id()).appliedIndex()
                        && idx0 == client.readLocal(cluster.nodes().get(2).id()).appliedIndex()
                        && client.readLocal(cluster.nodes().get(0).id()).state().equals(client.readLocal(cluster.nodes().get(2).id()).state())
                        && client.readLocal(cluster.nodes().get(1).id()).state().equals(client.readLocal(cluster.nodes().get(2).id()).state());
            });
            assertNotEquals(null, a);
        }
    }

    /** Keeps {@code inFlight} SetResourceMeta changes outstanding; change i sets meta k{i}=v{i} on resource r{i % 10}. */
    private static final class Writer {
        private final VigilClient client;
        private final Set<Integer> acked;
        private final AtomicInteger next;
        private final Semaphore permits;
        private final int inFlight;
        private final AtomicBoolean stopped = new AtomicBoolean();

        Writer(VigilClient client, Set<Integer> acked, int from, int inFlight) {
            this.client = client;
            this.acked = acked;
            this.next = new AtomicInteger(from);
            this.inFlight = inFlight;
            this.permits = new Semaphore(inFlight);
        }

        void stop() { stopped.set(true); }

        /** Submits until {@code count} changes were sent (or stop()), then waits for all answers. */
        void runUntil(int count) {
            int sent = 0;
            try {
                while (sent < count && !stopped.get()) {
                    if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
                    int i = next.getAndIncrement();
                    sent++;
                    client.submit(List.of(change(i))).whenComplete((res, err) -> {
                        if (err == null && res.get(0).ok()) acked.add(i);
                        permits.release();
                    });
                }
                if (!permits.tryAcquire(inFlight, 60, TimeUnit.SECONDS)) throw new AssertionError("submissions never answered");
                permits.release(inFlight);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Command change(int i) { return new Command.SetResourceMeta("r" + (i % RESOURCES), "k" + i, "v" + i); }

    private static List<Integer> missing(ClusterState s, Set<Integer> changes) {
        List<Integer> out = new ArrayList<>();
        for (int i : changes) {
            Optional<Resource> r = s.config().resource("r" + (i % RESOURCES));
            if (r.isEmpty() || !r.get().meta().get("k" + i).equals(Optional.of("v" + i))) out.add(i);
        }
        return out;
    }

    private static int indexOf(LocalCluster c, String id) {
        for (int i = 0; i < c.nodes().size(); i++) if (c.nodes().get(i).id().equals(id)) return i;
        throw new AssertionError("no node " + id + " (leader unknown?)");
    }

    private static String log(LocalCluster c, int i) throws IOException { return Files.readString(c.logFile(i)); }

    /** The first log index still on disk: the start of the oldest segment file ({@code log_<start>-<end>} or {@code log_inprogress_<start>}). */
    private static long firstLogIndex(Path dataDir) {
        try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("log_"))
                    .mapToLong(n -> Long.parseLong(n.replace("log_inprogress_", "").replace("log_", "").split("-")[0]))
                    .min().orElse(Long.MAX_VALUE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
