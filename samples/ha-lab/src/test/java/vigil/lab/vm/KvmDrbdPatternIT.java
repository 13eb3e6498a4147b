package vigil.lab.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Ticker;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.Constraint;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.model.NodeRole;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.spi.NodeFencer;
import vigil.api.spi.OutdatedCopies;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceEvent;
import vigil.engine.controller.Controller;
import vigil.engine.controller.ExecutorOperations;
import vigil.engine.controller.NodeAgent;
import vigil.engine.controller.NodeTransport;
import vigil.engine.driver.DriverRegistry;
import vigil.engine.executor.Executor;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.state.Command;
import vigil.engine.state.StateTransitions;
import vigil.kvm.KvmDriverProvider;
import vigil.storage.DrbdDriver;
import vigil.storage.DrbdVmPattern;
import vigil.testkit.Await;
import vigil.testkit.LabDir;
import vigil.testkit.LibvirtLab;

/**
 * The VM-on-DRBD pattern end to end, through the real scheduler, controller, node agents and executors, in one JVM:
 * two cluster nodes {@code lab-a} and {@code lab-b}, each a libvirt host of a {@link LibvirtLab} (its own libvirtd in
 * its own mount and UTS namespace) running a real QEMU guest, plus a witness that holds the controller (the Raft
 * leader here; Raft itself is tested in ha-raft, so the replicated state is applied in order by a small in-process
 * log with {@link StateTransitions#apply}). The node agents are reached by an in-process {@link NodeTransport} that
 * calls them directly.
 *
 * <p>The {@code kvm} driver is the real one against the lab's libvirtd hosts (live migration peer-to-peer over
 * {@code tcp://127.0.0.1}). The {@code drbd} driver is the real one too, but its drbdadm / drbdsetup calls go to
 * {@link DrbdKernelStandIn}: the DRBD kernel module cannot load on this machine. Fencing is real: the fencer kills
 * the dead host's libvirtd and QEMU processes ({@link LibvirtLab.Host#crash()}) and confirms they are gone.
 *
 * <p>Checked: DRBD is promoted on a host before the VM starts there, and the VM runs exactly once; when that host
 * dies it is fenced, the peer's DRBD is promoted and the VM started there; a planned move (the admin's
 * {@code cli-prefer} location) becomes a live migration of the running guest inside a dual-primary window (two
 * primaries allowed just before migrate_to and disallowed again after migrate_from). And when the migration target
 * dies inside the window, it is fenced and the VM ends up running exactly once, on the source, whose disk is the
 * only Primary.
 */
class KvmDrbdPatternIT {
    private static final Logger LOG = LoggerFactory.getLogger(KvmDrbdPatternIT.class);
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration LONG = Duration.ofSeconds(240);
    private static final String A = "lab-a";
    private static final String B = "lab-b";
    private static final String WITNESS = "witness";
    private static final String DISK = "vm1-disk";
    private static final String VM = "vm1";

    private final List<String> timeline = new ArrayList<>();
    private LibvirtLab lab;
    private Path dir;
    private InProcessLog log;
    private DirectTransport transport;
    private DrbdKernelStandIn drbd;
    /** The fencing marks, in the replicated state this test's in-process log applies. */
    private final OutdatedCopies outdatedMarks = new OutdatedCopies() {
        @Override
        public void mark(String resource, String node, String reason) { log.submit(List.of(new Command.MarkOutdated(resource, node, reason))).join(); }

        @Override
        public void clear(String resource, String node) { log.submit(List.of(new Command.ClearOutdated(resource, node))).join(); }

        @Override
        public boolean isOutdated(String resource, String node) { return log.state().isOutdated(resource, node); }
    };
    private final Map<String, NodeProcess> nodes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(4, daemon("lab-timer"));
    private final ScheduledExecutorService controllerThread = Executors.newSingleThreadScheduledExecutor(daemon("lab-controller"));
    private final ExecutorService fenceWorkers = Executors.newCachedThreadPool(daemon("lab-fence"));
    private Controller controller;

    @AfterEach
    void tearDown() {
        if (controller != null) controller.close();
        nodes.values().forEach(NodeProcess::close);
        if (transport != null) transport.close();
        controllerThread.shutdownNow();
        fenceWorkers.shutdownNow();
        timers.shutdownNow();
        if (lab != null) lab.close();
        if (dir != null) deleteTree(dir);
        synchronized (timeline) { LOG.info("timeline:\n  {}", String.join("\n  ", timeline)); }
    }

    @Test
    void drbdPromotedBeforeVm_hostDiesFencedAndRecovered_plannedMoveLiveMigratesInDualPrimaryWindow() {
        Map<String, LibvirtLab.Host> hosts = startCluster(Map.of());

        // 1. cold start: DRBD up on both, promoted on one host, and only then the VM started there
        String first = awaitColdStart(hosts);
        String second = first.equals(A) ? B : A;
        assertBefore(first + " drbd: drbdadm primary " + DISK, first + " " + VM + " start rc=0");
        assertBefore(first + " " + DISK + " promote rc=0", first + " " + VM + " start rc=0");
        assertRunsOnlyOn(hosts, first);
        assertTrue(drbd.isPrimary(first) && !drbd.isPrimary(second), "one Primary: " + first);

        // 2. the host running both dies: it hangs (libvirtd and QEMU stopped) and its node agent answers no more
        LOG.info("{}: host dies", first);
        event(first + " host dies");
        hosts.get(first).freeze();
        nodes.remove(first).close();
        Await.until(LONG, first + " fenced, " + VM + " started on " + second + " with its disk Promoted there", () -> {
            ClusterState s = log.state();
            return fenced(s, first) && is(s, VM, second, Role.STARTED) && is(s, DISK, second, Role.PROMOTED)
                    && hosts.get(second).qemuPids().containsKey(VM);
        });
        assertFalse(hosts.get(first).libvirtdRunning(), "the fenced host's libvirtd is gone");
        assertTrue(hosts.get(first).qemuPids().isEmpty(), "nothing of the fenced host's guests is left: " + hosts.get(first).qemuPids());
        assertBefore(first + " host dies", "fence " + first + " ok");
        assertBefore("fence " + first + " ok", second + " drbd: drbdadm primary " + DISK);
        assertBefore(second + " " + DISK + " promote rc=0", second + " " + VM + " start rc=0");
        assertRunsOnlyOn(hosts, second);

        // the fenced host is repaired and rejoins; its DRBD replica comes back Unpromoted
        hosts.get(first).restart();
        drbd.powerOn(first);
        startNode(first);
        Await.until(LONG, DISK + " Unpromoted on the rejoined " + first + " (and not marked outdated)", () -> is(log.state(), DISK, first, Role.UNPROMOTED)
                && !outdatedMarks.isOutdated(DISK, first));
        assertRunsOnlyOn(hosts, second);

        // 3. the admin moves the VM back: a live migration of the running guest inside a dual-primary window
        int mark = timelineSize();
        move(first);
        Await.until(LONG, VM + " migrated to " + first + " and " + DISK + " Promoted only there", () -> {
            ClusterState s = log.state();
            return is(s, VM, first, Role.STARTED) && is(s, VM, second, Role.STOPPED)
                    && is(s, DISK, first, Role.PROMOTED) && is(s, DISK, second, Role.UNPROMOTED);
        });
        awaitSettled();
        List<String> move = timelineSince(mark);
        String open = first + " drbd: drbdsetup net-options " + DISK + " " + peerNodeId(first) + " --allow-two-primaries=yes";
        String promote = first + " drbd: drbdadm primary " + DISK;
        String migrateTo = second + " " + VM + " migrate_to rc=0";
        String migrateFrom = first + " " + VM + " migrate_from rc=0";
        String demote = second + " drbd: drbdadm secondary " + DISK;
        String close = second + " drbd: drbdsetup net-options " + DISK + " " + peerNodeId(second) + " --allow-two-primaries=no";
        assertOrder(move, open, promote, migrateTo, migrateFrom, demote, close);
        assertTrue(move.stream().noneMatch(e -> e.contains(" " + VM + " start") || e.contains(" " + VM + " stop")),
                "the VM was neither stopped nor started for the move, it migrated: " + move);
        assertTrue(move.stream().noneMatch(e -> e.contains("REFUSED")), "no Primary was refused: " + move);
        assertRunsOnlyOn(hosts, first);
        assertTrue(drbd.isPrimary(first) && !drbd.isPrimary(second), "one Primary again, on " + first);
    }

    @Test
    void plannedMove_targetHostDiesMidMigration_fenced_vmRunsExactlyOnceOnSource_onePrimary() {
        // 1 MiB/s keeps the live migration going for many seconds once the target's QEMU is up; the guest has no OS
        // to answer an ACPI shutdown, so its stop destroys it at once
        Map<String, LibvirtLab.Host> hosts = startCluster(Map.of("migrate-bandwidth", "1", "shutdown-timeout", "0"));
        String source = awaitColdStart(hosts);
        String target = source.equals(A) ? B : A;

        move(target);
        Await.until(LONG, "the incoming QEMU of " + VM + " on " + target, () -> hosts.get(target).qemuPids().containsKey(VM));
        assertTrue(drbd.isPrimary(target) && drbd.isPrimary(source), "the dual-primary window is open during the migration");
        event(target + " host dies");
        hosts.get(target).freeze();
        nodes.remove(target).close();

        Await.until(LONG, target + " fenced and " + VM + " running on " + source + " alone with its disk Primary there only", () -> {
            ClusterState s = log.state();
            return fenced(s, target) && is(s, VM, source, Role.STARTED) && is(s, DISK, source, Role.PROMOTED)
                    && hosts.get(source).qemuPids().containsKey(VM) && !drbd.isPrimary(target);
        });
        awaitSettled();
        assertBefore(target + " host dies", "fence " + target + " ok");
        // a failed migrate_to counts as a failure of the VM on the source (as in Pacemaker): it is recovered there by a
        // stop and a start, since the target is gone
        assertOrder(timelineSince(0), source + " " + VM + " migrate_to rc=1", source + " " + VM + " stop rc=0", source + " " + VM + " start rc=0", "settled");
        assertFalse(timelineSince(0).stream().anyMatch(e -> e.startsWith(target + " " + VM + " migrate_from")), "no migrate_from on the dead target");
        assertRunsOnlyOn(hosts, source);
        assertTrue(drbd.isPrimary(source), "the source stays Primary");
        assertFalse(hosts.get(target).libvirtdRunning(), "the fenced target's libvirtd is gone");
    }

    // ---------------------------------------------------------------- the cluster

    /** Two lab hosts and the three nodes' processes, the controller active on the witness. */
    private Map<String, LibvirtLab.Host> startCluster(Map<String, String> vmParams) {
        assumeTrue(LibvirtLab.installed(), "libvirtd, virtlogd, virsh or qemu-system-x86_64 not installed (or not root)");
        lab = LibvirtLab.create();
        dir = LabDir.create("kd");
        Map<String, LibvirtLab.Host> hosts = Map.of(A, lab.startHost(A), B, lab.startHost(B));
        drbd = new DrbdKernelStandIn(DISK, Map.of(A, 0, B, 1), this::event);
        log = new InProcessLog(ClusterState.EMPTY, this::onCommitted);
        transport = new DirectTransport();
        log.submit(List.of(new Command.ReplaceConfig(config(vmParams), -1))).join();
        controller = new Controller(WITNESS, Scheduler::plan, log::state, log::submit, transport, new LabPowerFencer(hosts),
                InstantSource.system(), Ticker.system(), controllerThread, fenceWorkers, this::defaultTimeout);
        log.onCommit(controller::onStateChanged);
        for (String n : List.of(A, B, WITNESS)) startNode(n);
        controller.onLeadership(true, 1);
        return hosts;
    }

    /** Waits for the VM to run on a host with its disk Promoted there and Unpromoted on the other; returns that host. */
    private String awaitColdStart(Map<String, LibvirtLab.Host> hosts) {
        String first = Await.value(LONG, VM + " started on a host with its disk Promoted", () -> {
            ClusterState s = log.state();
            for (String n : List.of(A, B)) {
                if (is(s, VM, n, Role.STARTED) && is(s, DISK, n, Role.PROMOTED)
                        && hosts.get(n).qemuPids().containsKey(VM)) return n;
            }
            return null;
        });
        String second = first.equals(A) ? B : A;
        Await.until(LONG, DISK + " Unpromoted on " + second, () -> is(log.state(), DISK, second, Role.UNPROMOTED));
        return first;
    }

    /** Waits until the controller plans nothing more than recurring monitors and has nothing in flight. */
    private void awaitSettled() {
        Await.until(LONG, "the cluster to settle", () -> controller.pendingActions().isEmpty()
                && controller.lastTransition().actions().stream().allMatch(a -> a.kind() == vigil.engine.scheduler.ActionKind.MONITOR));
        event("settled");
    }

    private void move(String to) {
        event("admin: move " + VM + " to " + to);
        log.submit(List.of(new Command.PutConstraint(new Constraint.Location(StateTransitions.MOVE_PREFIX + VM, VM, to, Score.INFINITY, null, null))))
                .join();
    }

    private ClusterConfig config(Map<String, String> vmParams) {
        Primitive disk = Primitive.builder(DISK, DrbdDriver.TYPE)
                .param("hosts", A + "=" + A + ":127.0.0.1," + B + "=" + B + ":127.0.0.2")
                .param("device", "/dev/drbd1").param("disk", "/dev/vg0/vm1").param("fencing", "resource-only")
                .param("config-dir", dir.resolve("drbd.d").toString())
                .operation(new Operation("monitor", Duration.ofSeconds(2), Duration.ofSeconds(20), null, Role.PROMOTED))
                .operation(new Operation("monitor", Duration.ofSeconds(3), Duration.ofSeconds(20), null, Role.UNPROMOTED))
                .build();
        Primitive.Builder vmb = Primitive.builder(VM, "kvm")
                .param("config-blob", VM + ".xml").param("hypervisor", lab.uriFor("{node}")).param("migration-uri", "tcp://127.0.0.1")
                .allowMigrate(true)
                .monitor(Duration.ofSeconds(3), Duration.ofSeconds(30));
        vmParams.forEach(vmb::param);
        Primitive vm = vmb.build();
        ClusterConfig.Builder b = ClusterConfig.builder()
                .node(new Node(A, "127.0.0.1:7001", NodeRole.MEMBER, Map.of("libvirt-uri", lab.uriFor(A))))
                .node(new Node(B, "127.0.0.1:7002", NodeRole.MEMBER, Map.of("libvirt-uri", lab.uriFor(B))))
                .node(Node.witness(WITNESS, "127.0.0.1:7003"))
                .properties(ClusterProperties.builder().stonithEnabled(true).nodeTimeout(NODE_TIMEOUT)
                        .other(Map.of("stonith-action", "off")).build())
                // the lab's power switch, which LabPowerFencer operates (with fencing on and no device nothing would start)
                .fenceDevice(new FenceDevice("lab-power", "lab-power", Map.of(), List.of(A, B), Map.of(), Duration.ZERO))
                .blob(VM + ".xml", LibvirtLab.guestXml(VM));
        return DrbdVmPattern.add(b, disk, vm, 2).build();
    }

    private void startNode(String id) {
        NodeProcess p = new NodeProcess(id, !id.equals(WITNESS));
        nodes.put(id, p);
        transport.connect(id, p.agent);
    }

    /** What one node's Vigil process runs: its executor (with the real drivers) and its node agent. */
    private final class NodeProcess implements AutoCloseable {
        final String id;
        final Executor executor;
        final NodeAgent agent;

        NodeProcess(String id, boolean member) {
            this.id = id;
            List<ResourceDriverProvider> providers = List.of(new KvmDriverProvider(), new ResourceDriverProvider() {
                @Override
                public boolean supports(String type) { return DrbdDriver.TYPE.equals(type); }

                @Override
                public ResourceDriver create(String type) { return new DrbdDriver(drbd.runnerFor(id), outdatedMarks); }
            });
            ExecutorOperations ops = new ExecutorOperations(log::state, member);
            this.executor = Executor.builder(id, new DriverRegistry(providers), timers).listener(ops).build();
            ops.attach(executor);
            this.agent = new NodeAgent(id, ops, log::submit, log::state, () -> 1L, InstantSource.system(), Ticker.system(), timers);
        }

        @Override
        public void close() {
            transport.disconnect(id);
            agent.close();
            executor.close();
        }
    }

    private Duration defaultTimeout(String typeAndAction) {
        int slash = typeAndAction.lastIndexOf('/');
        String type = typeAndAction.substring(0, slash);
        String action = typeAndAction.substring(slash + 1);
        ResourceDriver d = type.equals(DrbdDriver.TYPE) ? new DrbdDriver(drbd.runnerFor(A), outdatedMarks) : new KvmDriverProvider().create(type);
        return d.metadata().defaultTimeout(action).orElse(null);
    }

    /** Routes the controller's calls to the node agents in this JVM; a node whose process is gone does not answer. */
    private static final class DirectTransport implements NodeTransport, AutoCloseable {
        private final Map<String, NodeAgent> agents = new ConcurrentHashMap<>();
        private final ExecutorService calls = Executors.newCachedThreadPool(daemon("lab-transport"));

        void connect(String node, NodeAgent agent) { agents.put(node, agent); }

        void disconnect(String node) { agents.remove(node); }

        @Override
        public CompletableFuture<HeartbeatReply> heartbeat(String node, HeartbeatRequest request) {
            NodeAgent a = agents.get(node);
            if (a == null) return CompletableFuture.failedFuture(new ConnectException(node + " does not answer"));
            return CompletableFuture.supplyAsync(() -> a.onHeartbeat(request), calls);
        }

        @Override
        public CompletableFuture<ActionReply> execute(String node, ActionRequest request) {
            NodeAgent a = agents.get(node);
            if (a == null) return CompletableFuture.failedFuture(new ConnectException(node + " does not answer"));
            return CompletableFuture.supplyAsync(() -> a.onExecute(request), calls).thenCompose(Function.identity());
        }

        @Override
        public void close() { calls.shutdownNow(); }
    }

    /** Powers a lab host off for real: kills its libvirtd, virtlogd and every QEMU, then confirms nothing is left. */
    private final class LabPowerFencer implements NodeFencer {
        private final Map<String, LibvirtLab.Host> hosts;

        LabPowerFencer(Map<String, LibvirtLab.Host> hosts) { this.hosts = hosts; }

        @Override
        public FenceEvent fence(ClusterConfig config, String target, String action, String executorNode) {
            LibvirtLab.Host h = hosts.get(target);
            if (h == null) return new FenceEvent(target, action, List.of(), executorNode, false, Instant.now(), "no lab host " + target);
            h.crash();
            drbd.powerOff(target);
            boolean off = !h.libvirtdRunning() && h.qemuPids().isEmpty();
            event("fence " + target + (off ? " ok" : " FAILED"));
            return new FenceEvent(target, action, List.of("lab-power"), executorNode, off, Instant.now(),
                    off ? "libvirtd and every guest of " + target + " killed" : "processes of " + target + " still alive");
        }
    }

    // ---------------------------------------------------------------- timeline and assertions

    private void onCommitted(Command c) {
        if (c instanceof Command.RecordOperation op && !op.action().equals("monitor")) {
            event(op.node() + " " + op.resource() + " " + op.action() + " rc=" + op.code().code());
        }
    }

    private void event(String e) {
        synchronized (timeline) { timeline.add(e); }
    }

    /** {@code rsc} is in {@code role} on {@code node}, with its last operation's result in (not pending). */
    private static boolean is(ClusterState s, String rsc, String node, Role role) {
        return s.resource(rsc, node).role() == role && !s.resource(rsc, node).pending();
    }

    private int timelineSize() {
        synchronized (timeline) { return timeline.size(); }
    }

    private List<String> timelineSince(int from) {
        synchronized (timeline) { return List.copyOf(timeline.subList(from, timeline.size())); }
    }

    private void assertBefore(String earlier, String later) {
        List<String> t = timelineSince(0);
        int i = t.indexOf(earlier);
        int j = t.lastIndexOf(later);
        assertTrue(i >= 0, () -> "\"" + earlier + "\" never happened:\n  " + String.join("\n  ", t));
        assertTrue(j >= 0, () -> "\"" + later + "\" never happened:\n  " + String.join("\n  ", t));
        assertTrue(i < j, () -> "\"" + earlier + "\" came after \"" + later + "\":\n  " + String.join("\n  ", t));
    }

    private static void assertOrder(List<String> t, String... events) {
        int at = -1;
        for (String e : events) {
            int i = indexFrom(t, e, at + 1);
            int prev = at;
            assertTrue(i > prev, () -> "\"" + e + "\" missing or out of order in:\n  " + String.join("\n  ", t));
            at = i;
        }
    }

    private static int indexFrom(List<String> t, String e, int from) {
        for (int i = from; i < t.size(); i++) if (t.get(i).equals(e)) return i;
        return -1;
    }

    /** The DRBD node-id of the other replica (lab-a is 0, lab-b is 1). */
    private static int peerNodeId(String node) { return node.equals(A) ? 1 : 0; }

    private static boolean fenced(ClusterState s, String node) {
        return s.fenceHistory().stream().anyMatch(f -> f.target().equals(node) && f.success());
    }

    /** The guest's QEMU runs on {@code host} and nowhere else, and the cluster agrees. */
    private void assertRunsOnlyOn(Map<String, LibvirtLab.Host> hosts, String host) {
        int copies = 0;
        for (LibvirtLab.Host h : hosts.values()) if (h.qemuPids().containsKey(VM)) copies++;
        assertEquals(1, copies, "exactly one QEMU of " + VM + " across the hosts");
        assertTrue(hosts.get(host).qemuPids().containsKey(VM), VM + " runs on " + host);
        ClusterState s = log.state();
        List<String> active = new ArrayList<>();
        for (String n : List.of(A, B)) if (s.resource(VM, n).isActive()) active.add(n);
        assertEquals(List.of(host), active, "the cluster state has " + VM + " active on " + host + " only");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The replicated state for this test: commands applied in submission order with {@link StateTransitions#apply},
     * a list of commands as one entry (as one Raft log entry), listeners told after each entry.
     */
    static final class InProcessLog {
        private ClusterState state;
        private final java.util.function.Consumer<Command> observer;
        private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

        InProcessLog(ClusterState initial, java.util.function.Consumer<Command> observer) {
            this.state = initial;
            this.observer = observer;
        }

        synchronized ClusterState state() { return state; }

        void onCommit(Runnable r) { listeners.add(r); }

        CompletableFuture<?> submit(List<Command> commands) {
            synchronized (this) {
                ClusterState s = state;
                try {
                    for (Command c : commands) s = StateTransitions.apply(s, c, Instant.now());
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
                state = s;
                commands.forEach(observer);
            }
            listeners.forEach(Runnable::run);
            return CompletableFuture.completedFuture(null);
        }
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) java.nio.file.Files.deleteIfExists(p);
        } catch (java.io.IOException e) {
            LOG.warn("cannot remove {}: {}", root, e.toString());
        }
    }
}
