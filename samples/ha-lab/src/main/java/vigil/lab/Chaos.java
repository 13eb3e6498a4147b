package vigil.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import vigil.api.model.Clone;
import vigil.api.model.Resource;
import vigil.api.status.ClusterState;
import vigil.engine.executor.Ledger;

/**
 * {@code vigil chaos --schedules N --seed S [--nodes 3|5]}: runs N seeded, reproducible schedules of faults against a
 * local cluster of separate processes (SIGKILL of a node, of the leader or of the node running the ticker; SIGSTOP
 * pauses shorter and longer than node-timeout; restarts; a node cut off from all others, or one link between two nodes
 * cut, shorter or longer than node-timeout, where network namespaces can be made), while a client commits config
 * changes. After each
 * schedule it heals the cluster and checks that no primitive was ever active on two nodes at once (ledgers + death
 * and fence times), that every resource runs again, and that no acknowledged config change was lost. Ends with one
 * line {@code schedules=<n> violations=<n>}; exits non-zero on any violation, printing the schedule and the ledger
 * lines that broke.
 */
public final class Chaos {
    private Chaos() {}

    enum Fault { KILL, KILL_LEADER, KILL_RUNNING, SHORT_PAUSE, LONG_PAUSE, RESTART, ISOLATE, CUT_LINK }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int schedules;
        long seed;
        int nodes;
        try {
            Map<String, String> a = Args.parse(args, List.of());
            schedules = Args.integer(a, "schedules", 10);
            seed = Args.longValue(a, "seed", 1);
            nodes = Args.integer(a, "nodes", 3);
            if (schedules < 1) throw new IllegalArgumentException("--schedules must be at least 1");
            if (nodes != 3 && nodes != 5) throw new IllegalArgumentException("--nodes must be 3 or 5");
        } catch (IllegalArgumentException e) {
            err.println("chaos: " + e.getMessage() + " (usage: vigil chaos --schedules N --seed S [--nodes 3|5])");
            return 2;
        }
        int violations = 0;
        Duration nodeTimeout = Duration.ofSeconds(1);
        Optional<String> noNetwork = LabNetwork.unavailable();
        try (LocalCluster c = LocalCluster.start(LabScenario.labDir("vigil-chaos-"), nodes, 0, LabScenario.nodeJavaOptions(), noNetwork.isEmpty())) {
            out.println("chaos: " + nodes + " node processes in " + c.dir() + ", seed " + seed + ", " + schedules + " schedules");
            out.println(noNetwork.map(why -> "chaos: WITHOUT network cuts: network namespaces cannot be made here (" + why + ")")
                    .orElse("chaos: every node in its own network namespace; faults include network cuts"));
            c.admin().applyConfig(c.baseConfig(LabScenario.workload(LabScenario.dummyAvailable(), nodeTimeout)));
            Set<String> clones = new HashSet<>();
            for (Resource r : c.admin().status().config().resources()) {
                if (r instanceof Clone) r.primitives().forEach(p -> clones.add(p.id()));
            }
            c.await(Duration.ofSeconds(90), "the cluster to settle", () -> c.status().filter(s -> LabScenario.settled(s, c.nodes())).isPresent());
            Writer writer = new Writer(c);
            Thread wt = new Thread(writer, "chaos-writer");
            wt.setDaemon(true);
            wt.start();
            try {
                for (int i = 1; i <= schedules; i++) {
                    Random rnd = new Random(seed * 1_000_003L + i);
                    List<String> done = new ArrayList<>();
                    Instant from = Instant.now();
                    int events = 2 + rnd.nextInt(3);
                    for (int e = 0; e < events; e++) {
                        done.add(inject(c, rnd, nodeTimeout));
                        LocalCluster.sleep(Duration.ofMillis(300 + rnd.nextInt(1700)));
                    }
                    c.heal();
                    for (String n : c.members()) c.resume(n);
                    List<String> restarted = new ArrayList<>(c.restartDead());
                    Instant healStart = Instant.now();
                    Optional<String> problem = Optional.empty();
                    try {
                        // a fence with the process device is a reboot whose power-on never comes: restart what it killed, as
                        // the host would come back after a real reboot
                        c.await(Duration.ofSeconds(120), "every resource running again", () -> {
                            c.restartDead().stream().filter(n -> !restarted.contains(n)).forEach(restarted::add);
                            return c.status().filter(s -> LabScenario.settled(s, c.nodes())).isPresent();
                        });
                    } catch (IllegalStateException ex) {
                        problem = Optional.of("did not recover: " + ex.getMessage() + "; status: " + c.status().map(Chaos::brief).orElse("no leader"));
                    }
                    // what was acknowledged before a linearizable read must be in what that read returns
                    long acked = writer.acknowledged();
                    ClusterState s = c.status().orElse(null);
                    List<String> broken = new ArrayList<>();
                    problem.ifPresent(broken::add);
                    if (s != null) {
                        List<LedgerChecker.Violation> v = LedgerChecker.check(c.ledger(), c.deaths(s), clones);
                        v.forEach(x -> broken.add(x.toString()));
                        long found = Long.parseLong(s.config().blobs().getOrDefault(Writer.COUNTER, "0"));
                        if (found < acked) broken.add("acknowledged config change lost: counter " + acked + " was acknowledged, the cluster has " + found);
                    }
                    String line = String.format(Locale.ROOT, "schedule %d/%d (seed %d): %s; restarted %s; settled after %s ms; %d changes acknowledged so far",
                            i, schedules, seed, String.join(", ", done), restarted.isEmpty() ? "none" : restarted,
                            LabScenario.ms(Duration.between(healStart, Instant.now())), writer.acknowledged());
                    if (broken.isEmpty()) {
                        out.println(line + ": ok");
                    } else {
                        violations += broken.size();
                        out.println(line + ": VIOLATION");
                        broken.forEach(b -> out.println("  " + b));
                        out.println("  ledger since the schedule began:");
                        long since = LocalCluster.nanos(from.minusSeconds(2));
                        for (Ledger.Entry en : c.ledger()) if (en.epochNanos() >= since) out.println("    " + en.line());
                        for (LedgerChecker.Death d : c.deaths(s == null ? c.admin().status() : s)) {
                            if (d.epochNanos() >= since) out.println("    death " + d);
                        }
                        break;
                    }
                }
            } finally {
                writer.stop.set(true);
            }
        } catch (RuntimeException e) {
            err.println("chaos: " + e.getMessage());
            out.println("schedules=" + schedules + " violations=" + Math.max(1, violations));
            return 1;
        }
        out.println("schedules=" + schedules + " violations=" + violations);
        return violations == 0 ? 0 : 1;
    }

    private static String inject(LocalCluster c, Random rnd, Duration nodeTimeout) {
        int kinds = c.canCut() ? Fault.values().length : Fault.ISOLATE.ordinal();
        Fault f = Fault.values()[rnd.nextInt(kinds)];
        List<String> alive = c.members().stream().filter(c::isAlive).toList();
        if (alive.isEmpty()) return "nothing alive";
        String target = alive.get(rnd.nextInt(alive.size()));
        Optional<ClusterState> s = c.status();
        if (f == Fault.KILL_LEADER && s.isPresent() && alive.contains(s.get().leader())) target = s.get().leader();
        if (f == Fault.KILL_RUNNING && s.isPresent()) {
            Optional<String> on = LabScenario.runningOn(s.get(), LabScenario.TICKER).filter(alive::contains);
            if (on.isPresent()) target = on.get();
        }
        switch (f) {
            case KILL, KILL_LEADER, KILL_RUNNING -> {
                c.kill(target);
                return f.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + target;
            }
            case RESTART -> {
                c.kill(target);
                c.launch(target);
                return "restart " + target;
            }
            case ISOLATE, CUT_LINK -> {
                // shorter or longer than node-timeout: a blip the cluster rides out, or a node cut off from the quorum
                long ms = nodeTimeout.toMillis() / 2 + rnd.nextInt((int) nodeTimeout.toMillis() * 2);
                String cutOff = target;
                List<String> others = c.members().stream().filter(n -> !n.equals(cutOff)).toList();
                List<String> from = f == Fault.ISOLATE ? others : List.of(others.get(rnd.nextInt(others.size())));
                from.forEach(o -> c.cut(cutOff, o));
                LocalCluster.sleep(Duration.ofMillis(ms));
                c.heal();
                return (f == Fault.ISOLATE ? "isolate " + target : "cut " + target + "-" + from.get(0)) + " " + ms + " ms";
            }
            default -> {
                long ms = f == Fault.SHORT_PAUSE ? nodeTimeout.toMillis() / 2 + rnd.nextInt((int) nodeTimeout.toMillis() / 3)
                        : nodeTimeout.toMillis() * 3 / 2 + rnd.nextInt((int) nodeTimeout.toMillis());
                c.pause(target);
                LocalCluster.sleep(Duration.ofMillis(ms));
                c.resume(target);
                return "pause " + target + " " + ms + " ms";
            }
        }
    }

    private static String brief(ClusterState s) {
        StringBuilder sb = new StringBuilder();
        s.nodes().forEach((id, n) -> sb.append(id).append('=').append(n.membership()).append(' '));
        s.config().primitives().forEach(p -> sb.append(p.id()).append('@').append(s.activeNodes(p.id())).append(' '));
        return sb.toString().trim();
    }

    /**
     * Commits a stream of config changes (a counter blob, incremented by compare-and-set updates) and remembers the
     * last acknowledged value: a cluster that lost an acknowledged change shows a smaller one.
     */
    private static final class Writer implements Runnable {
        static final String COUNTER = "chaos-counter";
        final LocalCluster c;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong acked = new AtomicLong();

        Writer(LocalCluster c) { this.c = c; }

        long acknowledged() { return acked.get(); }

        @Override
        public void run() {
            while (!stop.get()) {
                long next = acked.get() + 1;
                try {
                    c.admin().updateConfig(cfg -> cfg.toBuilder().blob(COUNTER, Long.toString(next)).build());
                    acked.set(next);
                } catch (RuntimeException notAcknowledged) {
                    // no quorum or no leader right now: not acknowledged, so nothing is promised
                }
                LocalCluster.sleep(Duration.ofMillis(100));
            }
        }
    }
}
