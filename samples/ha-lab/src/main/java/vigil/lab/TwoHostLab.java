package vigil.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import vigil.api.model.Role;
import vigil.api.spi.PrivateFiles;
import vigil.api.status.ClusterState;
import vigil.lab.vm.DrbdKernelStandIn;
import vigil.lab.vm.DrbdStandInServer;
import vigil.raft.admin.AdminClient;
import vigil.testkit.IpmiSimLab;
import vigil.testkit.LabDir;
import vigil.testkit.LibvirtLab;

/**
 * Two KVM hosts and nothing else, on one machine, running the two-host sample config itself
 * ({@code samples/ha-daemon/examples/kvm-drbd-two-node.yaml}, with the lab's hosts, addresses and BMCs in it: see
 * {@link TwoHostSample}): two-node mode, no witness, DRBD promotable, the VM with its Primary, a VIP with the VM. Each host {@code n1}, {@code n2} is
 * <ul>
 * <li>a {@code vigil daemon} process in its own network namespace ({@link LabNetwork}, so the link between the two can
 * be cut), started as an admin starts one ({@link LocalDaemons});</li>
 * <li>a libvirtd of its own ({@link LibvirtLab}) running a real QEMU guest {@code vm1} (KVM when {@code /dev/kvm} works,
 * TCG otherwise); the daemons reach them over their unix sockets, and they live-migrate to each other over
 * {@code tcp://127.0.0.1} (libvirtd itself stays in the machine's network, so a cut link does not stop a migration);</li>
 * <li>a BMC: {@code ipmi_sim} on the harness side of the lab network, operated by the cluster's {@code ipmi} fence
 * devices through ipmitool. When a BMC's power goes off the host really stops: its daemon is SIGKILLed, its libvirtd
 * and guests killed and its {@code /run/libvirt} emptied, its DRBD replica gone;</li>
 * <li>a replica of the DRBD resource {@code vm1} under the real drbd driver, whose drbdadm / drbdsetup calls go to
 * {@link DrbdKernelStandIn} (the DRBD kernel module cannot load on this machine); the replication link is cut with
 * the hosts' link.</li>
 * </ul>
 * Needs root, iproute2, nftables, libvirtd + QEMU, ipmi_sim + ipmitool.
 */
public final class TwoHostLab implements AutoCloseable {
    public static final List<String> HOSTS = List.of("n1", "n2");
    public static final String VM = "vm1";
    /** The promotable clone of the VM's disk, and its primitive (whose role the status reports per node). */
    public static final String DISK = "vm1-disk";
    public static final String DISK_PRIMITIVE = "vm1-drbd";
    /** The VIP that goes with the VM. */
    public static final String VIP = "vip";
    private static final String BMC_USER = "admin";

    private final Path dir;
    private final Duration nodeTimeout;
    private final List<String> events = new ArrayList<>();
    private LabNetwork network;
    private LibvirtLab libvirt;
    private final Map<String, LibvirtLab.Host> hosts = new LinkedHashMap<>();
    private final Map<String, IpmiSimLab> bmcs = new LinkedHashMap<>();
    private final Map<String, Boolean> running = new ConcurrentHashMap<>();
    private final Map<String, Instant> poweredOff = new ConcurrentHashMap<>();
    private final List<String> doubleRuns = new ArrayList<>();
    private DrbdKernelStandIn drbd;
    private DrbdStandInServer drbdServer;
    private LocalDaemons daemons;
    private Thread watcher;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    /** Stops everything (BMCs, namespaces) even when the JVM is ended early. */
    private final Thread cleanup = new Thread(this::close, "two-host-lab-cleanup");

    private TwoHostLab(Path dir, Duration nodeTimeout) {
        this.dir = dir;
        this.nodeTimeout = nodeTimeout;
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** What this machine lacks for the lab, or empty when it has everything. */
    public static Optional<String> unavailable() {
        if (!LibvirtLab.installed()) return Optional.of("libvirtd, virtlogd, virsh, qemu-system-x86_64 and root are needed (see the test bed notes)");
        if (!IpmiSimLab.installed()) return Optional.of("ipmi_sim and ipmitool (OpenIPMI) are needed");
        if (!Files.isExecutable(Path.of("/usr/lib/ocf/resource.d/heartbeat/IPaddr2"))) return Optional.of("the VIP's agent IPaddr2 (resource-agents) is needed");
        return LabNetwork.unavailable();
    }

    /**
     * Starts both hosts with the two-host config ({@link #clusterYaml}) and waits until the VM runs on one of them.
     *
     * @param nodeTimeout the cluster's node-timeout
     */
    public static TwoHostLab start(Duration nodeTimeout) {
        TwoHostLab lab = new TwoHostLab(LabDir.create("v2h"), nodeTimeout);
        try {
            lab.startAll();
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private void startAll() {
        network = LabNetwork.create(HOSTS.size());
        libvirt = LibvirtLab.create();
        for (String h : HOSTS) hosts.put(h, libvirt.startHost(h));
        Path password = dir.resolve("ipmi.password");
        String secret = Long.toHexString(Double.doubleToLongBits(Math.random()));
        try {
            PrivateFiles.writeString(password, secret + "\n");
            drbd = new DrbdKernelStandIn(VM, Map.of("n1", 0, "n2", 1), this::event);
            drbdServer = new DrbdStandInServer(drbd, InetAddress.getByName(network.harnessAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String h : HOSTS) bmcs.put(h, IpmiSimLab.start(dir.resolve("bmc"), "bmc" + h, BMC_USER, secret, network.harnessAddress()));
        HOSTS.forEach(h -> running.put(h, true));
        daemons = new LocalDaemons(dir, HOSTS.size(), port -> clusterYaml(port, password), network,
                node -> DrbdStandInServer.path(drbdServer.toolsFor(node, dir.resolve(node + "-drbd-utils"))));
        watcher = new Thread(this::watchPower, "two-host-lab-power");
        watcher.setDaemon(true);
        watcher.start();
        // the sample's VM is disabled until its disk holds the guest; the walk-through then runs 'vigil resource enable vm1'
        LocalDaemons.awaitValue(Duration.ofMinutes(4), "both hosts online and " + DISK_PRIMITIVE + " Promoted on one of them", () -> {
            for (String h : HOSTS) if (!daemons.isAlive(h)) throw new IllegalStateException(h + " exited: " + daemons.lastLogLine(h));
            return status().filter(s -> HOSTS.stream().allMatch(h -> s.node(h).membership() == vigil.api.status.Membership.ONLINE)
                    && promoted(s).isPresent());
        });
        try (AdminClient c = admin()) {
            c.enable(VM);
        }
        LocalDaemons.awaitValue(Duration.ofMinutes(2), VM + " and its VIP running on one host", () -> status().filter(s -> s.activeNodes(VM).size() == 1
                && vmHosts().size() == 1 && s.activeNodes(VIP).equals(s.activeNodes(VM)) && vipHosts().equals(s.activeNodes(VM))));
    }

    /** The two-host sample itself, with the lab's hosts, addresses, BMCs and guest in place of real ones ({@link TwoHostSample}). */
    private String clusterYaml(int port, Path passwordFile) {
        List<TwoHostSample.Host> lab = new ArrayList<>();
        for (String h : HOSTS) {
            IpmiSimLab b = bmcs.get(h);
            lab.add(new TwoHostSample.Host(h, address(h) + ":" + port, address(h), b.host(), b.port()));
        }
        return TwoHostSample.forLab(TwoHostSample.text(), new TwoHostSample.Lab(lab, nodeTimeout, dir.resolve("drbd.d"), libvirt.uriFor("{node}"),
                "tcp://127.0.0.1", LibvirtLab.guestXml(VM), vip(), passwordFile));
    }

    /** The VIP's address in the lab network. */
    public String vip() { return network.spareAddress(); }

    /** The hosts whose network holds the VIP: where it really is. */
    public List<String> vipHosts() {
        List<String> out = new ArrayList<>();
        for (String h : HOSTS) if (network.holds(networkIndex(h), vip())) out.add(h);
        return out;
    }

    /** Host {@code h}'s address in the lab network (where its daemon listens). */
    public String address(String h) { return network.address(networkIndex(h)); }

    /** Host {@code h}'s number in the lab network (1-based). */
    private static int networkIndex(String h) { return HOSTS.indexOf(h) + 1; }

    /**
     * Checks the power of every BMC every 50 ms; a host whose BMC turned it off stops at once, as a machine does. The
     * moment is noted also for a host that had crashed already (a fence powers off a dead host too).
     */
    private void watchPower() {
        Map<String, Boolean> wasOn = new LinkedHashMap<>();
        for (long round = 0; !closed; round++) {
            for (String h : HOSTS) {
                boolean on = bmcs.get(h).powerOn();
                if (!on && wasOn.getOrDefault(h, true)) {
                    event(h + " powered off by its BMC");
                    poweredOff.put(h, Instant.now());
                }
                wasOn.put(h, on);
                if (!on && Boolean.TRUE.equals(running.get(h))) stop(h);
            }
            sampleVm(round % 10 == 0);
            LocalCluster.sleep(Duration.ofMillis(50));
        }
    }

    /**
     * Records every moment at which the VM's QEMU, or its VIP (with {@code andVip}: each look at it runs {@code ip}), is on
     * both hosts (none may, outside a live migration).
     */
    private void sampleVm(boolean andVip) {
        List<String> on = vmHosts();
        if (on.size() > 1) {
            synchronized (doubleRuns) { doubleRuns.add(Instant.now() + " " + VM + " on " + on); }
        }
        List<String> vipOn = andVip ? vipHosts() : List.of();
        if (vipOn.size() > 1) {
            synchronized (doubleRuns) { doubleRuns.add(Instant.now() + " VIP " + vip() + " on " + vipOn); }
        }
    }

    /** Host {@code h} dies (power lost, kernel panic): daemon, libvirtd, guests and DRBD replica gone; its BMC still answers. */
    public void crash(String h) {
        event(h + " crashes");
        stop(h);
    }

    private synchronized void stop(String h) {
        if (!Boolean.TRUE.equals(running.put(h, false))) return;
        daemons.kill(h);
        Map<String, Long> guests = hosts.get(h).qemuPids();
        hosts.get(h).crash();
        network.dropAddress(networkIndex(h), vip());
        drbd.powerOff(h);
        event(h + " stopped (guests killed: " + guests + ")");
    }

    /** Host {@code h} boots: BMC power on, libvirtd (no guests), its DRBD replica, then its daemon. */
    public synchronized void powerOn(String h) {
        if (Boolean.TRUE.equals(running.get(h))) throw new IllegalStateException(h + " runs");
        event(h + " powered on");
        bmcs.get(h).setPower(true);
        hosts.get(h).restart();
        drbd.powerOn(h);
        running.put(h, true);
        daemons.launch(h);
    }

    /** Cuts the link between the two hosts: the cluster's traffic and DRBD's replication. */
    public void cut() {
        event("link cut");
        network.cut(1, 2);
        drbd.cutLink();
    }

    public void heal() {
        event("link healed");
        network.heal();
        drbd.healLink();
    }

    /** Whether host {@code h} runs (not crashed, not powered off). */
    public boolean running(String h) { return Boolean.TRUE.equals(running.get(h)); }

    /** Whether {@code h}'s BMC reports power on. */
    public boolean bmcOn(String h) { return bmcs.get(h).powerOn(); }

    /** When the watcher saw {@code h}'s BMC turn it off (the last time). */
    public Optional<Instant> poweredOffAt(String h) { return Optional.ofNullable(poweredOff.get(h)); }

    /** The hosts on which the VM's QEMU process is alive: where it really runs. */
    public List<String> vmHosts() {
        List<String> out = new ArrayList<>();
        for (String h : HOSTS) if (hosts.get(h).qemuPids().containsKey(VM)) out.add(h);
        return out;
    }

    /** Each host's guests as its libvirtd lists them, and the QEMU processes alive ({@code virsh list --all}). */
    public String describeGuests() {
        StringBuilder out = new StringBuilder();
        for (String h : HOSTS) {
            vigil.api.spi.ProcessRunner.ProcessResult r = vigil.api.spi.ProcessRunner.local()
                    .run(List.of("virsh", "-q", "-c", hosts.get(h).uri(), "list", "--all"), Duration.ofSeconds(20));
            out.append(h).append(": QEMU ").append(hosts.get(h).qemuPids()).append(", virsh list --all: ")
                    .append(r.ok() ? r.stdout().strip().replaceAll("\\s+", " ") : "(exit " + r.exitCode() + ") " + r.stderr().strip()).append("; ");
        }
        return out.toString();
    }

    /** Moments at which the VM ran on both hosts at once. */
    public List<String> doubleRuns() {
        synchronized (doubleRuns) { return List.copyOf(doubleRuns); }
    }

    public boolean drbdPrimary(String h) { return drbd.isPrimary(h); }

    /** Whether {@code h}'s DRBD status has shown its peer connected (a Primary marks only a peer it saw connected). */
    public boolean drbdShownConnected(String h) { return drbd.hasShownConnected(h); }

    public List<String> stalePromotions() { return drbd.stalePromotions(); }

    public LibvirtLab.Host libvirtHost(String h) { return hosts.get(h); }

    /** The cluster state via any running host, if one answers. */
    public Optional<ClusterState> status() { return ask(AdminClient::status); }

    /** The status and the answering server's view (Raft voters), via the running hosts. */
    public Optional<AdminClient.Status2> statusWithServer() { return ask(AdminClient::statusWithServer); }

    /** {@code call}'s answer via the running hosts, or empty when none runs or answers now. */
    private <T> Optional<T> ask(java.util.function.Function<AdminClient, T> call) {
        List<String> up = HOSTS.stream().filter(this::running).toList();
        if (up.isEmpty()) return Optional.empty();
        try (AdminClient c = daemons.adminOf(up)) {
            return Optional.of(call.apply(c));
        } catch (RuntimeException notNow) {
            return Optional.empty();
        }
    }

    /** An admin client of the running hosts, to close after use. */
    public AdminClient admin() { return daemons.adminOf(HOSTS.stream().filter(this::running).toList()); }

    /** An admin client of host {@code h} alone. */
    public AdminClient admin(String h) { return daemons.adminOf(List.of(h)); }

    /** Host {@code h}'s daemon log. */
    public String log(String h) {
        try {
            return Files.readString(dir.resolve(h + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    public Path dir() { return dir; }

    public Duration nodeTimeout() { return nodeTimeout; }

    /** Where the promoted DRBD copy is, by the cluster's state. */
    public static Optional<String> promoted(ClusterState s) { return s.nodeWithRole(DISK_PRIMITIVE, Role.PROMOTED); }

    public void event(String e) {
        synchronized (events) { events.add(Instant.now() + " " + e); }
    }

    public List<String> events() {
        synchronized (events) { return List.copyOf(events); }
    }

    @Override
    public void close() {
        if (closing.getAndSet(true)) return;
        closed = true;
        if (Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        if (watcher != null) {
            try {
                watcher.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (daemons != null) daemons.close();
        bmcs.values().forEach(IpmiSimLab::close);
        if (drbdServer != null) drbdServer.close();
        if (libvirt != null) libvirt.close();
        if (network != null) network.close();
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("two-host lab: cannot delete " + dir + ": " + e);
        }
    }
}
