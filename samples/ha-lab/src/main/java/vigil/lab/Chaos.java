package vigil.lab;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.status.ClusterState;
import vigil.engine.executor.Ledger;
import vigil.raft.admin.AdminClient;

/**
 * {@code vigil chaos --schedules N --seed S [--nodes 2|3|5] [--fencing device|watchdog] [--plant lying-fence|no-stonith]}: runs N seeded,
 * reproducible schedules of faults against a local cluster of separate processes (SIGKILL of a node, of the leader or
 * of the node running the ticker; SIGSTOP pauses shorter and longer than node-timeout; restarts; a node cut off from
 * all others, or one link between two nodes cut, shorter or longer than node-timeout, where network namespaces can be
 * made), while a writer adds uniquely numbered elements to a set in the config and readers read every node. The
 * workload: the ticker (a Java singleton), a promotable and a cloned Java service, and an OCF Dummy where installed.
 *
 * <p>After each schedule it heals the cluster and checks, with deaths known only from the harness (see
 * {@link ActivityChecker}): no resource was ever active on more nodes than it may be, by the ledgers and by the
 * services' own evidence, and the two agree; every resource runs again; every acknowledged change is in the final
 * linearizable read, none twice, and no read returned an older state than one before it (see {@link SetWorkload}).
 * Ends with one line {@code schedules=<n> violations=<n>}, n the schedules run (it stops at the first that breaks); exits non-zero on any violation, printing the schedule and
 * the records that broke.
 *
 * <p>{@code --nodes 2} runs two members and no witness in two-node mode, as the two-host sample does (see
 * {@link LocalCluster#baseConfig}): a host whose peer fell silent fences it and runs alone, the other starts again
 * waiting for its peer; the faults are the same, a cut being the one link between the two hosts.
 *
 * <p>{@code --fencing device} (the default) fences through a fence device that SIGKILLs node processes; {@code --fencing
 * watchdog} has no fence device at all: every node arms a watchdog, each watched by its own {@link WatchdogEmulator} (a
 * separate process standing in for softdog, which SIGKILLs the node when its device is not fed for the watchdog
 * timeout), and a lost node counts as fenced only through its watchdog.
 *
 * <p>{@code --plant} makes the cluster unsafe on purpose, without touching the product, to show that the checker
 * catches it: {@code lying-fence} swaps the fence device for {@code fence_dummy}, which reports every node off and
 * kills nothing; {@code no-stonith} turns stonith off. Each planted schedule begins with the fault both let through:
 * the node running the ticker hangs until the ticker started elsewhere.
 */
public final class Chaos {
    private Chaos() {}

    enum Fault { KILL, KILL_LEADER, KILL_RUNNING, SHORT_PAUSE, LONG_PAUSE, RESTART, ISOLATE, CUT_LINK }

    /** How lost nodes are fenced. */
    enum Fencing {
        DEVICE("device"), WATCHDOG("watchdog");

        final String text;

        Fencing(String text) { this.text = text; }

        static Fencing parse(String v) {
            for (Fencing f : values()) if (f.text.equals(v)) return f;
            throw new IllegalArgumentException("--fencing must be device or watchdog, got \"" + v + "\"");
        }
    }

    private static final String USAGE = "vigil chaos --schedules N --seed S [--nodes 2|3|5] [--fencing device|watchdog] [--plant lying-fence|no-stonith]";

    /** A fault planted in the cluster's configuration, which the checker must catch. */
    enum Plant {
        LYING_FENCE("lying-fence"), NO_STONITH("no-stonith");

        final String text;

        Plant(String text) { this.text = text; }

        static Plant parse(String v) {
            for (Plant p : values()) if (p.text.equals(v)) return p;
            throw new IllegalArgumentException("--plant must be lying-fence or no-stonith, got \"" + v + "\"");
        }

        ClusterConfig apply(ClusterConfig config, Path dir) {
            return switch (this) {
                case LYING_FENCE -> {
                    List<FenceDevice> devices = new ArrayList<>();
                    for (FenceDevice d : config.fenceDevices()) {
                        devices.add(!LocalCluster.isLabKill(d) ? d : new FenceDevice(d.id(), "agent:fence_dummy",
                                Map.of("status_file", dir.resolve("fence_dummy.status").toString()), List.of(), Map.of(), Duration.ZERO));
                    }
                    yield new ClusterConfig(config.nodes(), config.resources(), config.constraints(), config.properties(), devices,
                            config.fencingLevels(), config.blobs());
                }
                case NO_STONITH -> config.toBuilder().properties(config.properties().toBuilder().stonithEnabled(false).build()).build();
            };
        }

        String describe() {
            return switch (this) {
                case LYING_FENCE -> "the fence device is fence_dummy, which reports every node off and kills nothing; each schedule "
                        + "begins by hanging the node running the ticker until the ticker started elsewhere";
                case NO_STONITH -> "stonith is off; each schedule begins by hanging the node running the ticker until the ticker "
                        + "started elsewhere";
            };
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int schedules;
        long seed;
        int nodes;
        Plant plant;
        Fencing fencing;
        try {
            Map<String, String> a = Args.parse(args, List.of());
            schedules = Args.integer(a, "schedules", 10);
            seed = Args.longValue(a, "seed", 1);
            nodes = Args.integer(a, "nodes", 3);
            plant = a.containsKey("plant") ? Plant.parse(a.get("plant")) : null;
            fencing = Fencing.parse(a.getOrDefault("fencing", Fencing.DEVICE.text));
            if (plant == Plant.LYING_FENCE && fencing == Fencing.WATCHDOG) {
                throw new IllegalArgumentException("--plant lying-fence replaces the fence device, which --fencing watchdog does not have; use --fencing device");
            }
            if (schedules < 1) throw new IllegalArgumentException("--schedules must be at least 1");
            if (nodes != 2 && nodes != 3 && nodes != 5) throw new IllegalArgumentException("--nodes must be 2, 3 or 5");
            if (nodes == 2 && fencing == Fencing.WATCHDOG) {
                throw new IllegalArgumentException("--nodes 2 runs in two-node mode, which needs a fence device for each host (a watchdog "
                        + "alone cannot settle a split between two hosts); use --fencing device");
            }
            if (nodes == 2 && plant == Plant.NO_STONITH) {
                throw new IllegalArgumentException("--plant no-stonith cannot run with --nodes 2: two-node mode needs stonith (the config "
                        + "is refused without it); use --nodes 3 or 5");
            }
        } catch (IllegalArgumentException e) {
            err.println("chaos: " + e.getMessage() + " (usage: " + USAGE + ")");
            return 2;
        }
        int violations = 0;
        int ran = 0;
        Duration nodeTimeout = Duration.ofSeconds(1);
        // well above node-timeout: a node that is merely slow on a busy host feeds in time; one that lost the cluster stops
        Duration watchdogTimeout = nodeTimeout.multipliedBy(3);
        Optional<String> noNetwork = LabNetwork.unavailable();
        List<AdminClient> readerClients = new ArrayList<>();
        LocalCluster.Builder cluster = LocalCluster.builder(LabScenario.labDir("vigil-chaos-")).members(nodes).ownNetwork(noNetwork.isEmpty());
        if (fencing == Fencing.WATCHDOG) cluster.watchdog(watchdogTimeout, Set.of());
        try (LocalCluster c = cluster.start()) {
            out.println("chaos: " + nodes + " node processes in " + c.dir() + ", seed " + seed + ", " + schedules + " schedules");
            out.println(fencing == Fencing.WATCHDOG
                    ? "chaos: fencing by watchdog only, no fence device: each node's watchdog emulator kills it when not fed for "
                            + watchdogTimeout.toMillis() + " ms"
                    : "chaos: fencing by a fence device that kills node processes");
            out.println(noNetwork.map(why -> "chaos: WITHOUT network cuts: network namespaces cannot be made here (" + why + ")")
                    .orElse("chaos: every node in its own network namespace; faults include network cuts"));
            if (plant != null) out.println("chaos: PLANTED FAULT " + plant.text + ": " + plant.describe());
            ClusterConfig config = c.baseConfig(LabScenario.chaosWorkload(LabScenario.dummyAvailable(), nodeTimeout, c.members()));
            if (plant != null) config = plant.apply(config, c.dir());
            c.admin().applyConfig(config);
            // a node fenced while the cluster forms (a busy machine delays a heartbeat past node-timeout) comes back as
            // a rebooted host would
            c.await(Duration.ofSeconds(90), "the cluster to settle", () -> {
                c.restartDead();
                return c.status().filter(s -> LabScenario.settled(s, c.nodes())).isPresent();
            });
            Records records = new Records(c, ActivityChecker.limits(config, p -> false), LabScenario.evidenced(config));
            List<SetWorkload.Reader> readers = new ArrayList<>();
            for (String n : c.members()) {
                AdminClient client = c.adminOf(n, Duration.ofSeconds(2));
                readerClients.add(client);
                readers.add(new SetWorkload.Reader(n, client));
            }
            try (SetWorkload workload = new SetWorkload(c.admin(), readers)) {
                for (int i = 1; i <= schedules; i++) {
                    ran = i;
                    workload.round(i);
                    Random rnd = new Random(seed * 1_000_003L + i);
                    List<String> done = new ArrayList<>();
                    Instant from = Instant.now();
                    if (plant != null) done.add(planted(c, rnd));
                    int events = 2 + rnd.nextInt(3);
                    for (int e = 0; e < events; e++) {
                        done.add(inject(c, rnd, nodeTimeout));
                        LocalCluster.sleep(Duration.ofMillis(300 + rnd.nextInt(1700)));
                    }
                    c.heal();
                    for (String n : c.members()) c.resume(n);
                    List<String> restarted = new ArrayList<>(c.restartDead());
                    Instant healStart = Instant.now();
                    List<String> broken = new ArrayList<>();
                    try {
                        // a fence with the process device is a reboot whose power-on never comes: restart what it killed, as
                        // the host would come back after a real reboot
                        c.await(Duration.ofSeconds(120), "every resource running again", () -> {
                            c.restartDead().stream().filter(n -> !restarted.contains(n)).forEach(restarted::add);
                            return c.status().filter(s -> LabScenario.settled(s, c.nodes())).isPresent();
                        });
                    } catch (IllegalStateException ex) {
                        broken.add("did not recover: " + ex.getMessage() + "; status: " + c.status().map(Chaos::brief).orElse("no leader"));
                    }
                    try {
                        // nodes the cluster fenced just as it settled come back, as rebooted hosts would: without them
                        // the others may have no quorum
                        workload.readNow("the cluster (final read)", c.admin(), Duration.ofSeconds(30), () -> {
                            c.restartDead().stream().filter(n -> !restarted.contains(n)).forEach(restarted::add);
                        });
                    } catch (RuntimeException ex) {
                        broken.add("no final read: " + ex.getMessage());
                    }
                    broken.addAll(workload.check());
                    records.check().forEach(v -> broken.add(v.toString()));
                    String line = String.format(Locale.ROOT, "schedule %d/%d (seed %d): %s; restarted %s; settled after %s ms; %d changes acknowledged"
                            + " (%d run again by the client after they had committed)", i, schedules, seed, String.join(", ", done),
                            restarted.isEmpty() ? "none" : restarted, LabScenario.ms(Duration.between(healStart, Instant.now())),
                            workload.acknowledged(), workload.retriedAfterCommit());
                    workload.forgetBefore(i);
                    if (broken.isEmpty()) {
                        out.println(line + ": ok");
                        continue;
                    }
                    violations += broken.size();
                    out.println(line + ": VIOLATION");
                    broken.forEach(b -> out.println("  " + b));
                    records.print(out, LocalCluster.nanos(from.minusSeconds(2)));
                    break;
                }
            }
        } catch (RuntimeException e) {
            err.println("chaos: " + e.getMessage());
            out.println("schedules=" + ran + " violations=" + Math.max(1, violations));
            return 1;
        } finally {
            readerClients.forEach(AdminClient::close);
        }
        out.println("schedules=" + ran + " violations=" + violations);
        return violations == 0 ? 0 : 1;
    }

    /**
     * The fault both plants let through: the node running the ticker hangs (SIGSTOP) until the ticker's own evidence
     * shows it started on another node (at most 30 s), then resumes. A node that is only cut off stops its resources
     * itself once it hears no quorate leader; a hung one cannot, which is why fencing must kill it.
     */
    private static String planted(LocalCluster c, Random rnd) {
        List<String> alive = c.members().stream().filter(c::isAlive).toList();
        String target = c.status().flatMap(s -> LabScenario.runningOn(s, LabScenario.TICKER)).filter(alive::contains)
                .orElse(alive.get(rnd.nextInt(alive.size())));
        long since = LocalCluster.nanos(Instant.now());
        Evidence.Reader evidence = new Evidence.Reader(c.evidenceDir());
        c.pause(target);
        boolean elsewhere;
        try {
            c.await(Duration.ofSeconds(30), "the ticker to start elsewhere", () -> evidence.activations().stream()
                    .anyMatch(a -> a.resource().equals(LabScenario.TICKER) && !a.node().equals(target) && a.startNanos() > since));
            elsewhere = true;
        } catch (IllegalStateException notYet) {
            elsewhere = false;
        } finally {
            c.resume(target);
        }
        String ms = LabScenario.ms(Duration.ofNanos(LocalCluster.nanos(Instant.now()) - since));
        return "hang " + target + " " + ms + " ms, until the ticker " + (elsewhere ? "started elsewhere" : "did not start elsewhere within 30 s")
                + " (planted)";
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

    /** The checker's records (ledgers, evidence, the harness's deaths), read as their files grow. */
    private static final class Records {
        private final LocalCluster c;
        private final Map<String, ActivityChecker.Limits> limits;
        private final Set<String> evidenced;
        private final Map<String, FileTail> ledgerFiles = new LinkedHashMap<>();
        private final List<Ledger.Entry> ledger = new ArrayList<>();
        private final Evidence.Reader evidence;

        Records(LocalCluster c, Map<String, ActivityChecker.Limits> limits, Set<String> evidenced) {
            this.c = c;
            this.limits = limits;
            this.evidenced = evidenced;
            for (String n : c.members()) ledgerFiles.put(n, new FileTail(c.nodeDir(n).resolve("ledger")));
            this.evidence = new Evidence.Reader(c.evidenceDir());
        }

        List<ActivityChecker.Violation> check() {
            // the evidence first: an activation it shows began after its ledger's begin line was written, so the ledger
            // read next has that line (read the other way round, a start between the two reads looked unrecorded)
            List<Evidence.Activation> activations = evidence.activations();
            for (FileTail t : ledgerFiles.values()) t.newLines().forEach(l -> ledger.add(Ledger.Entry.parse(l)));
            return ActivityChecker.check(ledger, activations, c.deaths(), limits, evidenced);
        }

        /** What happened since {@code sinceNanos}: ledger lines, the services' activations and the deaths. */
        void print(PrintStream out, long sinceNanos) {
            out.println("  ledger since the schedule began:");
            ledger.stream().filter(e -> e.epochNanos() >= sinceNanos).sorted(java.util.Comparator.comparingLong(Ledger.Entry::epochNanos))
                    .forEach(e -> out.println("    " + e.line()));
            out.println("  the services' activity since the schedule began, by their evidence:");
            List<Evidence.Activation> activations = evidence.activations();
            ActivityChecker.evidenceIntervals(activations, c.deaths()).stream().filter(i -> i.toNanos() >= sinceNanos)
                    .forEach(i -> out.println("    " + i));
            activations.stream().filter(a -> a.stopNanos() >= sinceNanos).forEach(a -> out.println("    " + a));
            out.println("  node process deaths since the schedule began (as the harness caused or saw them):");
            c.deaths().stream().filter(d -> d.epochNanos() >= sinceNanos).forEach(d -> out.println("    " + d));
        }
    }
}
