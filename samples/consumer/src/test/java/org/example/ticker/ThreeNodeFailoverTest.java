package org.example.ticker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.raft.tls.ClusterCa;

/**
 * The README's example as three separate processes on 127.0.0.1-3: the ticker runs on exactly one of them; after
 * {@code kill -9} of that process it runs on exactly one of the two others.
 */
class ThreeNodeFailoverTest {
    private static final List<String> NODES = List.of("node1", "node2", "node3");
    private final Map<String, Process> processes = new LinkedHashMap<>();
    @TempDir Path dir;

    @Test
    void tickerRunsOnOneNode_andMovesAfterKill9() throws Exception {
        ClusterCa ca = ClusterCa.create("scheduler", UUID.randomUUID());   // what `vigil certs issue` makes
        for (int i = 0; i < NODES.size(); i++) {
            Path home = Files.createDirectories(dir.resolve(NODES.get(i)));
            ca.issueNode(NODES.get(i), List.of("127.0.0." + (i + 1))).save(home.resolve("pki"));
            Files.writeString(home.resolve("token"), "ticker-cluster-admin-token\n");
        }
        for (String n : NODES) start(n);

        String first = await(Duration.ofSeconds(120), "the ticker active on one node", this::soleActive);
        assertTicksOnlyOn(first);

        processes.get(first).destroyForcibly().waitFor();   // SIGKILL: no shutdown hook, no goodbye
        String second = await(Duration.ofSeconds(90), "the ticker active on a survivor", () -> {
            String a = soleActive();
            return a != null && !a.equals(first) ? a : null;
        });
        assertTicksOnlyOn(second);
        for (String n : NODES) {
            if (!n.equals(first) && !n.equals(second)) assertEquals(0, count(n, "TICKER STARTED"), n + " never ran the ticker\n" + logs());
        }
    }

    private void start(String node) throws IOException {
        Path home = dir.resolve(node);
        processes.put(node, new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), TickerService.class.getName(), node)
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(home.resolve("out.log").toFile()).start());
    }

    /** The node whose ticker runs now (started and not stopped), if exactly one of the live processes has one. */
    private String soleActive() {
        List<String> active = new ArrayList<>();
        for (String n : NODES) {
            if (processes.get(n).isAlive() && count(n, "TICKER STARTED") > count(n, "TICKER STOPPED")) active.add(n);
        }
        if (active.size() > 1) fail("the ticker runs on " + active + " at once\n" + logs());
        return active.isEmpty() ? null : active.get(0);
    }

    /** For two seconds only {@code node} ticks among the live processes. */
    private void assertTicksOnlyOn(String node) throws InterruptedException {
        Map<String, Long> before = new LinkedHashMap<>();
        for (String n : NODES) before.put(n, count(n, "TICK " + n));
        Thread.sleep(2000);
        for (String n : NODES) {
            long ticks = count(n, "TICK " + n) - before.get(n);
            if (n.equals(node)) assertTrue(ticks > 0, node + " is active but does not tick\n" + logs());
            else if (processes.get(n).isAlive()) assertEquals(0, ticks, n + " ticks while " + node + " is active\n" + logs());
        }
    }

    private long count(String node, String prefix) {
        return out(node).lines().filter(l -> l.startsWith(prefix)).count();
    }

    private String out(String node) {
        try {
            return Files.readString(dir.resolve(node).resolve("out.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private String await(Duration timeout, String what, Supplier<String> probe) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String v = probe.get();
            if (v != null) return v;
            for (String n : NODES) {
                if (!processes.get(n).isAlive() && processes.get(n).exitValue() != 137 && processes.get(n).exitValue() != 9) {
                    fail(n + " exited " + processes.get(n).exitValue() + ":\n" + out(n));
                }
            }
            Thread.sleep(200);
        }
        return fail("timed out after " + timeout + " waiting for " + what + "\n" + logs());
    }

    /** Every node's output without its ticks. */
    private String logs() {
        StringBuilder logs = new StringBuilder();
        for (String n : NODES) {
            logs.append("--- ").append(n).append('\n');
            out(n).lines().filter(l -> !l.startsWith("TICK ") && !l.startsWith("StateChanged[")).forEach(l -> logs.append(l).append('\n'));
        }
        return logs.toString();
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes.values()) p.destroy();
        for (Process p : processes.values()) {
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }
}
