package vigil.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import java.util.Locale;
import vigil.api.ClusterEvent;
import vigil.api.Subscription;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.daemon.cli.StatusView;

/**
 * {@code vigil demo}: starts a three-node cluster of separate processes on 127.0.0.1-3 running the ticker (a Java
 * singleton service) and, where resource-agents is installed, an OCF Dummy; shows the status; SIGKILLs the node
 * running the ticker; shows the node being fenced and the ticker recovered elsewhere as it happens, with the measured
 * failover time; restarts the killed node and shuts everything down.
 */
public final class Demo {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

    private Demo() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            err.println("demo: takes no arguments (got " + String.join(" ", args) + ")");
            return 2;
        }
        boolean dummy = LabScenario.dummyAvailable();
        say(out, "starting a local cluster: 3 node processes on 127.0.0.1, 127.0.0.2, 127.0.0.3");
        try (LocalCluster c = LocalCluster.start(LabScenario.labDir("vigil-demo-"), 3, 0, LabScenario.nodeJavaOptions())) {
            say(out, "nodes are up (logs, Raft data and ledgers in " + c.dir() + "); leader: " + c.leader().orElse("?"));
            say(out, "configuring: ticker (java:ticker, a singleton job)" + (dummy ? " and dummy (ocf:heartbeat:Dummy)" : "")
                    + "; fencing: SIGKILL of the node process; node-timeout 1 s");
            if (!dummy) say(out, "(resource-agents is not installed: running without the OCF Dummy)");
            c.admin().applyConfig(c.baseConfig(LabScenario.workload(dummy, Duration.ofSeconds(1))));
            ClusterState s = c.awaitValue(Duration.ofSeconds(60), "resources to start",
                    () -> c.status().filter(st -> LabScenario.settled(st, c.nodes())));
            out.println();
            out.print(StatusView.text(s));
            out.println();
            String victim = LabScenario.runningOn(s, LabScenario.TICKER).orElseThrow();
            try (Subscription sub = c.admin().subscribe(e -> narrate(out, e))) {
                say(out, "the ticker runs on " + victim + ": killing " + victim + " with SIGKILL (pid " + c.pid(victim) + ")");
                Instant killed = c.kill(victim);
                String target = c.awaitValue(Duration.ofSeconds(60), "the ticker to start elsewhere",
                        () -> c.status().flatMap(st -> LabScenario.runningOn(st, LabScenario.TICKER)).filter(n -> !n.equals(victim)));
                Instant started = c.awaitValue(Duration.ofSeconds(10), "the ticker's start in the ledger",
                        () -> LabScenario.startedAt(c.ledger(), LabScenario.TICKER, target, killed));
                ClusterState after = c.status().orElseThrow();
                FenceEvent fence = after.fenceHistory().stream().filter(e -> e.target().equals(victim) && e.success()).reduce((a, b) -> b).orElse(null);
                LocalCluster.sleep(Duration.ofMillis(300)); // let the last events print
                say(out, String.format(Locale.ROOT, "failover: %s was fenced %s ms after the kill, and the ticker was running on %s %s ms after it "
                        + "(node-timeout 1000 ms)", victim, fence == null ? "?" : LabScenario.ms(Duration.between(killed, fence.at())), target,
                        LabScenario.ms(Duration.between(killed, started))));
                out.println();
                out.print(StatusView.text(after));
                out.println();
                say(out, "restarting " + victim + " (as a rebooted host would); it rejoins and probes its resources");
                c.launch(victim);
                c.await(Duration.ofSeconds(60), victim + " to rejoin", () -> c.status().filter(st -> LabScenario.settled(st, c.nodes())).isPresent());
                say(out, victim + " is online again; the ticker stays on " + target + " (no failback needed)");
            }
            say(out, "shutting down the cluster");
        } catch (RuntimeException e) {
            err.println("demo: " + e.getMessage());
            return 1;
        }
        say(out, "done");
        return 0;
    }

    private static void narrate(PrintStream out, ClusterEvent e) {
        if (e instanceof ClusterEvent.NodeChanged n) {
            say(out, "  event: node " + n.node().node() + " is " + n.node().membership() + (n.node().reason().isEmpty() ? "" : " (" + n.node().reason() + ")"));
        } else if (e instanceof ClusterEvent.Fenced f) {
            say(out, "  event: " + (f.fence().success() ? "fenced " : "fencing FAILED for ") + f.fence().target() + " by " + f.fence().devices()
                    + " (" + f.fence().detail() + ")");
        } else if (e instanceof ClusterEvent.ResourceActive r) {
            say(out, "  event: " + r.resource() + " " + r.role() + " on " + r.node());
        } else if (e instanceof ClusterEvent.ResourceStopped r) {
            say(out, "  event: " + r.resource() + " stopped on " + r.node());
        } else if (e instanceof ClusterEvent.LeaderChanged l) {
            say(out, "  event: leader is " + l.leader() + " (term " + l.term() + ")");
        }
    }

    private static synchronized void say(PrintStream out, String line) {
        out.println("[" + LocalTime.now(ZoneId.systemDefault()).format(CLOCK) + "] " + line);
    }

}
