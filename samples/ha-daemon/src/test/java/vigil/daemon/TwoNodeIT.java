package vigil.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.raft.admin.AdminClient;
import vigil.raft.admin.TokenAuth;
import vigil.raft.tls.ClusterCa;
import vigil.testkit.Await;
import vigil.testkit.FreePorts;
import vigil.testkit.LabDir;
import vigil.testkit.Peer;

/**
 * Two-node mode on two {@code vigil daemon} processes (n1 on 127.0.0.31, n2 on 127.0.0.32, TLS) made by init + join
 * as the README says, with no witness: each host is fenced by a {@code process} fence device that SIGKILLs its daemon
 * (fencing n1 waits 2 s, so n1 would win a fence race). {@code vigil property set other.two-node=true} turns the mode
 * on. Then: the host running d1 is killed (SIGKILL, its resource directory wiped as a power loss would) -> the other one
 * fences it, continues as the only Raft voter and runs d1, once; the killed host started again runs nothing until its
 * peer made it a voter again (two voters, both online, d1 still where it was); both killed and only one started ->
 * it waits (wait_for_all: fences nobody, runs nothing) until {@code vigil node confirm-down} names its peer, then
 * runs d1 alone.
 */
class TwoNodeIT {
    private static final List<String> NODES = List.of("n1", "n2");
    private final Path lab = LabDir.create("v2");
    private final int port = FreePorts.base(2, "127.0.0.31", "127.0.0.32");
    private final Map<String, Peer> daemons = new LinkedHashMap<>();
    private int starts;

    @AfterEach
    void stop() { daemons.values().forEach(Peer::close); }

    @Test
    void twoHostsWithoutAWitness_survivorFencesContinuesAloneAndTakesItsPeerBack_aLoneRestartWaitsForItsPeer() throws Exception {
        Files.writeString(lab.resolve("cluster.yaml"), """
                properties:
                  node-timeout: 2s
                resources:
                  d1:
                    type: ocf:heartbeat:Dummy
                    meta: {resource-stickiness: "100"}
                    operations:
                      - {name: monitor, interval: 2s, timeout: 20s}
                fence-devices:
                  kill-n1:
                    type: process
                    params: {match: "/n1/node.yaml"}
                    host-map: {n1: %s}
                    delay: 2s
                  kill-n2:
                    type: process
                    params: {match: "/n2/node.yaml"}
                    host-map: {n2: %s}
                """.formatted(pidFile("n1"), pidFile("n2")));
        JoinedCluster.ok("init", "--node", "n1", "--raft", raft("n1"), "--admin", admin("n1"), "--dir", dir("n1").toString(),
                "--cluster-config", lab.resolve("cluster.yaml").toString());
        start("n1");
        String token = JoinedCluster.ok("token", "create", "--node-config", nodeYaml("n1").toString()).out().trim();
        JoinedCluster.ok("join", "--node", "n2", "--raft", raft("n2"), "--admin", admin("n2"), "--dir", dir("n2").toString(), "--cluster", admin("n1"),
                "--token", token);
        start("n2");
        awaitStatus(180, "2 voters, both online, d1 running", s -> s.server().voters().size() == 2 && bothOnline(s.state())
                && s.state().activeNodes("d1").size() == 1);
        String before = JoinedCluster.ok("status", "--node-config", nodeYaml("n1").toString()).out();
        assertTrue(before.contains("Quorum mode: no witness and not two-node"), before);
        JoinedCluster.ok("property", "set", "other.two-node=true", "--node-config", nodeYaml("n1").toString());
        String status = JoinedCluster.ok("status", "--node-config", nodeYaml("n1").toString()).out();
        assertTrue(status.contains("Quorum mode: two-node"), status);
        // each host notes the mode in its data directory, for a start before a leader told it the config again
        Await.until(Duration.ofSeconds(10), "both hosts noted two-node mode", () -> NODES.stream().allMatch(n -> Files.exists(dir(n).resolve("data").resolve("two-node"))));

        // 1. the host running d1 dies: its peer fences it, becomes the only voter and runs d1
        String dead;
        try (AdminClient c = client()) {
            dead = c.status().activeNodes("d1").get(0);
        }
        String survivor = other(dead);
        powerOff(dead);
        awaitStatus(120, survivor + " alone: the only voter, " + dead + " fenced, d1 running there", s -> s.server().voters().equals(List.of(survivor + "=" + raft(survivor)))
                && s.state().node(dead).membership() != Membership.ONLINE && s.state().activeNodes("d1").equals(List.of(survivor))
                && runningDummies().equals(List.of(survivor)));
        String log = log(survivor);
        assertTrue(log.contains("two-node: fencing " + dead + " confirmed it off"), log);
        int stopped = log.indexOf("stopping the Raft replica: two-node: fencing " + dead);
        assertTrue(stopped >= 0 && stopped < log.indexOf("two-node: fencing " + dead + " confirmed it off"), "the replica stopped before the fence ran: " + log);
        assertTrue(log.contains("restarting as the only voter") && log.contains("starting again (two-node mode)"), log);
        assertEquals(List.of(survivor), runningDummies());
        String alone = JoinedCluster.ok("status", "--cluster", admin(survivor), "--node-config", nodeYaml(survivor).toString()).out();
        assertTrue(alone.contains("Quorum mode: two-node (a host whose peer is lost fences it, then runs alone); DEGRADED: " + dead + " is not online"), alone);

        // 2. the dead host comes back: it runs nothing until its peer made it a voter again
        start(dead);
        awaitStatus(120, dead + " a voter again, both online", s -> s.server().voters().size() == 2 && bothOnline(s.state()));
        assertTrue(log(dead).contains("two-node: WAIT_FOR_ALL"), log(dead));
        // the survivor's status shows the new voter before the admitted host has read its peer's answer and logged it
        Await.until(Duration.ofSeconds(30), dead + " logging that its peer admitted it", () -> log(dead).contains("admitted it: a voter again"));
        Thread.sleep(6_000); // node-timeout 2 s + the device's 2 s delay: a peer that fenced the host it admitted would have by now
        assertTrue(daemons.get(dead).isAlive(), "the host admitted again is not fenced");
        String sinceAlone = log(survivor).substring(log(survivor).lastIndexOf("two-node: SINGLE"));
        assertFalse(sinceAlone.contains("FENCE_PEER"), sinceAlone);
        try (AdminClient c = client()) {
            assertEquals(List.of(survivor), c.status().activeNodes("d1"));
        }
        assertEquals(List.of(survivor), runningDummies());

        // 3. both hosts lose power; only the one that did not run d1 comes back: it waits for its peer (wait_for_all)
        powerOff(survivor);
        powerOff(dead);
        start(dead);
        Thread.sleep(8_000); // node-timeout 2 s: a host that did not wait would have fenced and gone single by now
        String waiting = log(dead);
        assertTrue(waiting.contains("two-node: WAIT_FOR_ALL"), waiting);
        assertFalse(waiting.substring(waiting.lastIndexOf("running; admin API on")).contains("fencing " + survivor), waiting);
        assertEquals(List.of(), runningDummies());
        JoinedCluster.ok("node", "confirm-down", survivor, "--cluster", admin(dead), "--node-config", nodeYaml(dead).toString());
        awaitStatus(120, dead + " alone after the confirmation, " + survivor + " declared lost, d1 running there",
                s -> s.server().voters().equals(List.of(dead + "=" + raft(dead))) && s.state().node(survivor).membership() != Membership.ONLINE
                        && s.state().activeNodes("d1").equals(List.of(dead)) && runningDummies().equals(List.of(dead)));
        assertEquals(List.of(dead), runningDummies());
    }

    private interface Check {
        boolean test(AdminClient.Status2 s);
    }

    private void awaitStatus(int seconds, String what, Check check) {
        String[] seen = {"no answer yet"};
        try {
            Await.until(Duration.ofSeconds(seconds), what, () -> {
                try (AdminClient c = client()) {
                    AdminClient.Status2 s = c.statusWithServer();
                    seen[0] = "via " + s.server().node() + ": voters " + s.server().voters() + ", nodes "
                            + NODES.stream().map(n -> n + "=" + s.state().node(n).membership()).toList() + ", d1 on " + s.state().activeNodes("d1");
                    return check.test(s);
                } catch (RuntimeException e) {
                    seen[0] = e.toString();
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last status " + seen[0] + "\n" + logTails(), e);
        }
    }

    private static boolean bothOnline(ClusterState s) { return NODES.stream().allMatch(n -> s.node(n).membership() == Membership.ONLINE); }

    /** The nodes whose resource directory holds d1's Dummy state: where d1 really runs. */
    private List<String> runningDummies() {
        List<String> out = new ArrayList<>();
        for (String n : NODES) {
            try (Stream<Path> files = Files.list(rsctmp(n))) {
                if (files.anyMatch(f -> f.getFileName().toString().contains("d1"))) out.add(n);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return out;
    }

    /** SIGKILL, and the resource directory wiped: what a power loss leaves of a host. */
    private void powerOff(String id) throws Exception {
        daemons.get(id).process().destroyForcibly().waitFor();
        wipe(rsctmp(id));
    }

    private static void wipe(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
        }
    }

    private static String other(String node) { return node.equals("n1") ? "n2" : "n1"; }

    private static String ip(String node) { return "127.0.0." + (30 + NODES.indexOf(node) + 1); }

    private String raft(String node) { return ip(node) + ":" + port; }

    private String admin(String node) { return ip(node) + ":" + (port + 1); }

    private Path dir(String node) { return lab.resolve(node); }

    private Path nodeYaml(String node) { return dir(node).resolve("node.yaml"); }

    private Path pidFile(String node) { return lab.resolve(node + ".pid"); }

    private Path rsctmp(String node) { return lab.resolve(node + "-rsctmp"); }

    private AdminClient client() {
        List<String> targets = NODES.stream().map(this::admin).toList();
        return AdminClient.connect(targets, AdminClient.Credentials.token(TokenAuth.readTokenFile(dir("n1").resolve("token")),
                ClusterCa.readCertificates(dir("n1").resolve("pki").resolve(ClusterCa.CA_CERT))), Duration.ofSeconds(10));
    }

    private String log(String node) {
        try {
            return Files.readString(daemons.get(node).log());
        } catch (IOException e) {
            return "";
        }
    }

    private String logTails() {
        StringBuilder out = new StringBuilder();
        for (String id : daemons.keySet()) {
            List<String> lines = log(id).lines().filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t... ")).toList();
            // Vigil's own lines tell the story (two-node steps, restarts, fences); Ratis' retries fill the rest
            List<String> own = lines.stream().filter(l -> l.contains(" vigil.")).toList();
            out.append("---- ").append(id).append(", Vigil's last 80 lines\n");
            for (String l : own.subList(Math.max(0, own.size() - 80), own.size())) out.append(l).append('\n');
            out.append("---- ").append(id).append(", last 60 lines\n");
            for (String l : lines.subList(Math.max(0, lines.size() - 60), lines.size())) out.append(l).append('\n');
        }
        return out.toString();
    }

    /** Starts (or starts again) the daemon of {@code id}, and writes its pid where its fence device looks. */
    private void start(String id) throws IOException {
        Path rsc = Files.createDirectories(rsctmp(id));
        List<String> cmd = List.of("sh", "-c", "umask 077 && exec \"$@\"", "sh", "env", "HA_RSCTMP=" + rsc,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "daemon", "--config", nodeYaml(id).toString());
        Peer p = Peer.start(id + "-" + (++starts), lab, cmd);
        daemons.put(id, p);
        Files.writeString(pidFile(id), Long.toString(p.process().pid()));
        Await.until(Duration.ofSeconds(120), id + " running (log " + p.log() + ")", () -> log(id).contains("running; admin API on"));
    }
}
