package vigil.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import vigil.api.model.Role;
import vigil.api.spi.ProcessRunner;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.raft.admin.AdminClient;
import vigil.testkit.LibvirtLab;

/**
 * {@code vigil bench vm --runs N} on the two-host lab ({@link TwoHostLab}: two daemons in their own network namespaces,
 * a libvirtd and a real QEMU guest per host, DRBD through the kernel stand-in, IPMI fencing by ipmi_sim, two-node mode).
 * The cluster runs the two-host sample config itself ({@link TwoHostSample}). Each run: the VM's host dies, and the time
 * until the VM's QEMU runs on the peer is measured (node-timeout, the fence through the BMC with the sample's delays,
 * the survivor going on alone, DRBD promotion and the VM's start included); the dead host boots and pairs again; then
 * a planned move ({@code vigil resource move}) is measured until the cluster reports the VM on the other host and its
 * QEMU runs there only (a live migration inside DRBD's dual-primary window), and a live migration of an identical guest
 * that the cluster does not manage, by {@code virsh migrate --live --p2p} directly between the same two hosts. Ends with
 * {@code runs=<n> vm_failover_p50_ms=<x> vm_failover_p99_ms=<x> migrate_p50_ms=<x> virsh_migrate_p50_ms=<x> migrate_overhead_ratio=<x>}.
 */
public final class VmBench {
    private static final Duration LONG = Duration.ofMinutes(3);
    private static final String PLAIN = "vm-direct";

    private VmBench() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        int runs;
        long nodeTimeoutMs;
        try {
            Map<String, String> a = Args.parse(args, List.of());
            runs = Args.integer(a, "runs", 10);
            nodeTimeoutMs = Args.longValue(a, "node-timeout-ms", 5000);
            if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
            if (nodeTimeoutMs < 1000) throw new IllegalArgumentException("--node-timeout-ms must be at least 1000");
        } catch (IllegalArgumentException e) {
            err.println("bench vm: " + e.getMessage() + " (usage: vigil bench vm [--runs N] [--node-timeout-ms MS])");
            return 2;
        }
        Optional<String> missing = TwoHostLab.unavailable();
        if (missing.isPresent()) {
            err.println("bench vm: the two-host lab cannot run here: " + missing.get());
            return 1;
        }
        List<Double> failover = new ArrayList<>();
        List<Double> migrate = new ArrayList<>();
        List<Double> virsh = new ArrayList<>();
        try (TwoHostLab lab = TwoHostLab.start(Duration.ofMillis(nodeTimeoutMs))) {
            out.println("bench vm: two hosts (daemon + libvirtd + QEMU guest each, own network namespaces) in " + lab.dir() + " running the two-host "
                    + "sample config, node-timeout " + nodeTimeoutMs + " ms, IPMI fencing (ipmi_sim) with the sample's delays (fencing n1 waits 5 s, "
                    + "the VM's host 10 s more by priority-fencing-delay), " + runs + " runs");
            for (int i = 1; i <= runs; i++) {
                String from = settled(lab);
                String to = other(from);
                Instant crashed = Instant.now();
                lab.crash(from);
                Instant running = await("the VM running on " + to + " only", () -> lab.vmHosts().equals(List.of(to)) ? Optional.of(Instant.now()) : Optional.empty());
                await("the fence of " + from + " recorded", () -> lab.status().filter(st -> fenced(st, from, crashed)));
                // when the BMC turned the dead host off, as the lab's power watcher saw it (every 50 ms): the cluster's own
                // fence record is written after the fence device returned
                Instant off = lab.poweredOffAt(from).filter(t -> t.isAfter(crashed))
                        .orElseThrow(() -> new IllegalStateException("the cluster recorded a fence of " + from + " but its BMC never powered it off"));
                if (off.isAfter(running)) throw new IllegalStateException("run " + i + ": the VM started on " + to + " before " + from + " was powered off");
                double took = ms(crashed, running);
                failover.add(took);
                lab.powerOn(from);

                String moveTo = other(settled(lab));
                Instant asked = Instant.now();
                try (AdminClient c = lab.admin()) {
                    c.move(TwoHostLab.VM, moveTo, Duration.ofMinutes(10));
                }
                // done when the user sees it done: the cluster reports the VM on the target, and its QEMU runs there only
                Instant moved = await("the VM migrated to " + moveTo, () -> lab.status().filter(st -> st.activeNodes(TwoHostLab.VM).equals(List.of(moveTo)))
                        .filter(st -> lab.vmHosts().equals(List.of(moveTo))).map(st -> Instant.now()));
                double migrated = ms(asked, moved);
                migrate.add(migrated);
                try (AdminClient c = lab.admin()) {
                    c.clear(TwoHostLab.VM);
                }

                String plainOn = plainGuest(lab); // started again when a host death took it down
                String plainTo = other(plainOn);
                Instant v0 = Instant.now();
                virsh(lab.libvirtHost(plainOn).uri(), "migrate", "--live", "--p2p", PLAIN, lab.libvirtHost(plainTo).uri(), "--migrateuri", "tcp://127.0.0.1");
                double direct = ms(v0, Instant.now());
                virsh.add(direct);
                out.printf(Locale.ROOT, "run %d/%d: host death -> VM on %s after %.0f ms (powered off by its BMC after %.0f ms); move by Vigil %.0f ms; virsh migrate %.0f ms%n",
                        i, runs, to, took, ms(crashed, off), migrated, direct);
            }
        } catch (RuntimeException e) {
            err.println("bench vm: " + e.getMessage());
            return 1;
        }
        failover.sort(null);
        migrate.sort(null);
        virsh.sort(null);
        double migrateP50 = FailoverBench.percentile(migrate, 50);
        double virshP50 = FailoverBench.percentile(virsh, 50);
        out.printf(Locale.ROOT, "targets: vm_failover_p99 <= node-timeout + 2 s = %d ms; migrate_overhead_ratio <= 1.10%n", nodeTimeoutMs + 2000);
        out.printf(Locale.ROOT, "runs=%d vm_failover_p50_ms=%.1f vm_failover_p99_ms=%.1f migrate_p50_ms=%.1f virsh_migrate_p50_ms=%.1f migrate_overhead_ratio=%.2f%n",
                failover.size(), FailoverBench.percentile(failover, 50), FailoverBench.percentile(failover, 99), migrateP50, virshP50, migrateP50 / virshP50);
        return 0;
    }

    /** Waits until both hosts are online voters, the VM runs once where DRBD is Primary and the peer's copy may be promoted; the VM's host. */
    private static String settled(TwoHostLab lab) {
        AdminClient.Status2 s = await("a settled cluster (both hosts paired, the VM running, the peer's DRBD copy up to date)",
                () -> lab.statusWithServer().filter(s2 -> {
                    ClusterState st = s2.state();
                    Optional<String> p = TwoHostLab.promoted(st);
                    return s2.server().voters().size() == 2 && TwoHostLab.HOSTS.stream().allMatch(h -> st.node(h).membership() == Membership.ONLINE)
                            && p.isPresent() && st.activeNodes(TwoHostLab.VM).equals(List.of(p.get())) && lab.vmHosts().equals(List.of(p.get()))
                            && st.resource(TwoHostLab.DISK_PRIMITIVE, other(p.get())).role() == Role.UNPROMOTED
                            && !st.isOutdated(TwoHostLab.DISK_PRIMITIVE, other(p.get())) && lab.drbdShownConnected(p.get());
                }));
        return TwoHostLab.promoted(s.state()).orElseThrow();
    }

    /**
     * The host running the guest that virsh migrates directly (same XML as the cluster's VM, another name), started on a
     * running host if none runs it.
     */
    private static String plainGuest(TwoHostLab lab) {
        for (String h : TwoHostLab.HOSTS) if (lab.libvirtHost(h).qemuPids().containsKey(PLAIN)) return h;
        String on = TwoHostLab.HOSTS.stream().filter(lab::running).findFirst().orElseThrow();
        try {
            Path xml = lab.dir().resolve(PLAIN + ".xml");
            Files.writeString(xml, LibvirtLab.guestXml(PLAIN));
            virsh(lab.libvirtHost(on).uri(), "create", xml.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return on;
    }

    private static void virsh(String uri, String... args) {
        List<String> argv = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
        argv.addAll(List.of(args));
        ProcessRunner.ProcessResult r = ProcessRunner.local().run(argv, Duration.ofMinutes(2));
        if (!r.ok()) throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
    }

    private static boolean fenced(ClusterState s, String node, Instant since) {
        return s.fenceHistory().stream().anyMatch(e -> e.target().equals(node) && e.success() && e.at().isAfter(since));
    }

    private static <T> T await(String what, java.util.function.Supplier<Optional<T>> value) { return LocalDaemons.awaitValue(LONG, what, value); }

    private static double ms(Instant from, Instant to) { return Duration.between(from, to).toNanos() / 1e6; }

    private static String other(String h) { return h.equals("n1") ? "n2" : "n1"; }
}
