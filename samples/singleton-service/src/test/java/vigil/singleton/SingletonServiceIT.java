package vigil.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;
import vigil.testkit.Peer;

/** Three service processes: the ticker runs on exactly one; killing that one moves it to another. */
class SingletonServiceIT {

    @Test
    void ticker_runsOnOneNode_andMovesWhenItsNodeDies() throws Exception {
        Path lab = LabDir.create("single");
        Path token = lab.resolve("token");
        Files.writeString(token, "singleton-test-token\n");
        Path ticks = lab.resolve("ticks.log");
        int port = FreePorts.base(2, "127.0.0.1", "127.0.0.2", "127.0.0.3");
        String peers = "n1=127.0.0.1:" + port + ",n2=127.0.0.2:" + port + ",n3=127.0.0.3:" + port;
        Map<String, Peer> nodes = new LinkedHashMap<>();
        // the cluster CA of this test cluster and each node's certificate, as 'vigil certs issue' makes them
        vigil.raft.tls.ClusterCa ca = vigil.raft.tls.ClusterCa.create("singleton", java.util.UUID.randomUUID());
        for (int i = 1; i <= 3; i++) ca.issueNode("n" + i, List.of("127.0.0." + i)).save(lab.resolve("n" + i + "-pki"));
        try {
            for (String id : List.of("n1", "n2", "n3")) {
                nodes.put(id, Peer.start(id, lab, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                        "-cp", System.getProperty("java.class.path"), SingletonService.class.getName(), "--id", id, "--peers", peers,
                        "--data", lab.resolve(id).toString(), "--token-file", token.toString(), "--ticks", ticks.toString(), "--interval", "100ms",
                        "--pki", lab.resolve(id + "-pki").toString())));
            }
            for (var e : nodes.entrySet()) {
                Await.until(Duration.ofSeconds(60), e.getKey() + " ready (log " + e.getValue().log() + ")", () -> read(e.getValue().log()).contains("READY"));
            }
            Await.until(Duration.ofSeconds(60), "ticks", () -> Files.exists(ticks) && lines(ticks).size() >= 5);
            int seen = lines(ticks).size();
            Await.until(Duration.ofSeconds(30), "20 more ticks", () -> lines(ticks).size() >= seen + 20);
            Set<String> writers = writers(lines(ticks).subList(seen, lines(ticks).size()));
            assertEquals(1, writers.size(), "ticks from " + writers);
            String active = writers.iterator().next();

            nodes.get(active).process().destroyForcibly().waitFor();
            int before = lines(ticks).size();
            String next = Await.value(Duration.ofSeconds(60), "ticks from another node", () -> {
                List<String> after = lines(ticks).subList(before, lines(ticks).size());
                Set<String> w = writers(after);
                w.remove(active);
                return w.isEmpty() ? null : w.iterator().next();
            });
            int moved = lines(ticks).size();
            Await.until(Duration.ofSeconds(30), "10 ticks on " + next, () -> lines(ticks).size() >= moved + 10);
            assertEquals(Set.of(next), writers(lines(ticks).subList(moved, lines(ticks).size())), "exactly one node ticks after the failover");
            assertTrue(!next.equals(active));
        } finally {
            nodes.values().forEach(Peer::close);
        }
    }

    private static List<String> lines(Path f) {
        try {
            List<String> out = new ArrayList<>();
            for (String l : Files.readAllLines(f)) if (l.startsWith("tick ")) out.add(l);
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }

    private static Set<String> writers(List<String> lines) {
        Set<String> s = new TreeSet<>();
        for (String l : lines) s.add(l.split(" ")[2]);
        return s;
    }
}
